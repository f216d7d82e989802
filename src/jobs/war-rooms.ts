import { z } from 'zod';
import { systemMeta } from '../domain/context.ts';
import { findMembership, requireUser } from '../domain/orgs/memberships.ts';
import { AUTO_CREATE_JOB, recordAutoCreateSkipped } from '../domain/war-rooms/automation.ts';
import { createWarRoom, isOnTimeline } from '../domain/war-rooms/create-war-room.ts';
import { END_MEETING_JOB, expireWarRooms, recordMeetingEndOutcome } from '../domain/war-rooms/end-war-rooms.ts';
import { applyMeetingEvent, endWarRoomsOfDeletedMeeting } from '../domain/war-rooms/apply-meeting-event.ts';
import { findIncident } from '../domain/incidents/require-incident.ts';
import { MeetingError } from '../domain/war-rooms/port.ts';
import { resolveStaleWarRooms } from '../domain/war-rooms/resolve-stale-war-rooms.ts';
import { LIVE_POLL_INTERVAL_MS, pollLiveStatuses } from '../domain/war-rooms/poll-live-status.ts';
import type { HubDeps } from '../integrations/hub/context.ts';
import { findConnectionView } from '../integrations/hub/connections.ts';
import { meetingPort } from '../integrations/hub/meetings.ts';
import type { MeetingEventHandler } from '../integrations/hub/webhooks.ts';
import { AppError } from '../shared/errors.ts';
import type { JobHandler, PeriodicJob } from '../platform/jobs/queue.ts';

const AutoCreate = z.object({ orgId: z.string(), incidentId: z.string(), userId: z.string() });
// incidentId and warRoomId are absent from jobs queued before the outcome was put on the timeline.
const EndMeeting = z.object({ orgId: z.string(), provider: z.string(), meetingId: z.string(), incidentId: z.string().optional(), warRoomId: z.string().optional() });

export const STALE_WAR_ROOMS_JOB = 'war_room.resolve_stale';
/**
 * The war-room sweep, every minute: settles war rooms stuck in `creating` (with the 2-minute
 * threshold, within about three) and marks active war rooms past their time `expired`, so an
 * expired room is expired in the database too, not only when read.
 */
export const STALE_WAR_ROOMS_SWEEP: PeriodicJob = { kind: STALE_WAR_ROOMS_JOB, everyMs: 60_000 };

export const LIVE_POLL_JOB = 'war_room.poll_live';
/**
 * The live badge of providers without meeting webhooks (Google Meet), polled once a minute: each
 * run asks about at most LIVE_POLL_BATCH war rooms, each at most once a minute (decision 0011).
 */
export const LIVE_POLL: PeriodicJob = { kind: LIVE_POLL_JOB, everyMs: LIVE_POLL_INTERVAL_MS };

/** War-room jobs: the automation runs the same Create War Room operation as a click, on behalf of its trigger. */
export function warRoomJobs(hub: HubDeps): Record<string, JobHandler> {
  const meetings = meetingPort(hub);

  /** Why the automation could not try, in words for the incident's responders; null when nothing needs saying. */
  const skipReason = async (orgId: string, incidentId: string, err: AppError, actorName: string): Promise<string | null> => {
    if (err.code === 'not_found') return null;
    if (err.code === 'forbidden') return `it acts for ${actorName}, whose role can no longer edit incidents. Use Create War Room on the incident.`;
    if (err.code === 'needs_reconnect') {
      for (const p of meetings.availableProviders()) {
        const c = await findConnectionView(hub.db, orgId, p.id);
        if (c?.status === 'reconnect_required') {
          return `${p.displayName} needs to be reconnected. An Owner or Admin can reconnect it in Organization › Integrations Hub › Communication.${c.reconnectReason ? ` (${c.reconnectReason})` : ''}`;
        }
      }
      const name = meetings.availableProviders()[0]?.displayName ?? 'The video provider';
      return `${name} is not connected. Connect ${name} in Organization › Integrations Hub › Communication.`;
    }
    // Resolved or closed before the job ran: the incident no longer needs a war room.
    if (err.code === 'conflict' && (await findIncident(hub.db, orgId, incidentId))?.active === false) return null;
    return err.hint ? `${err.message} ${err.hint}` : err.message;
  };

  return {
    [AUTO_CREATE_JOB]: async (payload) => {
      const p = AutoCreate.parse(payload);
      const skipped = (reason: string) => recordAutoCreateSkipped(hub.db, hub.clock, { orgId: p.orgId, incidentId: p.incidentId, reason });
      const role = await findMembership(hub.db, p.orgId, p.userId);
      if (!role) return skipped('the person whose change triggered it is no longer a member of the organization. Use Create War Room on the incident.');
      const user = await requireUser(hub.db, p.userId);
      const ctx = { ...hub, actor: { userId: user.id, name: user.name, email: user.email, orgId: p.orgId, role, via: 'system' as const }, meta: systemMeta('automation') };
      try {
        await createWarRoom({ ctx, meetings, timing: hub.warRoomTiming, incidentRef: p.incidentId, input: {}, automatic: true });
      } catch (err) {
        if (!(err instanceof AppError)) {
          await skipped('something went wrong in Runframe. Use Create War Room on the incident.').catch(() => undefined);
          throw err;
        }
        // A failure at the provider is already on the timeline; one before the attempt is not.
        if (isOnTimeline(err)) return;
        const reason = await skipReason(p.orgId, p.incidentId, err, user.name);
        if (reason) await skipped(reason);
      }
    },
    [END_MEETING_JOB]: async (payload, run) => {
      const p = EndMeeting.parse(payload);
      const outcome = (o: { ended: true } | { ended: false; why: string }) =>
        p.incidentId ? recordMeetingEndOutcome(hub.db, hub.clock, { orgId: p.orgId, incidentId: p.incidentId, provider: p.provider, providerName: meetings.displayName(p.provider) }, o) : Promise.resolve();
      try {
        await meetings.endMeeting(p.orgId, p.provider, p.meetingId);
      } catch (err) {
        if (!(err instanceof MeetingError)) throw err;
        const why = err.appError.hint ? `${err.appError.message} ${err.appError.hint}` : err.appError.message;
        // An outage is tried again later; the timeline hears of it only when Runframe gives up.
        if (err.retryable && run?.final === false) throw err;
        await outcome({ ended: false, why });
        return;
      }
      await outcome({ ended: true });
    },
    [LIVE_POLL_JOB]: async () => {
      await pollLiveStatuses({ deps: hub, meetings });
    },
    [STALE_WAR_ROOMS_JOB]: async () => {
      await expireWarRooms(hub.db, hub.clock);
      await resolveStaleWarRooms({ deps: hub, meetings, timing: hub.warRoomTiming, meta: systemMeta('war-room-sweep') });
    },
  };
}

/** meeting.started / meeting.ended from a provider webhook drive the war room's live badge; meeting.deleted ends it. */
export const meetingEventHandler: MeetingEventHandler = async (hub, event, providerId) => {
  const name = hub.providers.get(providerId)?.displayName ?? providerId;
  if (event.type === 'meeting_deleted') {
    await endWarRoomsOfDeletedMeeting(hub.db, hub.clock, { provider: providerId, providerName: name, meetingId: event.meetingId });
    return;
  }
  await applyMeetingEvent(hub.db, hub.clock, { provider: providerId, providerName: name, meetingId: event.meetingId, type: event.type === 'meeting_started' ? 'started' : 'ended', at: event.at });
};
