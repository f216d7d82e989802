import { eq } from 'drizzle-orm';
import { integrationConnections } from '../../platform/db/schema.ts';
import { requirePermission } from '../../domain/access/roles.ts';
import { actorLabel } from '../../domain/orgs/fields.ts';
import type { Actor, RequestMeta } from '../../domain/context.ts';
import { requireProvider, type HubDeps } from './context.ts';
import { openCredentials } from './credentials.ts';
import { auditIntegration, findConnectionRow } from './connections.ts';
import { ProviderError } from './provider.ts';

/**
 * Disconnect: forget the credentials (the card shows Not connected), then revoke the grant at the
 * provider. A failed revoke is recorded but does not block. Incidents, timelines, audit logs and
 * stored war-room links stay; no meeting is deleted.
 */
export async function disconnectIntegration(hub: HubDeps, actor: Actor, meta: RequestMeta, providerId: string): Promise<{ revoked: boolean }> {
  requirePermission(actor, 'integration:manage');
  const provider = requireProvider(hub, providerId);
  const row = await findConnectionRow(hub.db, actor.orgId, provider.id);
  if (!row) return { revoked: true };
  const creds = row.sealedCredentials && row.keyVersion !== null ? openCredentials(hub.keyRing, row.id, row.sealedCredentials, row.keyVersion) : null;
  const source = { userId: actor.userId, label: actorLabel(actor) };
  await hub.db.transaction(async (tx) => {
    await tx.delete(integrationConnections).where(eq(integrationConnections.id, row.id));
    await auditIntegration(tx, hub.clock, meta, actor.orgId, source, 'integration.disconnected', {
      provider: provider.id,
      account: row.accountEmail,
      credential_fingerprint: row.credentialFingerprint,
    });
  });
  if (!creds) return { revoked: true };
  try {
    await provider.revoke(creds.accessToken);
    return { revoked: true };
  } catch (err) {
    const failure = err instanceof ProviderError ? err.failure.kind : 'error';
    hub.log.warn({ provider: provider.id, failure }, 'revoke at the provider failed during disconnect');
    await auditIntegration(hub.db, hub.clock, meta, actor.orgId, source, 'integration.revoke_failed', {
      provider: provider.id,
      failure,
      credential_fingerprint: row.credentialFingerprint,
    });
    return { revoked: false };
  }
}
