import { z } from 'zod';
import type { Tx } from '../../platform/db/client.ts';
import { conflict } from '../../shared/errors.ts';
import { parseInput } from '../../shared/validate.ts';
import { requirePermission } from '../access/roles.ts';
import type { Ctx } from '../context.ts';
import { addTimelineEntry } from '../timeline/add-timeline-entry.ts';
import { Summary, type IncidentView } from './model.ts';
import { requireIncident } from './require-incident.ts';
import { auditIncident, lockIncident, touchIncident } from './write-helpers.ts';

export const ChangeIncidentSummaryInput = z.object({ summary: Summary });

export async function changeIncidentSummary({ ctx, incidentRef, input, expectedVersion }: { ctx: Ctx; incidentRef: string; input: unknown; expectedVersion?: number }): Promise<IncidentView> {
  requirePermission(ctx.actor, 'incident:edit');
  const { summary } = parseInput(ChangeIncidentSummaryInput, input);
  const id = await ctx.db.transaction(async (tx) => {
    const incident = await lockIncident(tx, ctx, incidentRef, expectedVersion);
    await applySummaryChange(tx, ctx, incident, summary);
    return incident.id;
  });
  return requireIncident(ctx.db, ctx.actor.orgId, id);
}

/** The change on a locked incident; the summary it already has changes nothing. */
export async function applySummaryChange(tx: Tx, ctx: Ctx, incident: IncidentView, summary: string): Promise<void> {
  if (incident.status === 'closed') throw conflict(`${incident.reference} is closed and can no longer be changed.`, 'Declare a new incident instead.');
  if (incident.summary === summary) return;
  await touchIncident(tx, ctx, incident.id, { summary });
  // The summary itself is on the incident; the timeline and the audit row say that it changed.
  await addTimelineEntry(tx, ctx.clock, {
    orgId: ctx.actor.orgId,
    incidentId: incident.id,
    kind: 'summary_changed',
    actorUserId: ctx.actor.userId,
    actorLabel: ctx.actor.name,
    body: summary === '' ? 'Summary removed' : 'Summary updated',
    data: { length: summary.length },
  });
  await auditIncident(tx, ctx, incident, 'incident.summary_changed', { length: summary.length });
}
