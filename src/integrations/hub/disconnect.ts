import { eq } from 'drizzle-orm';
import { integrationConnections } from '../../platform/db/schema.ts';
import { requirePermission } from '../../domain/access/roles.ts';
import { actorLabel } from '../../domain/orgs/fields.ts';
import type { Actor, RequestMeta } from '../../domain/context.ts';
import { AppError } from '../../shared/errors.ts';
import { requireProvider, type HubDeps } from './context.ts';
import { CredentialsUnreadable, forgetCredentials, openCredentials } from './credentials.ts';
import { auditIntegration, externalUserFingerprint, findConnectionRow } from './connections.ts';
import { recordRevokeFailure, revokeFailureKind } from './revoke-before-dropping.ts';
import { ProviderError, type Credentials } from './provider.ts';
import { expiresSoon, getAccessToken } from './token-getter.ts';

/**
 * Disconnect: forget the credentials (the card shows Not connected), then revoke the grant at the
 * provider with a live access token. A failed renewal or revoke is recorded but does not block, and
 * neither do credentials Runframe can no longer open. Incidents, timelines, audit logs and stored
 * war-room links stay; no meeting is deleted.
 */
export async function disconnectIntegration(hub: HubDeps, actor: Actor, meta: RequestMeta, providerId: string): Promise<{ revoked: boolean }> {
  requirePermission(actor, 'integration:manage');
  const provider = requireProvider(hub, providerId);
  const row = await findConnectionRow(hub.db, actor.orgId, provider.id);
  if (!row) return { revoked: true };
  let creds: Credentials | null = null;
  let unreadable: CredentialsUnreadable | null = null;
  if (row.sealedCredentials && row.keyVersion !== null) {
    try {
      creds = openCredentials(hub.keyRing, row.id, row.sealedCredentials, row.keyVersion);
    } catch (err) {
      if (!(err instanceof CredentialsUnreadable)) throw err;
      unreadable = err;
    }
  }
  // Revoke takes an access token (zoom-api.md §1.8), and one that expired may no longer be known to
  // the provider: renew it first, through the one token getter (best effort; its lease keeps this
  // from racing another refresh). If that fails, the credentials are dropped all the same.
  let token = creds?.accessToken ?? null;
  let refreshFailure: string | null = null;
  if (creds && row.status === 'connected' && expiresSoon(creds, hub.clock.now())) {
    try {
      token = await getAccessToken(hub, actor.orgId, provider.id);
    } catch (err) {
      if (!(err instanceof AppError) && !(err instanceof ProviderError)) throw err;
      refreshFailure = err instanceof AppError ? err.code : err.failure.kind;
    }
  }
  const source = { userId: actor.userId, label: actorLabel(actor) };
  await hub.db.transaction(async (tx) => {
    await tx.delete(integrationConnections).where(eq(integrationConnections.id, row.id));
    // Kept only for the revoke below (a local copy); this process keeps no other.
    forgetCredentials(row.id);
    await auditIntegration(tx, hub.clock, meta, actor.orgId, source, 'integration.disconnected', {
      provider: provider.id,
      account: row.accountEmail,
      ...(row.externalUserId ? { external_user: externalUserFingerprint(provider.id, row.externalUserId) } : {}),
      credential_fingerprint: row.credentialFingerprint,
    });
  });
  if (unreadable) {
    await recordRevokeFailure(hub, meta, actor.orgId, source, provider, row, 'encryption_key_missing', {
      note: `Not revoked at ${provider.displayName}: the stored credentials could not be read (encryption key version ${unreadable.keyVersion} is not configured). Remove Runframe from the ${provider.displayName} account to end its authorization there.`,
    });
    return { revoked: false };
  }
  if (refreshFailure !== null) {
    await recordRevokeFailure(hub, meta, actor.orgId, source, provider, row, refreshFailure, { step: 'refresh' });
    return { revoked: false };
  }
  if (token === null) return { revoked: true };
  try {
    await provider.revoke(token);
    return { revoked: true };
  } catch (err) {
    await recordRevokeFailure(hub, meta, actor.orgId, source, provider, row, revokeFailureKind(err), { step: 'revoke' });
    return { revoked: false };
  }
}

