import { and, eq, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { z } from 'zod';
import { preparedQuery } from '../../platform/db/prepared.ts';
import type { DbOrTx } from '../../platform/db/client.ts';
import { incidents } from '../../platform/db/schema.ts';
import { isUuid } from '../../shared/ids.ts';
import { incidentNumberOf } from './require-incident.ts';
import { requirePermission } from '../access/roles.ts';
import type { Ctx } from '../context.ts';

/**
 * What an incident page shows, stamped in one statement: a string that changes whenever anything the
 * page renders changes, however it was written (a click, the API, a webhook, a job, another process).
 * It reads row versions, not the rows: PostgreSQL gives every row version the id of the transaction
 * that wrote it (`xmin`), so an update of a row changes its `xmin`, and a set of rows read with theirs
 * changes when a row is added, changed or removed. Covered (docs/decisions/0006, "The incident page
 * from a stamp"):
 * - the incident row (fields, lead, version: notes bump it);
 * - its timeline: the rows of the latest window the page shows, and one more (whether earlier
 *   entries exist), each by `seq` and `xmin`. Not just the newest `seq`: sequence numbers are handed
 *   out before commit, so an entry that took a lower one and commits later would not change it;
 * - its war rooms (each row's `xmin`), and when the first active one expires (a time, not a write);
 * - the organization's provider connections and war-room settings (the war-room section's choices);
 * - the organization's members and their user rows (the lead list, the names on the page; a former
 *   member named as lead or declarer is not among them, and names are never changed once written).
 * Whoever adds something to the incident page adds its rows here; `tests/api/incident-page-cache.test.ts`
 * changes each of them and expects the page to show it.
 */
export interface IncidentPageStamp {
  incidentId: string;
  stamp: string;
  /** When a war room shown as active expires (the page then shows it expired), or null. */
  changesAt: Date | null;
}

/** How many timeline entries the incident page shows at a time (the newest first). */
export const TIMELINE_WINDOW = 50;

const Row = z.object({
  id: z.string().nullable(),
  incidentRow: z.string().nullable(),
  timeline: z.string().nullable(),
  warRooms: z.string().nullable(),
  activeUntilMs: z.string().regex(/^\d+$/).nullable(),
  connections: z.string().nullable(),
  settings: z.string().nullable(),
  members: z.string().nullable(),
});

/**
 * The stamp's columns for the incident row in scope as `incidents`, aliased so a subquery can carry them.
 * Written out, not as drizzle columns: inside a subquery drizzle leaves a column unqualified, and
 * `id` would then be the inner table's own.
 */
const stampColumns = {
  id: incidents.id,
  incidentRow: sql<string>`incidents.xmin::text`.as('stamp_incident_row'),
  timeline: sql<string | null>`(select string_agg(t.seq::text || ':' || t.xmin::text, ',' order by t.seq) from (select seq, xmin from timeline_entries t where t.incident_id = incidents.id order by seq desc limit ${sql.raw(String(TIMELINE_WINDOW + 1))}) t)`.as(
    'stamp_timeline',
  ),
  warRooms: sql<string | null>`(select string_agg(w.id::text || ':' || w.xmin::text, ',' order by w.id) from war_rooms w where w.incident_id = incidents.id)`.as('stamp_war_rooms'),
  activeUntilMs: sql<string | null>`(select floor(extract(epoch from min(w.expires_at)) * 1000)::bigint::text from war_rooms w where w.incident_id = incidents.id and w.state = 'active')`.as(
    'stamp_active_until_ms',
  ),
  connections: sql<string | null>`(select string_agg(c.id::text || ':' || c.xmin::text, ',' order by c.id) from integration_connections c where c.org_id = incidents.org_id)`.as('stamp_connections'),
  settings: sql<string | null>`(select s.xmin::text from war_room_settings s where s.org_id = incidents.org_id)`.as('stamp_settings'),
  members: sql<string | null>`(select md5(string_agg(m.user_id::text || ':' || m.xmin::text || ':' || u.xmin::text, ',' order by m.user_id)) from memberships m join users u on u.id = m.user_id where m.org_id = incidents.org_id)`.as(
    'stamp_members',
  ),
};

/**
 * The stamp of incident number `$number` of the organization in `orgId` (a column of the outer query),
 * as a subquery to join laterally: the session lookup of an incident page reads it in the same
 * statement (`resolveSessionWithPageStamp`). `only` (outer columns too) keeps it to the rows that need it.
 */
export function pageStampSubquery(db: DbOrTx, orgId: SQLWrapper, only: SQL) {
  return db
    .select(stampColumns)
    .from(incidents)
    .where(and(only, eq(incidents.orgId, orgId), eq(incidents.number, sql.placeholder('number'))))
    .as('page_stamp');
}

/** The stamp from its columns as read (null columns: no such incident). */
export function toPageStamp(raw: unknown): IncidentPageStamp | null {
  if (raw === null || raw === undefined) return null;
  const r = Row.parse(raw);
  if (r.id === null || r.incidentRow === null) return null;
  return {
    incidentId: r.id,
    stamp: [r.incidentRow, r.timeline, r.warRooms, r.connections, r.settings, r.members].map((v) => v ?? '-').join('|'),
    changesAt: r.activeUntilMs === null ? null : new Date(Number(r.activeUntilMs)),
  };
}

async function stampRows(db: DbOrTx, orgId: string, ref: string): Promise<unknown[]> {
  const number = incidentNumberOf(ref);
  if (number !== null) {
    return preparedQuery(db, 'rf_incident_page_stamp_by_number', (d) =>
      d.select(stampColumns).from(incidents).where(and(eq(incidents.orgId, sql.placeholder('orgId')), eq(incidents.number, sql.placeholder('number')))),
    ).execute({ orgId, number });
  }
  if (!isUuid(ref)) return [];
  return preparedQuery(db, 'rf_incident_page_stamp_by_id', (d) =>
    d.select(stampColumns).from(incidents).where(and(eq(incidents.orgId, sql.placeholder('orgId')), eq(incidents.id, sql.placeholder('id')))),
  ).execute({ orgId, id: ref });
}

/** The stamp of an incident page, or null when the organization has no such incident. */
export async function incidentPageStamp({ ctx, incidentRef }: { ctx: Ctx; incidentRef: string }): Promise<IncidentPageStamp | null> {
  requirePermission(ctx.actor, 'incident:view');
  const [raw] = await stampRows(ctx.db, ctx.actor.orgId, incidentRef);
  return raw === undefined ? null : toPageStamp(raw);
}
