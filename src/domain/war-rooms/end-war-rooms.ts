import { and, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../../platform/db/client.ts';
import { warRoomSettings, warRooms } from '../../platform/db/schema.ts';
import { enqueueJob } from '../../jobs/runner.ts';
import type { Clock } from '../../shared/clock.ts';
import { addTimelineEntry } from '../timeline/add-timeline-entry.ts';

export const END_MEETING_JOB = 'war_room.end_meeting';

/**
 * When an incident is resolved or closed its war room ends, in the same transaction. Runframe never
 * deletes meetings; it ends the provider meeting only if the organization chose that.
 */
export async function endWarRoomsOfIncident(
  tx: Tx,
  clock: Clock,
  who: { orgId: string; incidentId: string; userId: string | null; label: string },
  reason: 'resolved' | 'closed',
): Promise<void> {
  const now = clock.now();
  const ended = await tx
    .update(warRooms)
    .set({ state: 'ended', endedAt: now, endedReason: `incident ${reason}` })
    .where(and(eq(warRooms.incidentId, who.incidentId), eq(warRooms.orgId, who.orgId), inArray(warRooms.state, ['active'])))
    .returning();
  if (ended.length === 0) return;
  const [settings] = await tx.select().from(warRoomSettings).where(eq(warRoomSettings.orgId, who.orgId));
  for (const w of ended) {
    await addTimelineEntry(tx, clock, {
      orgId: who.orgId,
      incidentId: who.incidentId,
      kind: 'war_room',
      actorUserId: who.userId,
      actorLabel: who.label,
      body: `War room ended: the incident was ${reason}.${settings?.endMeetingOnResolve ? ' The meeting will be ended for everyone.' : ''}`,
      data: { state: 'ended', provider: w.provider },
    });
    if (settings?.endMeetingOnResolve && w.providerMeetingId) {
      await enqueueJob(tx, clock, { kind: END_MEETING_JOB, payload: { orgId: who.orgId, provider: w.provider, meetingId: w.providerMeetingId }, dedupeKey: `end-meeting:${w.id}` });
    }
  }
}
