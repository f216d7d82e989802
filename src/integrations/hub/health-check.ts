import { and, eq, gt, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../../platform/db/client.ts';
import { integrationConnections, jobs } from '../../platform/db/schema.ts';
import { systemMeta, type Actor, type RequestMeta } from '../../domain/context.ts';
import { requirePermission } from '../../domain/access/roles.ts';
import { actorLabel } from '../../domain/orgs/fields.ts';
import { enqueueJob } from '../../platform/jobs/queue.ts';
import type { Clock } from '../../shared/clock.ts';
import { AppError } from '../../shared/errors.ts';
import { StringListOrEmpty } from '../../shared/validate.ts';
import { requireProvider, type HubDeps } from './context.ts';
import { auditIntegration, findConnectionRow, findConnectionView, markReconnectRequired, providerSource, type AuditSource, type ConnectionRow, type ConnectionView } from './connections.ts';
import { canOpenCredentials } from './credentials.ts';
import { cannotHostFor, endScopeMissingMessage, ProviderError, type ProviderAdapter } from './provider.ts';
import { readWarRoomSettings } from '../../domain/war-rooms/settings.ts';
import { revokeBeforeDropping } from './revoke-before-dropping.ts';
import { withAccessToken } from './token-getter.ts';

export const HEALTH_CHECK_JOB = 'integration.health_check';

/** One key per connection, so at most one periodic check of it is ever pending. */
export const healthCheckJobKey = (orgId: string, provider: string): string => `health:${orgId}:${provider}`;

/**
 * Makes sure the connection's next periodic check is pending, due at `runAt` unless one already is
 * (a reconnect continues the chain instead of starting a second one). The run in progress is still
 * pending in the jobs table until its handler returns, so it hands its key over first: that row is
 * the only one with the key and a live lease (`locked_until`).
 */
export async function scheduleHealthCheck(db: DbOrTx, clock: Clock, orgId: string, provider: string, runAt: Date): Promise<void> {
  const key = healthCheckJobKey(orgId, provider);
  await db
    .update(jobs)
    .set({ dedupeKey: null })
    .where(and(eq(jobs.dedupeKey, key), isNull(jobs.doneAt), gt(jobs.lockedUntil, clock.now())));
  await enqueueJob(db, clock, { kind: HEALTH_CHECK_JOB, payload: { orgId, provider }, runAt, dedupeKey: key });
}

/**
 * Refreshes if needed, asks the provider who we are, and checks scopes and hosting rights, so a
 * broken connection shows up on the card before an incident needs it. A provider outage is
 * reported but does not flip the connection: it is not the connection's fault. Neither does a user
 * who cannot host: that is fixed in the provider's account, and the same connection works again.
 */
export async function checkConnection(hub: HubDeps, meta: RequestMeta, orgId: string, providerId: string, source: AuditSource): Promise<ConnectionView | null> {
  const provider = requireProvider(hub, providerId);
  let row = await findConnectionRow(hub.db, orgId, providerId);
  if (row && row.status !== 'connected' && row.sealedCredentials !== null && row.keyVersion !== null && canOpenCredentials(hub.keyRing, row.keyVersion)) {
    row = await restoreReadable(hub, meta, provider, row, source);
  }
  if (!row || row.status !== 'connected') return findConnectionView(hub.db, orgId, providerId);
  let problem: string | null = null;
  let flip = false;
  let canHost: boolean | null | undefined;
  try {
    const identity = await withAccessToken(hub, orgId, providerId, (t) => provider.identify(t));
    const latest = await findConnectionRow(hub.db, orgId, providerId);
    // A 3161 at create time is the only sure sign a user cannot host (decision 0004): a check that
    // cannot tell (null) keeps it until a create succeeds; what a check saw itself, a check clears.
    canHost = identity.canHost ?? (latest?.hostRefusedAt ? false : null);
    const scopes = StringListOrEmpty.parse(latest?.scopes);
    const missing = provider.missingScopes(scopes);
    const endScope = provider.missingEndMeetingScope(scopes);
    if (missing.length > 0) {
      problem = `${provider.displayName} did not grant the meeting scope: connect again and approve it.`;
      flip = true;
    } else if (canHost === false) problem = cannotHostFor(provider);
    else if (endScope !== null && (await readWarRoomSettings(hub.db, orgId)).endMeetingOnResolve) problem = endScopeMissingMessage(provider.displayName, endScope);
  } catch (err) {
    if (err instanceof AppError && err.code === 'needs_reconnect') {
      problem = err.message; // the token getter already flipped it, with its reason
    } else if (err instanceof ProviderError || (err instanceof AppError && err.code === 'provider_unavailable')) {
      problem = `${provider.displayName} did not answer the check; war rooms may fail until it does.`;
    } else throw err;
  }
  // A refresh during the check changed the credentials: flip (and revoke) the ones stored now. A
  // grant that still works but lacks a scope is revoked at the provider before it is forgotten.
  const target = flip ? ((await revokeBeforeDropping(hub, meta, provider, orgId, source)) ?? row) : row;
  const now = hub.clock.now();
  await hub.db.transaction(async (tx) => {
    await tx
      .update(integrationConnections)
      .set({ healthCheckedAt: now, healthOk: problem === null, healthMessage: problem ?? 'Ready for war rooms', ...(canHost === undefined ? {} : { canHost }) })
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

/**
 * The encryption key of credentials that could not be opened is configured again: the connection
 * is usable again (the check that follows finds out whether the grant itself still works).
 */
async function restoreReadable(hub: HubDeps, meta: RequestMeta, provider: ProviderAdapter, row: ConnectionRow, source: AuditSource): Promise<ConnectionRow | null> {
  const now = hub.clock.now();
  await hub.db.transaction(async (tx) => {
    const changed = await tx
      .update(integrationConnections)
      .set({ status: 'connected', reconnectReason: null, updatedAt: now })
      .where(and(eq(integrationConnections.id, row.id), eq(integrationConnections.status, 'reconnect_required'), eq(integrationConnections.sealedCredentials, row.sealedCredentials ?? '')))
      .returning({ id: integrationConnections.id });
    if (changed.length === 0) return;
    await auditIntegration(tx, hub.clock, meta, row.orgId, source, 'integration.restored', {
      provider: provider.id,
      reason: `Encryption key version ${row.keyVersion} is configured again.`,
      credential_fingerprint: row.credentialFingerprint,
    });
    await scheduleHealthCheck(tx, hub.clock, row.orgId, provider.id, new Date(now.getTime() + hub.healthCheckIntervalMs));
  });
  return findConnectionRow(hub.db, row.orgId, provider.id);
}

/** "Test connection" on the card. */
export async function testConnection(hub: HubDeps, actor: Actor, meta: RequestMeta, providerId: string) {
  requirePermission(actor, 'integration:manage');
  return checkConnection(hub, meta, actor.orgId, providerId, { userId: actor.userId, label: actorLabel(actor) });
}

const Payload = z.object({ orgId: z.string(), provider: z.string() });

/**
 * The periodic check: runs, then schedules the next one while the connection is connected. A check
 * that fails inside Runframe is logged and does not end the chain: the next period tries again.
 */
export function healthCheckJob(hub: HubDeps) {
  return async (payload: unknown) => {
    const { orgId, provider } = Payload.parse(payload);
    if (!hub.providers.get(provider)) return;
    try {
      await checkConnection(hub, systemMeta('health-check'), orgId, provider, providerSource('Runframe health check'));
    } catch (err) {
      hub.log.error({ err, provider, orgId }, 'the periodic connection check failed; the next one is scheduled anyway');
    }
    const row = await findConnectionRow(hub.db, orgId, provider);
    if (row?.status === 'connected') await scheduleHealthCheck(hub.db, hub.clock, orgId, provider, new Date(hub.clock.now().getTime() + hub.healthCheckIntervalMs));
  };
}
