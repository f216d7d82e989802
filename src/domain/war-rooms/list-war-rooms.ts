import { and, desc, eq, sql } from 'drizzle-orm';
import { preparedQuery } from '../../platform/db/prepared.ts';
import type { DbOrTx } from '../../platform/db/client.ts';
import { warRooms } from '../../platform/db/schema.ts';
import { requirePermission } from '../access/roles.ts';
import type { Ctx } from '../context.ts';
import type { IncidentView } from '../incidents/model.ts';
import { requireIncident } from '../incidents/require-incident.ts';
import { toWarRoomView, type WarRoomView } from './model.ts';
import type { MeetingPort } from './port.ts';

export async function warRoomRows(db: DbOrTx, orgId: string, incidentId: string) {
  return preparedQuery(db, 'rf_war_rooms_of_incident', (d) =>
    d
      .select()
      .from(warRooms)
      .where(and(eq(warRooms.orgId, sql.placeholder('orgId')), eq(warRooms.incidentId, sql.placeholder('incidentId'))))
      .orderBy(desc(warRooms.createdAt)),
  ).execute({ orgId, incidentId });
}

/**
 * The incident's current war room (creating or active and unexpired), the latest failed attempt
 * if it came after, and the history. Everyone who can view the incident sees it, Viewers included.
 */
export async function getWarRooms({ ctx, meetings, incidentRef, incident: loaded }: { ctx: Ctx; meetings: Pick<MeetingPort, 'displayName'>; incidentRef: string; incident?: IncidentView }) {
  requirePermission(ctx.actor, 'incident:view');
  // A page that already loaded the incident passes it: one load per page.
  const incident = loaded ?? (await requireIncident(ctx.db, ctx.actor.orgId, incidentRef));
  const now = ctx.clock.now();
  const all: WarRoomView[] = (await warRoomRows(ctx.db, ctx.actor.orgId, incident.id)).map((r) => toWarRoomView(r, meetings.displayName(r.provider), now));
  const current = all.find((w) => w.state === 'creating' || w.state === 'active') ?? null;
  const latest = all[0] ?? null;
  const lastFailure = latest && latest.state === 'failed' ? latest : null;
  return { incident, current, lastFailure, history: all.filter((w) => w.state === 'ended' || w.state === 'expired') };
}
