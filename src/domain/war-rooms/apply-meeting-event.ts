import { and, eq, gt } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { warRooms } from '../../platform/db/schema.ts';
import type { Clock } from '../../shared/clock.ts';
import { addTimelineEntry } from '../timeline/add-timeline-entry.ts';

/**
 * The provider says a war room's meeting started or ended: the live badge follows, and an ended
 * meeting ends the war room (Create War Room is then offered again). A war room past its time is
 * expired already: the provider's news changes nothing on it and adds nothing to the timeline.
 */
export async function applyMeetingEvent(db: Db, clock: Clock, e: { provider: string; providerName: string; meetingId: string; type: 'started' | 'ended' }): Promise<number> {
  return db.transaction(async (tx) => {
    const now = clock.now();
    const rows = await tx
      .select()
      .from(warRooms)
      .where(and(eq(warRooms.provider, e.provider), eq(warRooms.providerMeetingId, e.meetingId), eq(warRooms.state, 'active'), gt(warRooms.expiresAt, now)));
    for (const w of rows) {
      if (e.type === 'started') await tx.update(warRooms).set({ liveStatus: 'live' }).where(eq(warRooms.id, w.id));
      else await tx.update(warRooms).set({ liveStatus: 'ended', state: 'ended', endedAt: now, endedReason: 'meeting ended' }).where(eq(warRooms.id, w.id));
      await addTimelineEntry(tx, clock, {
        orgId: w.orgId,
        incidentId: w.incidentId,
        kind: 'war_room',
        actorUserId: null,
        actorLabel: e.providerName,
        body: e.type === 'started' ? `${e.providerName} war room is live.` : `${e.providerName} war room meeting ended.`,
        data: { state: e.type === 'started' ? 'live' : 'ended', provider: w.provider },
      });
    }
    return rows.length;
  });
}
