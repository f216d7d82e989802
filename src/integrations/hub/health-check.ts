import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { integrationConnections } from '../../platform/db/schema.ts';
import { systemMeta, type Actor, type RequestMeta } from '../../domain/context.ts';
import { requirePermission } from '../../domain/access/roles.ts';
import { actorLabel } from '../../domain/orgs/fields.ts';
import { enqueueJob } from '../../jobs/runner.ts';
import { AppError } from '../../shared/errors.ts';
import { requireProvider, type HubDeps } from './context.ts';
import { auditIntegration, findConnectionRow, findConnectionView, markReconnectRequired, providerSource, type AuditSource, type ConnectionView } from './connections.ts';
import { ProviderError } from './provider.ts';
import { revokeBeforeDropping } from './revoke-before-dropping.ts';
import { withAccessToken } from './token-getter.ts';

export const HEALTH_CHECK_JOB = 'integration.health_check';

/**
 * Refreshes if needed, asks the provider who we are, and checks scopes and hosting rights, so a
 * broken connection shows up on the card before an incident needs it. A provider outage is
 * reported but does not flip the connection: it is not the connection's fault.
 */
export async function checkConnection(hub: HubDeps, meta: RequestMeta, orgId: string, providerId: string, source: AuditSource): Promise<ConnectionView | null> {
  const provider = requireProvider(hub, providerId);
  const row = await findConnectionRow(hub.db, orgId, providerId);
  if (!row || row.status !== 'connected') return findConnectionView(hub.db, orgId, providerId);
  let problem: string | null = null;
  let flip = true;
  try {
    const identity = await withAccessToken(hub, orgId, providerId, (t) => provider.identify(t));
    const latest = await findConnectionRow(hub.db, orgId, providerId);
    const missing = provider.missingCapabilities(z.array(z.string()).catch([]).parse(latest?.scopes));
    if (missing.length > 0) problem = `${provider.displayName} did not grant the meeting scope: connect again and approve it.`;
    else if (identity.canHost === false) problem = `The connected ${provider.displayName} user can't host meetings. Check that user's ${provider.displayName} permissions, then try again.`;
  } catch (err) {
    if (err instanceof AppError && err.code === 'needs_reconnect') {
      problem = err.message;
      flip = false; // the token getter already flipped it, with its reason
    } else if (err instanceof ProviderError || (err instanceof AppError && err.code === 'provider_unavailable')) {
      problem = `${provider.displayName} did not answer the check; war rooms may fail until it does.`;
      flip = false;
    } else throw err;
  }
  // A refresh during the check changed the credentials: flip (and revoke) the ones stored now. A
  // grant that still works but cannot be used is revoked at the provider before it is forgotten.
  const target = problem !== null && flip ? ((await revokeBeforeDropping(hub, meta, provider, orgId, source)) ?? row) : row;
  const now = hub.clock.now();
  await hub.db.transaction(async (tx) => {
    await tx
      .update(integrationConnections)
      .set({ healthCheckedAt: now, healthOk: problem === null, healthMessage: problem ?? 'Ready for war rooms' })
      .where(eq(integrationConnections.id, row.id));
    if (problem !== null) {
      await auditIntegration(tx, hub.clock, meta, orgId, source, 'integration.health_checked', {
        provider: provider.id,
        ok: false,
        problem,
        credential_fingerprint: row.credentialFingerprint,
      });
      if (flip) await markReconnectRequired(tx, hub.clock, meta, target, problem, source);
    }
  });
  return findConnectionView(hub.db, orgId, providerId);
}

/** "Test connection" on the card. */
export async function testConnection(hub: HubDeps, actor: Actor, meta: RequestMeta, providerId: string) {
  requirePermission(actor, 'integration:manage');
  return checkConnection(hub, meta, actor.orgId, providerId, { userId: actor.userId, label: actorLabel(actor) });
}

const Payload = z.object({ orgId: z.string(), provider: z.string() });

/** The periodic check: runs, then schedules the next one while the connection exists. */
export function healthCheckJob(hub: HubDeps) {
  return async (payload: unknown) => {
    const { orgId, provider } = Payload.parse(payload);
    const p = hub.providers.get(provider);
    if (!p) return;
    const view = await checkConnection(hub, systemMeta('health-check'), orgId, provider, providerSource('Runframe health check'));
    if (view?.status === 'connected') {
      await enqueueJob(hub.db, hub.clock, {
        kind: HEALTH_CHECK_JOB,
        payload: { orgId, provider },
        runAt: new Date(hub.clock.now().getTime() + hub.healthCheckIntervalMs),
        dedupeKey: `health:${orgId}:${provider}:${hub.clock.now().getTime()}`,
      });
    }
  };
}
