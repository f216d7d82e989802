import { z } from 'zod';
import { parseInput } from '../../shared/validate.ts';
import { requirePermission } from '../access/roles.ts';
import type { Ctx } from '../context.ts';
import { addTimelineEntry } from '../timeline/add-timeline-entry.ts';
import { auditIncident, lockIncident, touchIncident } from './write-helpers.ts';

export const AddIncidentNoteInput = z.object({
  body: z.string({ error: 'is required' }).trim().min(1, 'is required').max(5000, 'must be at most 5,000 characters'),
});

export async function addIncidentNote({ ctx, incidentRef, input }: { ctx: Ctx; incidentRef: string; input: unknown }): Promise<void> {
  requirePermission(ctx.actor, 'incident:edit');
  const { body } = parseInput(AddIncidentNoteInput, input);
  await ctx.db.transaction(async (tx) => {
    const incident = await lockIncident(tx, ctx, incidentRef);
    await touchIncident(tx, ctx, incident.id);
    await addTimelineEntry(tx, ctx.clock, {
      orgId: ctx.actor.orgId,
      incidentId: incident.id,
      kind: 'note',
      actorUserId: ctx.actor.userId,
      actorLabel: ctx.actor.name,
      body,
    });
    // The note's text stays on the timeline; the audit row records only that one was added.
    await auditIncident(tx, ctx, incident, 'incident.note_added', { length: body.length });
  });
}
