import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { CredentialsUnreadable, openCredentials, sealCredentials } from '../../src/integrations/hub/credentials.ts';
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
