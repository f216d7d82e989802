import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { sha256Hex } from '../../platform/crypto.ts';
import { idempotencyKeys, incidents, organizations } from '../../platform/db/schema.ts';
import { conflict, validationError } from '../../shared/errors.ts';
import { newId } from '../../shared/ids.ts';
import { parseInput } from '../../shared/validate.ts';
import { requirePermission } from '../access/roles.ts';
import type { Ctx } from '../context.ts';
import { requireLeadCandidate } from './list-lead-candidates.ts';
import { addTimelineEntry } from '../timeline/add-timeline-entry.ts';
import { Severity, Summary, Title, reference, type IncidentView } from './model.ts';
import { IdempotencyKey } from '../idempotency.ts';
import { maybeAutoCreateWarRoom } from '../war-rooms/automation.ts';
import { requireIncident } from './require-incident.ts';
import { auditIncident } from './write-helpers.ts';

export const DeclareIncidentInput = z.object({
  title: Title,
  severity: Severity.default('SEV2'),
  summary: Summary.default(''),
  leadUserId: z.uuid({ error: 'must be the id of a member' }).nullish(),
});


/**
 * Declares an incident with the next INC number of the organization. With an Idempotency-Key, a
 * retry of the same request returns the incident the first attempt made instead of a second one.
 */
export async function declareIncident({ ctx, input, idempotencyKey }: { ctx: Ctx; input: unknown; idempotencyKey?: string | undefined }): Promise<{ incident: IncidentView; created: boolean }> {
  requirePermission(ctx.actor, 'incident:edit');
  const data = parseInput(DeclareIncidentInput, input);
  const key = idempotencyKey === undefined ? undefined : parseKey(idempotencyKey);
  const requestHash = sha256Hex(JSON.stringify(data));
  const id = newId();
  const outcome = await ctx.db.transaction(async (tx) => {
    if (key !== undefined) {
      // The primary key settles two retries racing with one key: the second waits, then finds the first.
      const inserted = await tx
        .insert(idempotencyKeys)
        .values({ orgId: ctx.actor.orgId, userId: ctx.actor.userId, scope: 'incident.declare', key, requestHash, resourceId: id, createdAt: ctx.clock.now() })
        .onConflictDoNothing()
        .returning({ resourceId: idempotencyKeys.resourceId });
      if (inserted.length === 0) {
        const [prior] = await tx
          .select()
          .from(idempotencyKeys)
          .where(and(eq(idempotencyKeys.orgId, ctx.actor.orgId), eq(idempotencyKeys.userId, ctx.actor.userId), eq(idempotencyKeys.scope, 'incident.declare'), eq(idempotencyKeys.key, key)));
        if (prior && prior.requestHash !== requestHash) {
          throw conflict(`The Idempotency-Key "${key}" was already used for a different incident.`, 'Use a new key for a new request.');
        }
        if (prior) return { existingId: prior.resourceId };
      }
    }
    if (data.leadUserId) await requireLeadCandidate(tx, ctx.actor.orgId, data.leadUserId);
    // The row lock of this update hands out INC numbers one at a time per organization.
    const [org] = await tx
      .update(organizations)
      .set({ incidentSeq: sql`${organizations.incidentSeq} + 1` })
      .where(eq(organizations.id, ctx.actor.orgId))
      .returning({ seq: organizations.incidentSeq });
    const number = org?.seq ?? 1;
    const now = ctx.clock.now();
    await tx.insert(incidents).values({
      id,
      orgId: ctx.actor.orgId,
      number,
      title: data.title,
      summary: data.summary,
      severity: data.severity,
      status: 'investigating',
      leadUserId: data.leadUserId ?? null,
      declaredBy: ctx.actor.userId,
      createdAt: now,
      updatedAt: now,
    });
    await addTimelineEntry(tx, ctx.clock, {
      orgId: ctx.actor.orgId,
      incidentId: id,
      kind: 'declared',
      actorUserId: ctx.actor.userId,
      actorLabel: ctx.actor.name,
      body: `Declared ${reference(number)} as ${data.severity}: ${data.title}`,
      data: { severity: data.severity },
    });
    await auditIncident(tx, ctx, { id, reference: reference(number) }, 'incident.declared', { severity: data.severity });
    await maybeAutoCreateWarRoom(tx, ctx.clock, ctx.actor, { id }, data.severity);
    return { existingId: null };
  });
  const incident = await requireIncident(ctx.db, ctx.actor.orgId, outcome.existingId ?? id);
  return { incident, created: outcome.existingId === null };
}

function parseKey(raw: string): string {
  const r = IdempotencyKey.safeParse(raw);
  if (!r.success) throw validationError([{ field: 'Idempotency-Key', reason: r.error.issues[0]?.message ?? 'is not valid' }]);
  return r.data;
}
