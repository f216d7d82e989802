import { z } from 'zod';
import { validationError } from '../../shared/errors.ts';
import { parseInput } from '../../shared/validate.ts';
import { requirePermission } from '../access/roles.ts';
import type { Ctx } from '../context.ts';
import { applyLeadChange } from './change-incident-lead.ts';
import { applySeverityChange } from './change-incident-severity.ts';
import { applyStatusChange } from './change-incident-status.ts';
import { applySummaryChange } from './change-incident-summary.ts';
import { applyTitleChange } from './change-incident-title.ts';
import { Severity, Status, Summary, Title, isActive, type IncidentView } from './model.ts';
import { requireIncident } from './require-incident.ts';
import { lockIncident } from './write-helpers.ts';

export const UpdateIncidentInput = z
  .strictObject(
    {
      title: Title.optional(),
      summary: Summary.optional(),
      severity: Severity.optional(),
      leadUserId: z.union([z.uuid({ error: 'must be the id of a member' }), z.null()], { error: 'must be the id of a member, or null for no lead' }).optional(),
      status: Status.optional(),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys' ? `has ${issue.keys.join(', ')}, which cannot be changed: the fields are title, summary, severity, leadUserId and status` : 'must be a JSON object',
    },
  )
  .describe('The fields to change; a field left out, or equal to its current value, is left alone.');

/**
 * Changes several fields of an incident at once, all or nothing, by the same steps (rules, timeline,
 * audit, automation, war rooms) as one change at a time. The status goes last, so one request can
 * correct the severity and then resolve.
 */
export async function updateIncident({ ctx, incidentRef, input, expectedVersion }: { ctx: Ctx; incidentRef: string; input: unknown; expectedVersion?: number }): Promise<{ incident: IncidentView; changed: boolean }> {
  requirePermission(ctx.actor, 'incident:edit');
  const data = parseInput(UpdateIncidentInput, input);
  if (Object.values(data).every((v) => v === undefined)) {
    throw validationError([{ field: 'body', reason: 'must name at least one of title, summary, severity, leadUserId, status' }]);
  }
  const outcome = await ctx.db.transaction(async (tx) => {
    const before = await lockIncident(tx, ctx, incidentRef, expectedVersion);
    const current = async () => requireIncident(tx, ctx.actor.orgId, before.id);
    if (data.title !== undefined && data.title !== before.title) await applyTitleChange(tx, ctx, await current(), data.title);
    if (data.summary !== undefined && data.summary !== before.summary) await applySummaryChange(tx, ctx, await current(), data.summary);
    if (data.severity !== undefined && data.severity !== before.severity) {
      await applySeverityChange(tx, ctx, await current(), data.severity, { automation: isActive(data.status ?? before.status) });
    }
    if (data.leadUserId !== undefined && data.leadUserId !== (before.lead?.userId ?? null)) await applyLeadChange(tx, ctx, await current(), data.leadUserId);
    if (data.status !== undefined && data.status !== before.status) await applyStatusChange(tx, ctx, await current(), data.status);
    return { id: before.id, before: before.version };
  });
  const incident = await requireIncident(ctx.db, ctx.actor.orgId, outcome.id);
  return { incident, changed: incident.version !== outcome.before };
}
