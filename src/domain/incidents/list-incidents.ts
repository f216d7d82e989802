import { and, asc, desc, eq, gt, gte, lt, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { queryRows, toNumber } from '../../platform/db/client.ts';
import { incidents } from '../../platform/db/schema.ts';
import { parseInput } from '../../shared/validate.ts';
import { requirePermission } from '../access/roles.ts';
import type { Ctx } from '../context.ts';
import { Severity, Status, type IncidentView } from './model.ts';
import { incidentQuery, toIncidentView } from './require-incident.ts';

const empty = (v: unknown) => (v === '' ? undefined : v);
/** list_key of the oldest active incident: active ones sort above every resolved or closed one. */
const ACTIVE_FLOOR = 10_000_000_000;
/** Counting stops here: the page says "1,000+" rather than counting a whole organization per request. */
export const COUNT_CAP = 1000;

const Cursor = z.preprocess(empty, z.string().regex(/^\d{1,11}$/, 'must be a cursor from a previous page (nextCursor or prevCursor)').optional());

export const ListIncidentsQuery = z.object({
  status: z.preprocess(empty, z.union([Status, z.literal('active'), z.literal('inactive')], { error: 'must be active, inactive or a status' }).optional()),
  severity: z.preprocess(empty, Severity.optional()),
  after: Cursor.describe('The nextCursor of the page before: the page that follows it'),
  before: Cursor.describe('The prevCursor of the page after: the page that precedes it'),
  page: z.preprocess(empty, z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 or more').max(1000, 'must be at most 1000 (use after= for deeper pages)').optional()),
  perPage: z.preprocess(empty, z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 or more').max(100, 'must be at most 100').default(25)),
});
export type ListIncidentsQuery = z.infer<typeof ListIncidentsQuery>;

export interface IncidentList {
  incidents: IncidentView[];
  filters: { status?: string | undefined; severity?: string | undefined };
  perPage: number;
  /** Page number when asked for by `page` (1 otherwise, counting from the first page only when known). */
  page: number;
  /** Cursor of the next (older) page, null on the last. */
  nextCursor: string | null;
  /** Cursor of the previous (newer) page, null on the first. */
  prevCursor: string | null;
  /** Matching incidents, counted up to COUNT_CAP; `totalCapped` says there are more. */
  total: number;
  totalCapped: boolean;
}

/**
 * Active incidents first, newest first within each group. Keyset pagination on list_key, served by
 * an index for every filter, so page 1 of an organization with 100,000 incidents reads one page of
 * rows; the count stops at COUNT_CAP (plans in docs/decisions/0006-scale.md).
 */
export async function listIncidents({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<IncidentList> {
  requirePermission(ctx.actor, 'incident:view');
  const q = parseInput(ListIncidentsQuery, input);
  const where: SQL[] = [eq(incidents.orgId, ctx.actor.orgId)];
  if (q.status === 'active') where.push(gte(incidents.listKey, ACTIVE_FLOOR));
  else if (q.status === 'inactive') where.push(lt(incidents.listKey, ACTIVE_FLOOR));
  else if (q.status) where.push(eq(incidents.status, q.status));
  if (q.severity) where.push(eq(incidents.severity, q.severity));
  const filtered = and(...where);
  const backwards = q.before !== undefined && q.after === undefined;
  const page: SQL[] = [...where];
  if (q.after !== undefined) page.push(lt(incidents.listKey, Number(q.after)));
  else if (q.before !== undefined) page.push(gt(incidents.listKey, Number(q.before)));
  // One row more than the page tells whether another page follows.
  const rows = await incidentQuery(ctx.db)
    .where(and(...page))
    .orderBy(backwards ? asc(incidents.listKey) : desc(incidents.listKey))
    .limit(q.perPage + 1)
    .offset(q.after === undefined && q.before === undefined && q.page !== undefined ? (q.page - 1) * q.perPage : 0);
  const more = rows.length > q.perPage;
  const shown = rows.slice(0, q.perPage);
  if (backwards) shown.reverse();
  const first = shown[0]?.i.listKey;
  const last = shown[shown.length - 1]?.i.listKey;
  const atStart = backwards ? !more : q.after === undefined && (q.page ?? 1) === 1;
  const atEnd = backwards ? false : !more;
  const counted = await queryRows(ctx.db, sql`select count(*) as n from (select 1 from ${incidents} where ${filtered} limit ${COUNT_CAP + 1}) capped`);
  const n = toNumber(counted[0]?.['n']);
  return {
    incidents: shown.map(toIncidentView),
    filters: { status: q.status, severity: q.severity },
    perPage: q.perPage,
    page: q.page ?? 1,
    nextCursor: !atEnd && last !== undefined ? String(last) : null,
    prevCursor: !atStart && first !== undefined ? String(first) : null,
    total: Math.min(n, COUNT_CAP),
    totalCapped: n > COUNT_CAP,
  };
}
