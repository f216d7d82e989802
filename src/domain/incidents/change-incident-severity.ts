import { z } from 'zod';
import type { Tx } from '../../platform/db/client.ts';
import { AppError, conflict } from '../../shared/errors.ts';
import { parseInput } from '../../shared/validate.ts';
import { requirePermission } from '../access/roles.ts';
import type { Ctx } from '../context.ts';
import { addTimelineEntry } from '../timeline/add-timeline-entry.ts';
import { SEVERITIES, Severity, type IncidentView } from './model.ts';
import { requireIncident } from './require-incident.ts';
import { auditIncident, lockIncident, touchIncident } from './write-helpers.ts';
import { maybeAutoCreateWarRoom } from '../war-rooms/automation.ts';

export const ChangeIncidentSeverityInput = z.object({ severity: Severity });

export async function changeIncidentSeverity({ ctx, incidentRef, input, expectedVersion }: { ctx: Ctx; incidentRef: string; input: unknown; expectedVersion?: number }): Promise<IncidentView> {
  requirePermission(ctx.actor, 'incident:edit');
  const { severity } = parseInput(ChangeIncidentSeverityInput, input);
  const id = await ctx.db.transaction(async (tx) => {
    const incident = await lockIncident(tx, ctx, incidentRef, expectedVersion);
    await applySeverityChange(tx, ctx, incident, severity, { automation: true });
    return incident.id;
  });
  return requireIncident(ctx.db, ctx.actor.orgId, id);
}

/**
 * The change on a locked incident. `automation: false` when the same request also resolves or closes
 * it: a war room is not created for an incident that is ending.
 */
export async function applySeverityChange(tx: Tx, ctx: Ctx, incident: IncidentView, severity: Severity, opts: { automation: boolean }): Promise<void> {
  if (incident.status === 'closed') throw conflict(`${incident.reference} is closed and can no longer be changed.`, 'Declare a new incident instead.');
  if (incident.severity === severity) {
    throw new AppError('validation', `${incident.reference} is already ${severity}.`, { fields: [{ field: 'severity', reason: `is already ${severity}` }] });
  }
  // SEV0 is the most severe: a smaller index is a raise.
  const raised = SEVERITIES.indexOf(severity) < SEVERITIES.indexOf(incident.severity);
  await touchIncident(tx, ctx, incident.id, { severity });
  await addTimelineEntry(tx, ctx.clock, {
    orgId: ctx.actor.orgId,
    incidentId: incident.id,
    kind: 'severity_changed',
    actorUserId: ctx.actor.userId,
    actorLabel: ctx.actor.name,
    body: `Severity ${raised ? 'raised' : 'lowered'} ${incident.severity} → ${severity}`,
    data: { from: incident.severity, to: severity },
  });
  await auditIncident(tx, ctx, incident, 'incident.severity_changed', { from: incident.severity, to: severity });
  if (raised && opts.automation) await maybeAutoCreateWarRoom(tx, ctx.clock, ctx.actor, incident, severity);
}
