import { and, eq } from 'drizzle-orm';
import type { Tx } from '../../platform/db/client.ts';
import { incidents } from '../../platform/db/schema.ts';
import { notFound } from '../../shared/errors.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Ctx } from '../context.ts';
import { actorLabel } from '../orgs/fields.ts';
import { findIncident } from './require-incident.ts';
import type { IncidentView } from './model.ts';

/** Reads the incident and holds its row lock until the transaction ends: concurrent edits queue up. */
export async function lockIncident(tx: Tx, ctx: Ctx, ref: string): Promise<IncidentView> {
  const found = await findIncident(tx, ctx.actor.orgId, ref);
  if (!found) throw notFound(`Incident ${ref}`);
  await tx.select({ id: incidents.id }).from(incidents).where(and(eq(incidents.id, found.id), eq(incidents.orgId, ctx.actor.orgId))).for('update');
  // Re-read after the lock so the check sees the committed state of whoever held it before.
  return (await findIncident(tx, ctx.actor.orgId, found.id)) ?? found;
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
