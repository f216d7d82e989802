import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { HashingBusyError, createPasswordHasher, seal, unseal, type KeyRing } from '../../src/platform/crypto.ts';
import { loadConfig } from '../../src/config/index.ts';

test('sealed credentials open only with the right key and context, and survive key rotation', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  const ring1: KeyRing = { current: 1, keys: new Map([[1, k1]]) };
  const sealed = seal(ring1, '{"access":"secret"}', 'org-1');
  assert.equal(sealed.keyVersion, 1);
  assert.ok(!sealed.blob.includes('secret'));
  const ring2: KeyRing = { current: 2, keys: new Map([[1, k1], [2, k2]]) };
  assert.equal(unseal(ring2, sealed, 'org-1'), '{"access":"secret"}', 'old blobs open after rotation');
  assert.equal(seal(ring2, 'x', 'org-1').keyVersion, 2, 'new blobs use the new key');
  assert.throws(() => unseal(ring2, sealed, 'org-2'), 'bound to its context');
  const tampered = { ...sealed, blob: sealed.blob.slice(0, -2) + (sealed.blob.endsWith('A') ? 'BB' : 'AA') };
  assert.throws(() => unseal(ring2, tampered, 'org-1'));
});

test('passwords are scrypt-hashed with a salt and verified', async () => {
  const hasher = createPasswordHasher({ cost: 14, concurrency: 2 });
  const a = await hasher.hash('correct horse battery');
  const b = await hasher.hash('correct horse battery');
  assert.notEqual(a, b);
  assert.equal(await hasher.verify('correct horse battery', a), true);
  assert.equal(await hasher.verify('correct horse batterY', a), false);
  assert.equal(await hasher.verify('correct horse battery', 'scrypt$1073741824$8$1$AAAA$AAAA'), false, 'a corrupt row never asks for gigabytes');
});

test('the production default is OWASP scrypt (N = 2^17, r = 8, p = 1), which needs maxmem raised, and it works', async () => {
  const config = loadConfig({ DATABASE_URL: 'postgres://db/runframe', SECRET_KEY: 'k'.repeat(40), ENCRYPTION_KEYS: `1:${randomBytes(32).toString('base64')}` });
  assert.deepEqual(config.passwordHashing, { cost: 17, concurrency: 2 });
  const hasher = createPasswordHasher(config.passwordHashing);
  const stored = await hasher.hash('correct horse battery');
  assert.match(stored, /^scrypt\$131072\$8\$1\$/);
  assert.equal(await hasher.verify('correct horse battery', stored), true);
  assert.match(hasher.dummyHash, /^scrypt\$131072\$8\$1\$/, 'unknown emails burn the same cost');
});

test('hashes made with weaker parameters are marked for re-hashing; current ones are not', async () => {
  const old = await createPasswordHasher({ cost: 14, concurrency: 1 }).hash('correct horse battery');
  const current = createPasswordHasher({ cost: 15, concurrency: 1 });
  assert.equal(current.needsRehash(old), true);
  assert.equal(current.needsRehash(await current.hash('correct horse battery')), false);
});

test('no more hashes run at once than the cap, and a flood past the queue is refused at once', async () => {
  const hasher = createPasswordHasher({ cost: 14, concurrency: 2, maxWaiting: 6 });
  const stored = await hasher.hash('correct horse battery');
  const results = await Promise.all(Array.from({ length: 8 }, () => hasher.verify('correct horse battery', stored)));
  assert.ok(results.every(Boolean));
  assert.equal(hasher.stats().peak, 2, 'at most two scrypt runs held the thread pool at once');
  const flood = await Promise.allSettled(Array.from({ length: 12 }, () => hasher.verify('wrong', stored)));
  const busy = flood.filter((r) => r.status === 'rejected' && r.reason instanceof HashingBusyError).length;
  assert.equal(busy, 4, 'two running and six waiting; the other four are refused instead of queued');
  assert.equal(hasher.stats().peak, 2);
});
