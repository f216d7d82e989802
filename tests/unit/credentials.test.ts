import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { CredentialsUnreadable, OPENED_IDLE_MS, forgetCredentials, forgetIdleCredentials, holdsCredentials, openCredentials, sealCredentials } from '../../src/integrations/hub/credentials.ts';
import type { KeyRing } from '../../src/platform/crypto.ts';

const ring: KeyRing = { current: 1, keys: new Map([[1, randomBytes(32)]]) };
const creds = (access: string) => ({ accessToken: access, refreshToken: `r-${access}`, expiresAt: new Date('2026-12-07T12:00:00Z'), scopes: ['meeting:write:meeting'] });

test('credentials opened again (the kept copy) are the same, and what a caller changes in its copy is not kept', () => {
  const s = sealCredentials(ring, 'conn-1', creds('a1'));
  const first = openCredentials(ring, 'conn-1', s.sealedCredentials, s.keyVersion);
  assert.equal(first.accessToken, 'a1');
  first.scopes.push('changed');
  first.expiresAt.setTime(0);
  const again = openCredentials(ring, 'conn-1', s.sealedCredentials, s.keyVersion);
  assert.deepEqual(again, creds('a1'));
});

test('a refreshed blob opens as the new credentials; a tampered, moved or unkeyed blob never opens, kept copy or not', () => {
  const old = sealCredentials(ring, 'conn-2', creds('old'));
  assert.equal(openCredentials(ring, 'conn-2', old.sealedCredentials, old.keyVersion).accessToken, 'old');
  const fresh = sealCredentials(ring, 'conn-2', creds('new'));
  assert.equal(openCredentials(ring, 'conn-2', fresh.sealedCredentials, fresh.keyVersion).accessToken, 'new');
  const b = fresh.sealedCredentials;
  const tampered = b.slice(0, -2) + (b.endsWith('A') ? 'BB' : 'AA');
  assert.throws(() => openCredentials(ring, 'conn-2', tampered, fresh.keyVersion));
  // Bound to its connection: the same blob under another connection's id does not open.
  assert.throws(() => openCredentials(ring, 'conn-3', b, fresh.keyVersion));
  // A ring without the blob's key version (a rotation that dropped it) cannot open it, even though it was opened before.
  const rotated: KeyRing = { current: 2, keys: new Map([[2, randomBytes(32)]]) };
  assert.throws(() => openCredentials(rotated, 'conn-2', b, fresh.keyVersion), CredentialsUnreadable);
});

test('decrypted credentials are kept no longer than they are used: forgotten on request, and after OPENED_IDLE_MS unused', () => {
  const a = sealCredentials(ring, 'conn-idle-a', creds('a'));
  const b = sealCredentials(ring, 'conn-idle-b', creds('b'));
  openCredentials(ring, 'conn-idle-a', a.sealedCredentials, a.keyVersion);
  openCredentials(ring, 'conn-idle-b', b.sealedCredentials, b.keyVersion);
  assert.equal(holdsCredentials('conn-idle-a'), true);
  forgetCredentials('conn-idle-a');
  assert.equal(holdsCredentials('conn-idle-a'), false);
  assert.equal(holdsCredentials('conn-idle-b'), true);
  // Still opens (decrypted anew), and is kept again.
  assert.equal(openCredentials(ring, 'conn-idle-a', a.sealedCredentials, a.keyVersion).accessToken, 'a');
  assert.equal(holdsCredentials('conn-idle-a'), true);
  forgetIdleCredentials(Date.now() + OPENED_IDLE_MS - 60_000);
  assert.equal(holdsCredentials('conn-idle-b'), true, 'used within the idle time: kept');
  forgetIdleCredentials(Date.now() + OPENED_IDLE_MS + 1);
  assert.equal(holdsCredentials('conn-idle-a'), false);
  assert.equal(holdsCredentials('conn-idle-b'), false);
});
