import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { timelineEntries } from '../../platform/db/schema.ts';
import { requirePermission } from '../access/roles.ts';
import type { Ctx } from '../context.ts';
import { requireIncident } from '../incidents/require-incident.ts';

export interface TimelineEntryView {
  id: string;
  kind: string;
  actor: string;
  body: string;
  data: Record<string, unknown>;
  createdAt: string;
}

export async function listTimeline({ ctx, incidentRef }: { ctx: Ctx; incidentRef: string }): Promise<TimelineEntryView[]> {
  requirePermission(ctx.actor, 'incident:view');
  const incident = await requireIncident(ctx.db, ctx.actor.orgId, incidentRef);
  const rows = await ctx.db
    .select()
    .from(timelineEntries)
    .where(and(eq(timelineEntries.orgId, ctx.actor.orgId), eq(timelineEntries.incidentId, incident.id)))
    .orderBy(asc(timelineEntries.seq));
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    actor: r.actorLabel,
    body: r.body,
    data: z.record(z.string(), z.unknown()).catch({}).parse(r.data),
    createdAt: r.createdAt.toISOString(),
  }));
}
