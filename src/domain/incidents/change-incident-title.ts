import { z } from 'zod';
import type { Tx } from '../../platform/db/client.ts';
import { conflict } from '../../shared/errors.ts';
import { parseInput } from '../../shared/validate.ts';
import { requirePermission } from '../access/roles.ts';
import type { Ctx } from '../context.ts';
import { addTimelineEntry } from '../timeline/add-timeline-entry.ts';
import { Title, type IncidentView } from './model.ts';
import { requireIncident } from './require-incident.ts';
import { auditIncident, lockIncident, touchIncident } from './write-helpers.ts';

export const ChangeIncidentTitleInput = z.object({ title: Title });

export async function changeIncidentTitle({ ctx, incidentRef, input, expectedVersion }: { ctx: Ctx; incidentRef: string; input: unknown; expectedVersion?: number }): Promise<IncidentView> {
  requirePermission(ctx.actor, 'incident:edit');
  const { title } = parseInput(ChangeIncidentTitleInput, input);
  const id = await ctx.db.transaction(async (tx) => {
    const incident = await lockIncident(tx, ctx, incidentRef, expectedVersion);
    await applyTitleChange(tx, ctx, incident, title);
    return incident.id;
  });
  return requireIncident(ctx.db, ctx.actor.orgId, id);
}

/** The change on a locked incident; the title it already has changes nothing. */
export async function applyTitleChange(tx: Tx, ctx: Ctx, incident: IncidentView, title: string): Promise<void> {
  if (incident.status === 'closed') throw conflict(`${incident.reference} is closed and can no longer be changed.`, 'Declare a new incident instead.');
  if (incident.title === title) return;
  await touchIncident(tx, ctx, incident.id, { title });
  await addTimelineEntry(tx, ctx.clock, {
    orgId: ctx.actor.orgId,
    incidentId: incident.id,
    kind: 'title_changed',
    actorUserId: ctx.actor.userId,
    actorLabel: ctx.actor.name,
    body: `Title changed from “${incident.title}” to “${title}”`,
    data: { from: incident.title, to: title },
  });
  await auditIncident(tx, ctx, incident, 'incident.title_changed', { from: incident.title, to: title });
}
