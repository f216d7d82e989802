import { and, eq, gt, inArray, lte, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../platform/db/client.ts';
import { incidents, warRoomSettings, warRooms } from '../../platform/db/schema.ts';
import { Status, isActive, type Status as IncidentStatus } from '../incidents/model.ts';
import type { WarRoomRow } from './model.ts';
import { enqueueJob } from '../../platform/jobs/queue.ts';
import type { Clock } from '../../shared/clock.ts';
import { addTimelineEntry } from '../timeline/add-timeline-entry.ts';

export const END_MEETING_JOB = 'war_room.end_meeting';
/** Said when the meeting is queued to end: the job adds whether the provider did it, never a promise. */
export const ENDING_MEETING_NOTE = ' Ending the meeting for everyone: the outcome follows on this timeline.';

/**
 * Marks active war rooms past their time `expired` (of one incident, or all of them for the periodic
 * sweep). Expiry is quiet: no timeline entry, and the provider meeting is left alone. `ended_at` is
 * when it expired, as the view shows for a row not yet updated.
 */
export async function expireWarRooms(db: DbOrTx, clock: Clock, scope: { incidentId?: string } = {}): Promise<number> {
  const now = clock.now();
  const expired = await db
    .update(warRooms)
    .set({ state: 'expired', endedAt: sql`${warRooms.expiresAt}`, endedReason: 'expired' })
    .where(and(eq(warRooms.state, 'active'), lte(warRooms.expiresAt, now), scope.incidentId === undefined ? undefined : eq(warRooms.incidentId, scope.incidentId)))
    .returning({ id: warRooms.id });
  return expired.length;
}

/** Whether the organization chose to end the provider meeting when its incident is resolved or closed. */
export async function endsMeetingOnResolve(tx: DbOrTx, orgId: string): Promise<boolean> {
  const [settings] = await tx.select().from(warRoomSettings).where(eq(warRoomSettings.orgId, orgId));
  return settings?.endMeetingOnResolve ?? false;
}

/**
 * Records the provider's meeting on a `creating` war room, under the incident's row lock: a resolve
 * either committed before (seen here) or waits and then ends what this records. A war room never
 * becomes active on an incident that is not: it is recorded ended, and its meeting queued to end if
 * the organization chose that, as resolving would have done. Null when the row is no longer
 * `creating` (another caller or the stale-war-room sweep settled it first).
 */
export async function recordMeeting(
  tx: Tx,
  clock: Clock,
  row: Pick<WarRoomRow, 'id' | 'orgId' | 'incidentId' | 'provider'>,
  meeting: { meetingId: string; joinUrl: string; meetingCode?: string | undefined },
  now: Date,
): Promise<{ recorded: WarRoomRow; stillActive: boolean; status: IncidentStatus; endMeeting: boolean } | null> {
  const [locked] = await tx.select({ status: incidents.status }).from(incidents).where(eq(incidents.id, row.incidentId)).for('update');
  const status = Status.catch('closed').parse(locked?.status);
  const stillActive = isActive(status);
  const [recorded] = await tx
    .update(warRooms)
    .set({
      state: stillActive ? 'active' : 'ended',
      providerMeetingId: meeting.meetingId,
      joinUrl: meeting.joinUrl,
      meetingCode: meeting.meetingCode ?? null,
      activatedAt: now,
      outcomeUnknown: false,
      ...(stillActive ? {} : { endedAt: now, endedReason: `incident ${status}` }),
    })
    .where(and(eq(warRooms.id, row.id), eq(warRooms.state, 'creating')))
    .returning();
  if (!recorded) return null;
  const endMeeting = !stillActive && (await endsMeetingOnResolve(tx, row.orgId));
  if (endMeeting) await enqueueEndMeeting(tx, clock, { id: row.id, orgId: row.orgId, incidentId: row.incidentId, provider: row.provider, meetingId: meeting.meetingId });
  return { recorded, stillActive, status, endMeeting };
}

/** Queues the provider call that ends the meeting for everyone (once per war room). */
export async function enqueueEndMeeting(tx: DbOrTx, clock: Clock, w: { id: string; orgId: string; incidentId: string; provider: string; meetingId: string }): Promise<void> {
  await enqueueJob(tx, clock, {
    kind: END_MEETING_JOB,
    payload: { orgId: w.orgId, incidentId: w.incidentId, warRoomId: w.id, provider: w.provider, meetingId: w.meetingId },
    dedupeKey: `end-meeting:${w.id}`,
  });
}

/** What came of ending the meeting, on the incident's timeline: it ended, or it did not and why. */
export async function recordMeetingEndOutcome(
  db: DbOrTx,
  clock: Clock,
  w: { orgId: string; incidentId: string; provider: string; providerName: string },
  outcome: { ended: true } | { ended: false; why: string },
): Promise<void> {
  await addTimelineEntry(db, clock, {
    orgId: w.orgId,
    incidentId: w.incidentId,
    kind: 'war_room',
    actorUserId: null,
    actorLabel: 'Runframe',
    body: outcome.ended ? `${w.providerName} meeting ended for everyone.` : `The ${w.providerName} meeting was not ended: ${outcome.why}`,
    data: { state: outcome.ended ? 'meeting_ended' : 'meeting_not_ended', provider: w.provider },
  });
}

/**
 * When an incident is resolved or closed its war room ends, in the same transaction. Runframe never
 * deletes meetings; it ends the provider meeting only if the organization chose that. A war room
 * already past its time is expired, not ended: its link stopped working long ago, and its meeting
 * is not ended again.
 */
export async function endWarRoomsOfIncident(
  tx: Tx,
  clock: Clock,
  who: { orgId: string; incidentId: string; userId: string | null; label: string },
  reason: 'resolved' | 'closed',
): Promise<void> {
  const now = clock.now();
  await expireWarRooms(tx, clock, { incidentId: who.incidentId });
  const ended = await tx
    .update(warRooms)
    .set({ state: 'ended', endedAt: now, endedReason: `incident ${reason}` })
    .where(and(eq(warRooms.incidentId, who.incidentId), eq(warRooms.orgId, who.orgId), inArray(warRooms.state, ['active']), gt(warRooms.expiresAt, now)))
    .returning();
  if (ended.length === 0) return;
  const endMeeting = await endsMeetingOnResolve(tx, who.orgId);
  for (const w of ended) {
    await addTimelineEntry(tx, clock, {
      orgId: who.orgId,
      incidentId: who.incidentId,
      kind: 'war_room',
      actorUserId: who.userId,
      actorLabel: who.label,
      body: `War room ended: the incident was ${reason}.${endMeeting && w.providerMeetingId ? ENDING_MEETING_NOTE : ''}`,
      data: { state: 'ended', provider: w.provider },
    });
    if (endMeeting && w.providerMeetingId) await enqueueEndMeeting(tx, clock, { id: w.id, orgId: who.orgId, incidentId: who.incidentId, provider: w.provider, meetingId: w.providerMeetingId });
  }
}
