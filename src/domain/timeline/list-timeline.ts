import { and, asc, desc, eq, gt, lt, sql, type SQL } from 'drizzle-orm';
import { preparedQuery } from '../../platform/db/prepared.ts';
import { z } from 'zod';
import type { DbOrTx } from '../../platform/db/client.ts';
import { timelineEntries } from '../../platform/db/schema.ts';
import { JsonObjectOrEmpty, parseInput } from '../../shared/validate.ts';
import { requirePermission } from '../access/roles.ts';
import type { Ctx } from '../context.ts';
import type { IncidentView } from '../incidents/model.ts';
import { requireIncident } from '../incidents/require-incident.ts';

export interface TimelineEntryView {
  id: string;
  kind: string;
  actor: string;
  body: string;
  data: Record<string, unknown>;
  createdAt: string;
}

export interface TimelinePage {
  /** Oldest first, whichever way the page was asked for. */
  entries: TimelineEntryView[];
  /** The last entry's cursor: after= it gives the entries that follow, or that come later (null: no entries). */
  nextCursor: string | null;
  /** Pass as before= for the entries that precede (null: this page starts at the beginning). */
  prevCursor: string | null;
}

const empty = (v: unknown) => (v === '' ? undefined : v);
const Cursor = z.preprocess(empty, z.string().regex(/^\d{1,18}$/, 'must be a cursor from a previous page (nextCursor or prevCursor)').optional());
export const MAX_TIMELINE_LIMIT = 500;

export const TimelineQuery = z.object({
  after: Cursor.describe('Entries after this cursor (oldest first); without after or before, the first entries'),
  before: Cursor.describe('The entries just before this cursor (oldest first)'),
  limit: z.preprocess(empty, z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 or more').max(MAX_TIMELINE_LIMIT, `must be at most ${MAX_TIMELINE_LIMIT}`).default(100)),
});
export type TimelineQuery = z.infer<typeof TimelineQuery>;

/** `latest`: the newest `limit` entries (what the incident page shows first). */
export type TimelineWindow = { after?: number; before?: number; latest?: boolean; limit: number };

/** One page of an incident's timeline, read through timeline_incident_idx (incident_id, seq). */
export async function timelinePage(db: DbOrTx, orgId: string, incidentId: string, w: TimelineWindow): Promise<TimelinePage> {
  const where: SQL[] = [eq(timelineEntries.orgId, orgId), eq(timelineEntries.incidentId, incidentId)];
  if (w.after !== undefined) where.push(gt(timelineEntries.seq, w.after));
  if (w.before !== undefined) where.push(lt(timelineEntries.seq, w.before));
  const newestFirst = w.latest === true || (w.before !== undefined && w.after === undefined);
  // The incident page's window (the newest entries) is read on every page view: prepared.
  const rows =
    w.latest === true && w.after === undefined && w.before === undefined
      ? await preparedQuery(db, 'rf_timeline_latest', (d) =>
          d
            .select()
            .from(timelineEntries)
            .where(and(eq(timelineEntries.orgId, sql.placeholder('orgId')), eq(timelineEntries.incidentId, sql.placeholder('incidentId'))))
            .orderBy(desc(timelineEntries.seq))
            .limit(sql.placeholder('limit')),
        ).execute({ orgId, incidentId, limit: w.limit + 1 })
      : await db
          .select()
          .from(timelineEntries)
          .where(and(...where))
          .orderBy(newestFirst ? desc(timelineEntries.seq) : asc(timelineEntries.seq))
          .limit(w.limit + 1);
  const more = rows.length > w.limit;
  const page = rows.slice(0, w.limit);
  if (newestFirst) page.reverse();
  const first = page[0]?.seq;
  const last = page[page.length - 1]?.seq;
  const olderExist = newestFirst ? more : w.after !== undefined;
  return {
    entries: page.map((r) => ({
      id: r.id,
      kind: r.kind,
      actor: r.actorLabel,
      body: r.body,
      data: JsonObjectOrEmpty.parse(r.data),
      createdAt: r.createdAt.toISOString(),
    })),
    // A page that reaches the newest entry still gives a cursor: after= it returns what comes later.
    nextCursor: last !== undefined ? String(last) : w.after !== undefined ? String(w.after) : null,
    prevCursor: olderExist && first !== undefined ? String(first) : null,
  };
}

export async function listTimeline({ ctx, incidentRef, input, incident }: { ctx: Ctx; incidentRef: string; input?: unknown; incident?: IncidentView }): Promise<TimelinePage> {
  requirePermission(ctx.actor, 'incident:view');
  const q = parseInput(TimelineQuery, input ?? {});
  const found = incident ?? (await requireIncident(ctx.db, ctx.actor.orgId, incidentRef));
  return timelinePage(ctx.db, ctx.actor.orgId, found.id, {
    limit: q.limit,
    ...(q.after !== undefined ? { after: Number(q.after) } : {}),
    ...(q.before !== undefined ? { before: Number(q.before) } : {}),
  });
}
