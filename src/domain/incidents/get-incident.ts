import { requirePermission } from '../access/roles.ts';
import type { Ctx } from '../context.ts';
import { notFound } from '../../shared/errors.ts';
import type { IncidentView } from './model.ts';
import { requireIncident } from './require-incident.ts';

/** `read`: the incident as already read for this request (with its API token), null if there was none such. */
export async function getIncident({ ctx, incidentRef, read }: { ctx: Ctx; incidentRef: string; read?: IncidentView | null }): Promise<IncidentView> {
  requirePermission(ctx.actor, 'incident:view');
  if (read === undefined) return requireIncident(ctx.db, ctx.actor.orgId, incidentRef);
  if (read === null) throw notFound(`Incident ${incidentRef}`);
  return read;
}
