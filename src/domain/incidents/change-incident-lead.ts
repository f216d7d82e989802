import { z } from 'zod';
import type { Tx } from '../../platform/db/client.ts';
import { conflict } from '../../shared/errors.ts';
import { parseInput } from '../../shared/validate.ts';
import { requirePermission } from '../access/roles.ts';
import type { Ctx } from '../context.ts';
import { requireUser } from '../orgs/memberships.ts';
import { addTimelineEntry } from '../timeline/add-timeline-entry.ts';
import type { IncidentView } from './model.ts';
import { requireLeadCandidate } from './list-lead-candidates.ts';
import { requireIncident } from './require-incident.ts';
import { auditIncident, lockIncident, touchIncident } from './write-helpers.ts';

export const ChangeIncidentLeadInput = z.object({
  leadUserId: z.union([z.uuid({ error: 'must be the id of a member' }), z.null()], { error: 'must be the id of a member, or null for no lead' }),
});

export async function changeIncidentLead({ ctx, incidentRef, input, expectedVersion }: { ctx: Ctx; incidentRef: string; input: unknown; expectedVersion?: number }): Promise<IncidentView> {
  requirePermission(ctx.actor, 'incident:edit');
  const { leadUserId } = parseInput(ChangeIncidentLeadInput, input);
  const id = await ctx.db.transaction(async (tx) => {
    const incident = await lockIncident(tx, ctx, incidentRef, expectedVersion);
    await applyLeadChange(tx, ctx, incident, leadUserId);
    return incident.id;
  });
  return requireIncident(ctx.db, ctx.actor.orgId, id);
}

/** The change on a locked incident; setting the lead it already has changes nothing. */
export async function applyLeadChange(tx: Tx, ctx: Ctx, incident: IncidentView, leadUserId: string | null): Promise<void> {
  if (incident.status === 'closed') throw conflict(`${incident.reference} is closed and can no longer be changed.`);
  // Keeping the lead it has changes nothing, even one who could no longer be chosen (since made a Viewer).
  if ((incident.lead?.userId ?? null) === leadUserId) return;
  if (leadUserId !== null) await requireLeadCandidate(tx, ctx.actor.orgId, leadUserId);
  const newLead = leadUserId === null ? null : await requireUser(tx, leadUserId);
  await touchIncident(tx, ctx, incident.id, { leadUserId });
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
}
