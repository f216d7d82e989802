import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { hashPassword, seal, unseal, verifyPassword, type KeyRing } from '../../src/platform/crypto.ts';

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
  const a = await hashPassword('correct horse battery');
  const b = await hashPassword('correct horse battery');
  assert.notEqual(a, b);
  assert.equal(await verifyPassword('correct horse battery', a), true);
  assert.equal(await verifyPassword('correct horse batterY', a), false);
});
