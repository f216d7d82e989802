import { z } from 'zod';
import { seal, sha256Hex, unseal, type KeyRing } from '../../platform/crypto.ts';
import type { Credentials } from './provider.ts';

const Stored = z.object({ a: z.string(), r: z.string(), e: z.string(), s: z.array(z.string()) });

/** The whole token set is one sealed blob, bound to its connection so it cannot be moved to another row. */
export function sealCredentials(ring: KeyRing, connectionId: string, c: Credentials) {
  const sealed = seal(ring, JSON.stringify({ a: c.accessToken, r: c.refreshToken, e: c.expiresAt.toISOString(), s: c.scopes }), `connection:${connectionId}`);
  return { sealedCredentials: sealed.blob, keyVersion: sealed.keyVersion, credentialFingerprint: fingerprint(c) };
}

/**
 * The blob was sealed under a key version that ENCRYPTION_KEYS no longer lists (removed in a rotation,
 * or a restore without the old key). Not a bug: the connection needs reconnecting, or the key restoring.
 */
export class CredentialsUnreadable extends Error {
  constructor(readonly keyVersion: number) {
    super(`encryption key version ${keyVersion} is not configured`);
    this.name = 'CredentialsUnreadable';
  }
}

export const canOpenCredentials = (ring: KeyRing, keyVersion: number): boolean => ring.keys.has(keyVersion);

/**
 * Blobs this process opened last, by connection: every Create War Room opens its connection's blob,
 * which stays the same until the next refresh, so it is decrypted and parsed once per refresh, not
 * once per call (docs/decisions/0006). A changed blob, key version or key ring is opened anew.
 */
const opened = new Map<string, { ring: KeyRing; blob: string; keyVersion: number; credentials: Credentials }>();
const OPENED_MAX = 256;

export function openCredentials(ring: KeyRing, connectionId: string, blob: string, keyVersion: number): Credentials {
  if (!canOpenCredentials(ring, keyVersion)) throw new CredentialsUnreadable(keyVersion);
  const hit = opened.get(connectionId);
  if (hit && hit.ring === ring && hit.blob === blob && hit.keyVersion === keyVersion) {
    // Most recently used last: the oldest entry is the first to go.
    opened.delete(connectionId);
    opened.set(connectionId, hit);
    return copy(hit.credentials);
  }
  const raw = Stored.parse(JSON.parse(unseal(ring, { blob, keyVersion }, `connection:${connectionId}`)));
  const credentials = { accessToken: raw.a, refreshToken: raw.r, expiresAt: new Date(raw.e), scopes: raw.s };
  opened.delete(connectionId);
  opened.set(connectionId, { ring, blob, keyVersion, credentials });
  // The least recently used goes first (a Map keeps insertion order).
  if (opened.size > OPENED_MAX) opened.delete(opened.keys().next().value ?? '');
  return copy(credentials);
}

const copy = (c: Credentials): Credentials => ({ ...c, expiresAt: new Date(c.expiresAt), scopes: [...c.scopes] });

export const reasonKeyMissing = (name: string, keyVersion: number): string =>
  `Runframe can no longer read the stored ${name} credentials (encryption key version ${keyVersion} is not configured). Reconnect ${name}, or restore the key.`;

/** Identifies a grant in audit rows without revealing it: a short hash of the refresh token. */
export const fingerprint = (c: Pick<Credentials, 'refreshToken'>): string => `sha256:${sha256Hex(c.refreshToken).slice(0, 12)}`;
