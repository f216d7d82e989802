import { setTimeout as sleep } from 'node:timers/promises';
import { and, eq, isNull, lte, or } from 'drizzle-orm';
import { integrationConnections } from '../../platform/db/schema.ts';
import { countMetric } from '../../platform/metrics.ts';
import { AppError } from '../../shared/errors.ts';
import { newId } from '../../shared/ids.ts';
import { systemMeta } from '../../domain/context.ts';
import { requireProvider, type HubDeps } from './context.ts';
import { CredentialsUnreadable, openCredentials, reasonKeyMissing, sealCredentials } from './credentials.ts';
import { findConnectionRow, markCredentialsUnreadable, markReconnectRequired, providerSource, type ConnectionRow } from './connections.ts';
import { ProviderError, providerAppError, type Credentials, type ProviderAdapter } from './provider.ts';

// Refresh a little before expiry so a token never dies in the middle of a call.
const REFRESH_MARGIN_MS = 5 * 60_000;
const REFRESHES = 'runframe_token_refreshes_total';
const REFRESHES_HELP = 'Access-token refreshes at the provider by outcome (refreshed, or the failure kind).';
// Well above the provider call's own 10-second deadline, so a live refresh never loses its lease;
// a crashed refresher's lease simply runs out.
const REFRESH_LEASE_MS = 30_000;
// How long (real time) a caller waits for another caller's refresh before giving up.
const WAIT_FOR_REFRESH_MS = REFRESH_LEASE_MS + 5_000;
const POLL_MS = [5, 10, 20, 40, 80, 160, 250];

/** True when the access token is expired or about to be: use a refreshed one instead. */
export const expiresSoon = (c: Pick<Credentials, 'expiresAt'>, now: Date): boolean => c.expiresAt.getTime() - now.getTime() <= REFRESH_MARGIN_MS;

export const reasonInvalidGrant = (name: string) =>
  `${name} no longer accepts Runframe’s authorization: it was revoked or expired, or the same ${name} user authorized Runframe again elsewhere (${name} keeps only the newest authorization).`;
export const reasonRejectedAfterRefresh = (name: string) => `${name} rejected Runframe’s access token even after a refresh.`;

export function notConnected(displayName: string, row: ConnectionRow | null): AppError {
  if (row && row.status === 'reconnect_required') {
    return new AppError('needs_reconnect', `${displayName} needs to be reconnected: ${row.reconnectReason ?? 'its authorization no longer works.'}`, {
      hint: `An Owner or Admin can disconnect ${displayName} in Integrations Hub, then connect it again.`,
    });
  }
  return new AppError('needs_reconnect', `${displayName} is not connected — an Owner or Admin can connect it in Integrations Hub.`, {
    hint: 'Organization › Integrations Hub › Communication.',
  });
}

function usable(row: ConnectionRow | null): row is ConnectionRow & { sealedCredentials: string; keyVersion: number } {
  return row !== null && row.status === 'connected' && row.sealedCredentials !== null && row.keyVersion !== null;
}

type UsableRow = ConnectionRow & { sealedCredentials: string; keyVersion: number };

/**
 * The one function that hands out a provider access token. It refreshes shortly before expiry,
 * one refresh at a time per connection across all processes, and never holds a transaction (or a
 * row lock) across the provider call: on embedded PGlite one open transaction stalls every query.
 * A refresher first claims a lease on the row with a conditional update, calls the provider, then
 * stores the rotated token pair in one update conditional on still holding the lease. Everyone else
 * polls the row until the fresh token appears or the lease ends. `invalid_grant` flips the
 * connection to Reconnect required; a provider outage leaves it untouched.
 * `stale` names a token the provider just refused: refresh unless someone already replaced it.
 */
export async function getAccessToken(hub: HubDeps, orgId: string, providerId: string, stale?: string): Promise<string> {
  return (await accessTokenAndRow(hub, orgId, providerId, stale)).token;
}

