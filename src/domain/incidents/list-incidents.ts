import { and, count, desc, eq, inArray, notInArray, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { toNumber } from '../../platform/db/client.ts';
import { incidents } from '../../platform/db/schema.ts';
import { parseInput } from '../../shared/validate.ts';
import { requirePermission } from '../access/roles.ts';
import type { Ctx } from '../context.ts';
import { Severity, Status, type IncidentView } from './model.ts';
import { incidentQuery, toIncidentView } from './require-incident.ts';

const empty = (v: unknown) => (v === '' ? undefined : v);

export const ListIncidentsQuery = z.object({
  status: z.preprocess(empty, z.union([Status, z.literal('active'), z.literal('inactive')], { error: 'must be active, inactive or a status' }).optional()),
  severity: z.preprocess(empty, Severity.optional()),
  page: z.preprocess(empty, z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 or more').default(1)),
  perPage: z.preprocess(empty, z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 or more').max(100, 'must be at most 100').default(25)),
});
export type ListIncidentsQuery = z.infer<typeof ListIncidentsQuery>;

/** Active incidents first, newest first within each group. */
export async function listIncidents({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx.actor, 'incident:view');
  const q = parseInput(ListIncidentsQuery, input);
  const where: SQL[] = [eq(incidents.orgId, ctx.actor.orgId)];
  if (q.status === 'active') where.push(notInArray(incidents.status, ['resolved', 'closed']));
  else if (q.status === 'inactive') where.push(inArray(incidents.status, ['resolved', 'closed']));
  else if (q.status) where.push(eq(incidents.status, q.status));
  if (q.severity) where.push(eq(incidents.severity, q.severity));
  const rows = await incidentQuery(ctx.db)
    .where(and(...where))
    .orderBy(sql`case when ${incidents.status} in ('resolved','closed') then 1 else 0 end`, desc(incidents.number))
    .limit(q.perPage)
    .offset((q.page - 1) * q.perPage);
  const [total] = await ctx.db.select({ n: count() }).from(incidents).where(and(...where));
  const items: IncidentView[] = rows.map(toIncidentView);
  return { incidents: items, page: q.page, perPage: q.perPage, total: toNumber(total?.n), filters: q };
}
