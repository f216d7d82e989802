import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { incidents } from '../../platform/db/schema.ts';
import { conflict, validationError } from '../../shared/errors.ts';
import { parseInput } from '../../shared/validate.ts';
import { requirePermission } from '../access/roles.ts';
import type { Ctx } from '../context.ts';
import { findMembership, requireUser } from '../orgs/memberships.ts';
import { addTimelineEntry } from '../timeline/add-timeline-entry.ts';
import type { IncidentView } from './model.ts';
import { requireIncident } from './require-incident.ts';
import { auditIncident, lockIncident } from './write-helpers.ts';

export const ChangeIncidentLeadInput = z.object({
  leadUserId: z.union([z.uuid({ error: 'must be the id of a member' }), z.null()], { error: 'must be the id of a member, or null for no lead' }),
});

export async function changeIncidentLead({ ctx, incidentRef, input }: { ctx: Ctx; incidentRef: string; input: unknown }): Promise<IncidentView> {
  requirePermission(ctx.actor, 'incident:edit');
  const { leadUserId } = parseInput(ChangeIncidentLeadInput, input);
  const id = await ctx.db.transaction(async (tx) => {
    const incident = await lockIncident(tx, ctx, incidentRef);
    if (incident.status === 'closed') throw conflict(`${incident.reference} is closed and can no longer be changed.`);
    if (leadUserId !== null && (await findMembership(tx, ctx.actor.orgId, leadUserId)) === null) {
      throw validationError([{ field: 'leadUserId', reason: 'is not a member of this organization' }]);
    }
    if ((incident.lead?.userId ?? null) === leadUserId) return incident.id;
    const newLead = leadUserId === null ? null : await requireUser(tx, leadUserId);
    await tx.update(incidents).set({ leadUserId, updatedAt: ctx.clock.now() }).where(eq(incidents.id, incident.id));
    await addTimelineEntry(tx, ctx.clock, {
      orgId: ctx.actor.orgId,
      incidentId: incident.id,
      kind: 'lead_changed',
      actorUserId: ctx.actor.userId,
      actorLabel: ctx.actor.name,
      body: newLead ? `Incident lead: ${newLead.name}` : 'Incident lead removed',
      data: { from: incident.lead?.userId ?? null, to: leadUserId },
    });
    await auditIncident(tx, ctx, incident, 'incident.lead_changed', { lead: newLead?.email ?? null });
    return incident.id;
  });
  return requireIncident(ctx.db, ctx.actor.orgId, id);
}
