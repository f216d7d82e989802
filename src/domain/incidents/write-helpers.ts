import { and, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db/client.ts';
import { incidents } from '../../platform/db/schema.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Ctx } from '../context.ts';
import { actorLabel } from '../orgs/fields.ts';
import { findIncident } from './require-incident.ts';
import type { IncidentView } from './model.ts';

/**
 * Reads the incident and holds its row lock until the transaction ends: concurrent edits queue up.
 * With `expectedVersion` (the API's If-Match), a change made since the caller read it is refused.
 */
export async function lockIncident(tx: Tx, ctx: Ctx, ref: string, expectedVersion?: number): Promise<IncidentView> {
  const found = await findIncident(tx, ctx.actor.orgId, ref);
  if (!found) throw notFound(`Incident ${ref}`);
  await tx.select({ id: incidents.id }).from(incidents).where(and(eq(incidents.id, found.id), eq(incidents.orgId, ctx.actor.orgId))).for('update');
  // Re-read after the lock so the check sees the committed state of whoever held it before.
  const current = (await findIncident(tx, ctx.actor.orgId, found.id)) ?? found;
  if (expectedVersion !== undefined && current.version !== expectedVersion) {
    throw new AppError('precondition_failed', `${current.reference} was changed by someone else since you read it (it is now at version ${current.version}), so nothing was changed.`, {
      hint: 'Read the incident again (its ETag is the new version), check what changed, and send your change with the new If-Match.',
    });
  }
  return current;
}

/** Writes to the incident row; every write moves its version on by one. */
export async function touchIncident(tx: Tx, ctx: Ctx, incidentId: string, set: Partial<Pick<typeof incidents.$inferInsert, 'title' | 'summary' | 'severity' | 'status' | 'leadUserId' | 'resolvedAt'>> = {}): Promise<void> {
  await tx
    .update(incidents)
    .set({ ...set, updatedAt: ctx.clock.now(), version: sql`${incidents.version} + 1` })
    .where(and(eq(incidents.id, incidentId), eq(incidents.orgId, ctx.actor.orgId)));
}

export async function auditIncident(
  tx: Tx,
  ctx: Ctx,
  incident: Pick<IncidentView, 'id' | 'reference'>,
  action: `incident.${string}`,
  metadata: Record<string, string | number | boolean | null> = {},
): Promise<void> {
  await recordAudit(tx, ctx.clock, ctx.meta, {
    orgId: ctx.actor.orgId,
    actorUserId: ctx.actor.userId,
    actorLabel: actorLabel(ctx.actor),
    action,
    targetType: 'incident',
    targetId: incident.id,
    metadata: { incident: incident.reference, via: ctx.actor.via, ...metadata },
  });
}
