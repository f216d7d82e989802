import { and, asc, eq, gt, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { warRooms } from '../../platform/db/schema.ts';
import type { Deps } from '../context.ts';
import { applyMeetingEvent } from './apply-meeting-event.ts';
import { MeetingError, type MeetingPort } from './port.ts';

/** A war room's call is asked about at most once per this interval, across all processes. */
export const LIVE_POLL_INTERVAL_MS = 60_000;
/** At most this many war rooms are asked about per run (one run a minute): a bounded read rate per provider. */
export const LIVE_POLL_BATCH = 50;

/**
 * The live badge for providers without meeting webhooks: asks the provider about active war rooms,
 * least recently asked first. Each war room is claimed with a conditional update of its
 * `live_checked_at`, so two processes never ask about the same one in the same interval. What the
 * provider says is applied as a webhook event would be (applyMeetingEvent: never older than the last
 * state applied). A failure leaves the badge as it was; the next run asks again.
 */
export async function pollLiveStatuses(args: { deps: Deps; meetings: MeetingPort; limit?: number }): Promise<number> {
  const { deps, meetings } = args;
  const providers = meetings.polledProviders();
  if (providers.length === 0) return 0;
  const now = deps.clock.now();
  const due = new Date(now.getTime() - LIVE_POLL_INTERVAL_MS);
  const candidates = await deps.db
    .select({ id: warRooms.id, orgId: warRooms.orgId, provider: warRooms.provider, meetingId: warRooms.providerMeetingId })
    .from(warRooms)
    .where(and(eq(warRooms.state, 'active'), gt(warRooms.expiresAt, now), inArray(warRooms.provider, providers), or(isNull(warRooms.liveCheckedAt), lt(warRooms.liveCheckedAt, due))))
    .orderBy(sql`${warRooms.liveCheckedAt} asc nulls first`, asc(warRooms.createdAt))
    .limit(args.limit ?? LIVE_POLL_BATCH);
  let changed = 0;
  for (const w of candidates) {
    if (!w.meetingId) continue;
    const claimed = await deps.db
      .update(warRooms)
      .set({ liveCheckedAt: now })
      .where(and(eq(warRooms.id, w.id), or(isNull(warRooms.liveCheckedAt), lt(warRooms.liveCheckedAt, due))))
      .returning({ id: warRooms.id });
    if (claimed.length === 0) continue;
    let seen;
    try {
      seen = await meetings.liveStatus(w.orgId, w.provider, w.meetingId);
    } catch (err) {
      if (err instanceof MeetingError) deps.log.warn({ warRoomId: w.id, reason: err.message }, 'could not ask the provider whether the war room call is live');
      else deps.log.error({ err, warRoomId: w.id }, 'asking whether a war room call is live failed unexpectedly');
      continue;
    }
    if (seen.status === 'not_started') continue;
    changed += await applyMeetingEvent(deps.db, deps.clock, { provider: w.provider, providerName: meetings.displayName(w.provider), meetingId: w.meetingId, type: seen.status === 'live' ? 'started' : 'ended', at: seen.at });
  }
  return changed;
}