/** getAccessToken, with the connection row the token came from (read just before, or refreshed from). */
export async function accessTokenAndRow(
  hub: HubDeps,
  orgId: string,
  providerId: string,
  stale?: string,
  /** The connection's row as the caller has just read it: the first round uses it instead of reading again. */
  justRead?: ConnectionRow | null,
): Promise<{ token: string; row: ConnectionRow }> {
  const provider = requireProvider(hub, providerId);
  const fresh = (c: Credentials) => !expiresSoon(c, hub.clock.now()) && c.accessToken !== stale;
  const deadline = Date.now() + WAIT_FOR_REFRESH_MS;
  for (let round = 0; ; round++) {
    const row = round === 0 && justRead !== undefined && (justRead === null || (justRead.orgId === orgId && justRead.provider === providerId)) ? justRead : await findConnectionRow(hub.db, orgId, providerId);
    if (!usable(row)) throw notConnected(provider.displayName, row);
    const current = await openOrGiveUp(hub, provider, row);
    if (current === null) continue; // the row changed meanwhile: read it again
    if (fresh(current)) return { token: current.accessToken, row };
    const leaseId = await claimRefreshLease(hub, row);
    if (leaseId) {
      const token = await refreshUnderLease(hub, provider, row, current, leaseId);
      if (token !== null) return { token, row };
      continue; // the lease was lost meanwhile: read again what the row says now
    }
    // Someone else is refreshing: wait for their token rather than spend the refresh token twice.
    if (Date.now() > deadline) {
      throw new AppError('provider_unavailable', `${provider.displayName} is taking too long to renew Runframe's access — try again.`, {
        hint: `Try again in a minute. If it persists, check ${provider.displayName}'s status page.`,
      });
    }
    await sleep(POLL_MS[Math.min(round, POLL_MS.length - 1)] ?? 250);
  }
}

/**
 * Opens the stored credentials. Sealed under a key that is no longer configured, the connection
 * needs reconnecting (or the key restoring); null when the row changed before it could be marked.
 */
async function openOrGiveUp(hub: HubDeps, provider: ProviderAdapter, row: UsableRow): Promise<Credentials | null> {
  try {
    return openCredentials(hub.keyRing, row.id, row.sealedCredentials, row.keyVersion);
  } catch (err) {
    if (!(err instanceof CredentialsUnreadable)) throw err;
    const reason = reasonKeyMissing(provider.displayName, err.keyVersion);
    hub.log.error({ provider: provider.id, connectionId: row.id, keyVersion: err.keyVersion }, 'stored credentials are sealed under an encryption key version that is not configured');
    const marked = await hub.db.transaction((tx) => markCredentialsUnreadable(tx, hub.clock, systemMeta('token-getter'), row, reason));
    if (!marked) return null;
    throw notConnected(provider.displayName, { ...row, status: 'reconnect_required', reconnectReason: reason });
  }
}

/**
 * Claims the right to refresh. Wins only if nobody holds an unexpired lease and the stored
 * credentials are still the ones this caller found stale (the sealed blob is unique per seal,
 * so it doubles as a version): two racing claimers cannot both win.
 */
async function claimRefreshLease(hub: HubDeps, row: UsableRow): Promise<string | null> {
  const now = hub.clock.now();
  const leaseId = newId();
  const claimed = await hub.db
    .update(integrationConnections)
    .set({ refreshLeaseId: leaseId, refreshLeaseUntil: new Date(now.getTime() + REFRESH_LEASE_MS) })
    .where(
      and(
        eq(integrationConnections.id, row.id),
        eq(integrationConnections.status, 'connected'),
        eq(integrationConnections.sealedCredentials, row.sealedCredentials),
        or(isNull(integrationConnections.refreshLeaseUntil), lte(integrationConnections.refreshLeaseUntil, now)),
      ),
    )
    .returning({ id: integrationConnections.id });
  return claimed.length > 0 ? leaseId : null;
}

