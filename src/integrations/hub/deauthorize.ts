import { and, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db/client.ts';
import { auditLog, integrationConnections } from '../../platform/db/schema.ts';
import { systemMeta } from '../../domain/context.ts';
import type { HubDeps } from './context.ts';
import { auditIntegration, externalUserFingerprint, markReconnectRequired, providerSource } from './connections.ts';
import type { ProviderAdapter, WebhookEvent } from './provider.ts';

/** What replaces provider-derived personal data once the provider asked for its deletion. */
export const DELETED_LABEL = 'deleted at the provider’s request';

/**
 * The user removed Runframe at the provider. Credentials are dropped in every case (the connection
 * shows Reconnect required); when the provider asks for the user's data to be deleted, the account
 * email, name and provider ids Runframe kept about that user go too, at once, and the audit log says
 * so. Incidents keep their war rooms: meeting IDs and join links are incident history. A removal
 * for a connection already disconnected in Runframe still deletes what the audit log kept of it.
 */
export async function applyDeauthorization(hub: HubDeps, tx: Tx, provider: ProviderAdapter, event: Extract<WebhookEvent, { type: 'deauthorized' }>): Promise<void> {
  const meta = systemMeta('webhook');
  const source = providerSource(provider.displayName);
  const rows = await tx
    .select()
    .from(integrationConnections)
    .where(and(eq(integrationConnections.provider, provider.id), eq(integrationConnections.externalUserId, event.userId)));
  const orgs = new Set<string>();
  for (const row of rows) {
    if (event.accountId && row.externalAccountId && row.externalAccountId !== event.accountId) continue;
    // A late delivery about a grant that predates the current connection must not break it.
    if (event.at && event.at < row.connectedAt) continue;
    if (row.status === 'connected') {
      await markReconnectRequired(tx, hub.clock, meta, row, `Runframe was removed from your ${provider.displayName} account.`, source, 'integration.deauthorized');
    }
    if (!event.deleteUserData) continue;
    await tx
      .update(integrationConnections)
      .set({ accountEmail: '', accountName: '', externalUserId: '', externalAccountId: '', sealedCredentials: null, keyVersion: null, updatedAt: hub.clock.now() })
      .where(eq(integrationConnections.id, row.id));
    orgs.add(row.orgId);
  }
  if (!event.deleteUserData) return;
  // The audit log named the account when it was connected or disconnected: that goes too.
  const fingerprint = externalUserFingerprint(provider.id, event.userId);
  const scrubbed = await tx
    .update(auditLog)
    .set({ metadata: sql`(${auditLog.metadata} - 'account' - 'external_user') || jsonb_build_object('account', ${DELETED_LABEL}::text)` })
    .where(and(eq(auditLog.targetType, 'integration'), sql`${auditLog.metadata} ->> 'external_user' = ${fingerprint}`))
    .returning({ orgId: auditLog.orgId });
  for (const r of scrubbed) if (r.orgId) orgs.add(r.orgId);
  for (const orgId of orgs) {
    await auditIntegration(tx, hub.clock, meta, orgId, source, 'integration.user_data_deleted', {
      provider: provider.id,
      reason: `${provider.displayName} asked Runframe to delete the data it kept about the removed ${provider.displayName} user: the account email and name and the ${provider.displayName} user and account ids are deleted. Incidents and their war rooms are kept.`,
    });
  }
}
