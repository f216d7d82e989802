import { requirePermission } from '../access/roles.ts';
import type { Ctx } from '../context.ts';
import type { IncidentView } from './model.ts';
import { requireIncident } from './require-incident.ts';

export async function getIncident({ ctx, incidentRef }: { ctx: Ctx; incidentRef: string }): Promise<IncidentView> {
  requirePermission(ctx.actor, 'incident:view');
  return requireIncident(ctx.db, ctx.actor.orgId, incidentRef);
}