/** The provider call, outside any transaction; returns null when the lease was lost before storing. */
async function refreshUnderLease(hub: HubDeps, provider: ProviderAdapter, row: UsableRow, creds: Credentials, leaseId: string): Promise<string | null> {
  const holds = and(eq(integrationConnections.id, row.id), eq(integrationConnections.refreshLeaseId, leaseId));
  let settled = false;
  try {
    let next: Credentials;
    try {
      next = await provider.refresh(creds.refreshToken);
      countMetric(REFRESHES, REFRESHES_HELP, { provider: provider.id, outcome: 'refreshed' });
    } catch (err) {
      countMetric(REFRESHES, REFRESHES_HELP, { provider: provider.id, outcome: err instanceof ProviderError ? err.failure.kind : 'error' });
      if (err instanceof ProviderError && err.failure.kind === 'invalid_grant') {
        const reason = provider.invalidGrantReason ?? reasonInvalidGrant(provider.displayName);
        // Conditional on the credentials, so a reconnect meanwhile survives; clears the lease too.
        await hub.db.transaction((tx) => markReconnectRequired(tx, hub.clock, systemMeta('token-refresh'), row, reason, providerSource(provider.displayName)));
        throw notConnected(provider.displayName, { ...row, status: 'reconnect_required', reconnectReason: reason });
      }
      if (err instanceof ProviderError) throw providerAppError(provider, err.failure, hub.clock.now());
      throw err;
    }
    // The rotated pair and the lease release in one conditional update: the old refresh token is
    // spent at the provider, so the new one must be stored before anyone else may refresh.
    const sealed = sealCredentials(hub.keyRing, row.id, next);
    const stored = await hub.db
      .update(integrationConnections)
      .set({ ...sealed, accessExpiresAt: next.expiresAt, scopes: next.scopes, refreshLeaseId: null, refreshLeaseUntil: null, updatedAt: hub.clock.now() })
      .where(holds)
      .returning({ id: integrationConnections.id });
    settled = true;
    if (stored.length === 0) {
      hub.log.warn({ provider: provider.id, connectionId: row.id }, 'a token refresh finished after its lease was lost (connection changed meanwhile); the result was not stored');
      return null;
    }
    return next.accessToken;
  } finally {
    if (!settled) {
      await hub.db
        .update(integrationConnections)
        .set({ refreshLeaseId: null, refreshLeaseUntil: null })
        .where(holds)
        .catch((err: unknown) => hub.log.warn({ err, provider: provider.id }, 'could not release a refresh lease; it expires by itself'));
    }
  }
}

/**
 * Runs a provider call with a token. A token the provider refuses (401/124) gets one refresh and
 * one retry; refused again, the connection needs reconnecting.
 */
export async function withAccessToken<T>(
  hub: HubDeps,
  orgId: string,
  providerId: string,
  call: (token: string, connection: ConnectionRow) => Promise<T>,
  /** A token read already started for this call (accessTokenAndRow), used for the first attempt. */
  started?: Promise<{ token: string; row: ConnectionRow }>,
): Promise<T> {
  const { token, row: used } = await (started ?? accessTokenAndRow(hub, orgId, providerId));
  try {
    return await call(token, used);
  } catch (err) {
    if (!(err instanceof ProviderError) || err.failure.kind !== 'token_invalid') throw err;
  }
  const second = await getAccessToken(hub, orgId, providerId, token);
  // The credentials this token came from: a reconnect that lands during the call below must not be
  // the one marked Reconnect required (markReconnectRequired matches on the fingerprint).
  const row = await findConnectionRow(hub.db, orgId, providerId);
  try {
    return await call(second, row ?? used);
  } catch (err) {
    if (err instanceof ProviderError && err.failure.kind === 'token_invalid') {
      const provider = requireProvider(hub, providerId);
      if (row) {
        await hub.db.transaction((tx) => markReconnectRequired(tx, hub.clock, systemMeta('token-retry'), row, reasonRejectedAfterRefresh(provider.displayName), providerSource(provider.displayName)));
      }
      throw notConnected(provider.displayName, row ? { ...row, status: 'reconnect_required', reconnectReason: reasonRejectedAfterRefresh(provider.displayName) } : null);
    }
    throw err;
  }
}
