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
 * once per call (docs/decisions/0006). A changed blob, key version or key ring is opened anew. What
 * is kept is the decrypted tokens, so they are kept no longer than they are in use: a connection
 * disconnected or asking for a reconnect is forgotten at once (forgetCredentials), and one unused
 * for OPENED_IDLE_MS goes at the next open (in another process, the row's blob is gone, so its copy
 * is never used again and goes the same way). At most OPENED_MAX connections are kept.
 */
const opened = new Map<string, { ring: KeyRing; blob: string; keyVersion: number; credentials: Credentials; usedAt: number }>();
const OPENED_MAX = 256;
export const OPENED_IDLE_MS = 10 * 60_000;

export function openCredentials(ring: KeyRing, connectionId: string, blob: string, keyVersion: number): Credentials {
  if (!canOpenCredentials(ring, keyVersion)) throw new CredentialsUnreadable(keyVersion);
  const now = Date.now();
  forgetIdleCredentials(now);
  const hit = opened.get(connectionId);
  if (hit && hit.ring === ring && hit.blob === blob && hit.keyVersion === keyVersion) {
    // Most recently used last: the oldest entry is the first to go.
    opened.delete(connectionId);
    opened.set(connectionId, { ...hit, usedAt: now });
    return copy(hit.credentials);
  }
  const raw = Stored.parse(JSON.parse(unseal(ring, { blob, keyVersion }, `connection:${connectionId}`)));
  const credentials = { accessToken: raw.a, refreshToken: raw.r, expiresAt: new Date(raw.e), scopes: raw.s };
  opened.delete(connectionId);
  opened.set(connectionId, { ring, blob, keyVersion, credentials, usedAt: now });
  // The least recently used goes first (a Map keeps insertion order).
  if (opened.size > OPENED_MAX) opened.delete(opened.keys().next().value ?? '');
  return copy(credentials);
}

/** The connection's credentials are no longer this process's to keep (disconnected, reconnect required). */
export function forgetCredentials(connectionId: string): void {
  opened.delete(connectionId);
}

/** Drops the copies unused since `now - OPENED_IDLE_MS` (oldest first, in the order they were used). */
export function forgetIdleCredentials(now: number): void {
  for (const [id, entry] of opened) {
    if (entry.usedAt > now - OPENED_IDLE_MS) break;
    opened.delete(id);
  }
}

/** Whether this process holds the connection's decrypted credentials in memory (for tests and checks). */
export const holdsCredentials = (connectionId: string): boolean => opened.has(connectionId);

const copy = (c: Credentials): Credentials => ({ ...c, expiresAt: new Date(c.expiresAt), scopes: [...c.scopes] });

export const reasonKeyMissing = (name: string, keyVersion: number): string =>
  `Runframe can no longer read the stored ${name} credentials (encryption key version ${keyVersion} is not configured). Reconnect ${name}, or restore the key.`;

/** Identifies a grant in audit rows without revealing it: a short hash of the refresh token. */
export const fingerprint = (c: Pick<Credentials, 'refreshToken'>): string => `sha256:${sha256Hex(c.refreshToken).slice(0, 12)}`;
