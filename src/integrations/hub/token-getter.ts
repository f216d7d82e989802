import { and, eq } from 'drizzle-orm';
import { integrationConnections } from '../../platform/db/schema.ts';
import { AppError } from '../../shared/errors.ts';
import { systemMeta } from '../../domain/context.ts';
import { requireProvider, type HubDeps } from './context.ts';
import { openCredentials, sealCredentials } from './credentials.ts';
import { findConnectionRow, markReconnectRequired, providerSource, type ConnectionRow } from './connections.ts';
import { ProviderError, providerAppError, type Credentials } from './provider.ts';

// Refresh a little before expiry so a token never dies in the middle of a call.
const REFRESH_MARGIN_MS = 5 * 60_000;

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

/**
 * The one function that hands out a provider access token. It refreshes shortly before expiry,
 * one refresh at a time per connection across all processes (the row lock), and stores the rotated
 * refresh token in the same transaction as the new access token. `invalid_grant` flips the
 * connection to Reconnect required; a provider outage leaves it untouched.
 * `stale` names a token the provider just refused: refresh unless someone already replaced it.
 */
export async function getAccessToken(hub: HubDeps, orgId: string, providerId: string, stale?: string): Promise<string> {
  const provider = requireProvider(hub, providerId);
  const fresh = (c: Credentials) => c.expiresAt.getTime() - hub.clock.now().getTime() > REFRESH_MARGIN_MS && c.accessToken !== stale;
  const row = await findConnectionRow(hub.db, orgId, providerId);
  if (!usable(row)) throw notConnected(provider.displayName, row);
  const current = openCredentials(hub.keyRing, row.id, row.sealedCredentials, row.keyVersion);
  if (fresh(current)) return current.accessToken;

  const outcome = await hub.db.transaction(async (tx) => {
    // The row lock makes every other refresher wait here, then find the fresh token below.
    const [locked] = await tx.select().from(integrationConnections).where(and(eq(integrationConnections.id, row.id))).for('update');
    if (!usable(locked ?? null) || !locked) return { error: notConnected(provider.displayName, locked ?? null) };
    const creds = openCredentials(hub.keyRing, locked.id, locked.sealedCredentials ?? '', locked.keyVersion ?? 0);
    if (fresh(creds)) return { token: creds.accessToken };
    try {
      const next = await provider.refresh(creds.refreshToken);
      const sealed = sealCredentials(hub.keyRing, locked.id, next);
      await tx
        .update(integrationConnections)
        .set({ ...sealed, accessExpiresAt: next.expiresAt, scopes: next.scopes, updatedAt: hub.clock.now() })
        .where(eq(integrationConnections.id, locked.id));
      return { token: next.accessToken };
    } catch (err) {
      if (err instanceof ProviderError && err.failure.kind === 'invalid_grant') {
        await markReconnectRequired(tx, hub.clock, systemMeta('token-refresh'), locked, reasonInvalidGrant(provider.displayName), providerSource(provider.displayName));
        return { error: notConnected(provider.displayName, { ...locked, status: 'reconnect_required', reconnectReason: reasonInvalidGrant(provider.displayName) }) };
      }
      if (err instanceof ProviderError) return { error: providerAppError(provider.displayName, err.failure) };
      throw err;
    }
  });
  if ('error' in outcome) throw outcome.error;
  return outcome.token;
}

/**
 * Runs a provider call with a token. A token the provider refuses (401/124) gets one refresh and
 * one retry; refused again, the connection needs reconnecting.
 */
export async function withAccessToken<T>(hub: HubDeps, orgId: string, providerId: string, call: (token: string) => Promise<T>): Promise<T> {
  const token = await getAccessToken(hub, orgId, providerId);
  try {
    return await call(token);
  } catch (err) {
    if (!(err instanceof ProviderError) || err.failure.kind !== 'token_invalid') throw err;
  }
  const second = await getAccessToken(hub, orgId, providerId, token);
  try {
    return await call(second);
  } catch (err) {
    if (err instanceof ProviderError && err.failure.kind === 'token_invalid') {
      const provider = requireProvider(hub, providerId);
      const row = await findConnectionRow(hub.db, orgId, providerId);
      if (row) {
        await hub.db.transaction((tx) => markReconnectRequired(tx, hub.clock, systemMeta('token-retry'), row, reasonRejectedAfterRefresh(provider.displayName), providerSource(provider.displayName)));
      }
      throw notConnected(provider.displayName, row ? { ...row, status: 'reconnect_required', reconnectReason: reasonRejectedAfterRefresh(provider.displayName) } : null);
    }
    throw err;
  }
}
