import { and, eq, gt } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { warRooms } from '../../platform/db/schema.ts';
import type { Clock } from '../../shared/clock.ts';
import { addTimelineEntry } from '../timeline/add-timeline-entry.ts';

export type MeetingEventType = 'started' | 'ended';

/**
 * The provider says a war room's call started or emptied. Neither ends the war room: a meeting ends
 * whenever its last participant leaves, and the same link starts it again (the provider reference, §5.7), so
 * the room stays joinable while the incident is active. Only the badge follows, and the timeline
 * says so once per change: a retried, replayed or late event (older than the last one applied)
 * changes nothing. A war room past its time is expired already and ignores the provider's news.
 */
export async function applyMeetingEvent(
  db: Db,
  clock: Clock,
  e: { provider: string; providerName: string; meetingId: string; type: MeetingEventType; at: Date | null },
): Promise<number> {
  return db.transaction(async (tx) => {
    const now = clock.now();
    const at = e.at ?? now;
    const rows = await tx
      .select()
      .from(warRooms)
      .where(and(eq(warRooms.provider, e.provider), eq(warRooms.providerMeetingId, e.meetingId), eq(warRooms.state, 'active'), gt(warRooms.expiresAt, now)))
      .for('update');
    let changed = 0;
    for (const w of rows) {
      if (w.liveStatusAt && w.liveStatusAt > at) continue;
      const next = e.type === 'started' ? 'live' : 'empty';
      if (w.liveStatus === next) {
        await tx.update(warRooms).set({ liveStatusAt: at }).where(eq(warRooms.id, w.id));
        continue;
      }
      // "Not started" only ever moves to Live; an ended event for a call never seen live still means empty.
      const again = w.liveStatus === 'empty' && next === 'live';
      await tx.update(warRooms).set({ liveStatus: next, liveStatusAt: at }).where(eq(warRooms.id, w.id));
      await addTimelineEntry(tx, clock, {
        orgId: w.orgId,
        incidentId: w.incidentId,
        kind: 'war_room',
        actorUserId: null,
        actorLabel: e.providerName,
        body:
          next === 'live'
            ? again
              ? `${e.providerName} call is live again.`
              : `${e.providerName} war room is live.`
            : `${e.providerName} call is empty: everyone left. The war room stays open; rejoin anytime with the same link.`,
        data: { state: next, provider: w.provider },
      });
      changed++;
    }
    return changed;
  });
}

/**
 * The provider says a war room's meeting was deleted (its host deleted it there): the join link no
 * longer works, so the war room ends, and the incident can have a new one. Said once on the timeline;
 * a retried or replayed event finds nothing active and changes nothing.
 */
export async function endWarRoomsOfDeletedMeeting(db: Db, clock: Clock, e: { provider: string; providerName: string; meetingId: string }): Promise<number> {
  return db.transaction(async (tx) => {
    const now = clock.now();
    const ended = await tx
      .update(warRooms)
      .set({ state: 'ended', endedAt: now, endedReason: `meeting deleted in ${e.providerName}` })
      .where(and(eq(warRooms.provider, e.provider), eq(warRooms.providerMeetingId, e.meetingId), eq(warRooms.state, 'active'), gt(warRooms.expiresAt, now)))
      .returning();
    for (const w of ended) {
      await addTimelineEntry(tx, clock, {
        orgId: w.orgId,
        incidentId: w.incidentId,
        kind: 'war_room',
        actorUserId: null,
        actorLabel: e.providerName,
        body: `The ${e.providerName} meeting was deleted in ${e.providerName}: its join link no longer works. Create War Room to open a new one.`,
        data: { state: 'ended', provider: w.provider, reason: 'meeting_deleted' },
      });
    }
    return ended.length;
  });
}
