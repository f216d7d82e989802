import { createHash } from 'node:crypto';
import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import { hmacSha256Hex, randomToken, safeEqual, seal, unseal } from '../../platform/crypto.ts';
import { oauthStates } from '../../platform/db/schema.ts';
import { AppError } from '../../shared/errors.ts';
import type { HubDeps } from './context.ts';

const STATE_TTL_MS = 10 * 60_000;
// Expired states are kept a day longer, so the card can still say that a Connect was abandoned.
const STATE_KEPT_MS = 24 * 3_600_000;

export interface StateBinding {
  orgId: string;
  userId: string;
  /** Hash of the browser session that clicked Connect. */
  sessionHash: string;
  provider: string;
}

const sign = (hub: HubDeps, id: string, b: StateBinding) => hmacSha256Hex(hub.secretKey, `oauth-state|${id}|${b.provider}|${b.orgId}|${b.userId}|${b.sessionHash}`).slice(0, 32);

/** PKCE S256: the challenge is the base64url SHA-256 of the verifier. */
export const codeChallenge = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');

/** A signed, single-use state valid 10 minutes, and the PKCE verifier kept sealed beside it. */
export async function createOAuthState(hub: HubDeps, b: StateBinding): Promise<{ state: string; codeChallenge: string }> {
  const id = randomToken(18);
  const verifier = randomToken(48);
  const now = hub.clock.now();
  const sealed = seal(hub.keyRing, verifier, `oauth-state:${id}`);
  await hub.db.delete(oauthStates).where(lt(oauthStates.expiresAt, new Date(now.getTime() - STATE_KEPT_MS)));
  await hub.db.insert(oauthStates).values({
    id,
    orgId: b.orgId,
    userId: b.userId,
    sessionHash: b.sessionHash,
    provider: b.provider,
    sealedVerifier: sealed.blob,
    keyVersion: sealed.keyVersion,
    createdAt: now,
    expiresAt: new Date(now.getTime() + STATE_TTL_MS),
  });
  return { state: `${id}.${sign(hub, id, b)}`, codeChallenge: codeChallenge(verifier) };
}

export const stateRejected = () =>
  new AppError('forbidden', 'This Zoom authorization could not be matched to a Connect click of yours: it expired, was already used, or was started in another browser session. Nothing was changed.', {
    hint: 'Click Connect again and complete the authorization within 10 minutes.',
  });

/**
 * Checks the state before anything else in the callback: signature, binding to this browser
 * session and user, expiry, and single use (a conditional update wins a replay race).
 */
export async function consumeOAuthState(hub: HubDeps, raw: string | undefined, current: { userId: string; sessionHash: string; provider: string }) {
  const [id, mac] = (raw ?? '').split('.');
  if (!id || !mac) throw stateRejected();
  const [row] = await hub.db.select().from(oauthStates).where(eq(oauthStates.id, id));
  if (!row) throw stateRejected();
  const binding = { orgId: row.orgId, userId: row.userId, sessionHash: row.sessionHash, provider: row.provider };
  if (!safeEqual(mac, sign(hub, id, binding))) throw stateRejected();
  if (row.userId !== current.userId || row.sessionHash !== current.sessionHash || row.provider !== current.provider) throw stateRejected();
  const now = hub.clock.now();
  const used = await hub.db
    .update(oauthStates)
    .set({ usedAt: now })
    .where(and(eq(oauthStates.id, id), isNull(oauthStates.usedAt), gt(oauthStates.expiresAt, now)))
    .returning({ id: oauthStates.id });
  if (used.length === 0) throw stateRejected();
  const codeVerifier = unseal(hub.keyRing, { blob: row.sealedVerifier, keyVersion: row.keyVersion }, `oauth-state:${id}`);
  return { orgId: row.orgId, codeVerifier };
}
