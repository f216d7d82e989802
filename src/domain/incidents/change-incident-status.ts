import { z } from 'zod';
import type { Tx } from '../../platform/db/client.ts';
import { AppError } from '../../shared/errors.ts';
import { parseInput } from '../../shared/validate.ts';
import { requirePermission } from '../access/roles.ts';
import type { Ctx } from '../context.ts';
import { addTimelineEntry } from '../timeline/add-timeline-entry.ts';
import { STATUS_LABEL, Status, TRANSITIONS, type IncidentView } from './model.ts';
import { requireIncident } from './require-incident.ts';
import { auditIncident, lockIncident, touchIncident } from './write-helpers.ts';
import { endWarRoomsOfIncident } from '../war-rooms/end-war-rooms.ts';

export const ChangeIncidentStatusInput = z.object({ status: Status });

export async function changeIncidentStatus({ ctx, incidentRef, input, expectedVersion }: { ctx: Ctx; incidentRef: string; input: unknown; expectedVersion?: number }): Promise<IncidentView> {
  requirePermission(ctx.actor, 'incident:edit');
  const { status } = parseInput(ChangeIncidentStatusInput, input);
  const id = await ctx.db.transaction(async (tx) => {
    const incident = await lockIncident(tx, ctx, incidentRef, expectedVersion);
    await applyStatusChange(tx, ctx, incident, status);
    return incident.id;
  });
  return requireIncident(ctx.db, ctx.actor.orgId, id);
}

/** The change itself, on an incident the caller has locked: its rule, timeline entry, audit row and war-room effect. */
export async function applyStatusChange(tx: Tx, ctx: Ctx, incident: IncidentView, status: Status): Promise<void> {
  if (!TRANSITIONS[incident.status].includes(status)) {
    const allowed = TRANSITIONS[incident.status].map((s) => STATUS_LABEL[s]).join(', ');
    throw new AppError('validation', `${incident.reference} cannot go from ${STATUS_LABEL[incident.status]} to ${STATUS_LABEL[status]}.`, {
      fields: [{ field: 'status', reason: `cannot change from ${incident.status} to ${status}` }],
      hint: allowed ? `From ${STATUS_LABEL[incident.status]} it can go to: ${allowed}.` : 'A closed incident cannot change status.',
    });
  }
  const now = ctx.clock.now();
  await touchIncident(tx, ctx, incident.id, { status, resolvedAt: status === 'resolved' ? now : status === 'closed' ? undefined : null });
  const reopened = incident.status === 'resolved' && status === 'investigating';
  await addTimelineEntry(tx, ctx.clock, {
    orgId: ctx.actor.orgId,
    incidentId: incident.id,
    kind: 'status_changed',
    actorUserId: ctx.actor.userId,
    actorLabel: ctx.actor.name,
    body: reopened ? `Reopened: status ${STATUS_LABEL[incident.status]} → ${STATUS_LABEL[status]}` : `Status ${STATUS_LABEL[incident.status]} → ${STATUS_LABEL[status]}`,
    data: { from: incident.status, to: status },
  });
  await auditIncident(tx, ctx, incident, 'incident.status_changed', { from: incident.status, to: status });
  if (status === 'resolved' || status === 'closed') {
    await endWarRoomsOfIncident(tx, ctx.clock, { orgId: ctx.actor.orgId, incidentId: incident.id, userId: ctx.actor.userId, label: ctx.actor.name }, status);
  }
}
