import { z } from 'zod';
import { systemMeta } from '../domain/context.ts';
import { findMembership, requireUser } from '../domain/orgs/memberships.ts';
import { AUTO_CREATE_JOB } from '../domain/war-rooms/automation.ts';
import { createWarRoom } from '../domain/war-rooms/create-war-room.ts';
import { END_MEETING_JOB } from '../domain/war-rooms/end-war-rooms.ts';
import { applyMeetingEvent } from '../domain/war-rooms/apply-meeting-event.ts';
import { MeetingError } from '../domain/war-rooms/port.ts';
import type { HubDeps } from '../integrations/hub/context.ts';
import { meetingPort } from '../integrations/hub/meetings.ts';
import type { MeetingEventHandler } from '../integrations/hub/webhooks.ts';
import { AppError } from '../shared/errors.ts';
import type { JobHandler } from './runner.ts';

const AutoCreate = z.object({ orgId: z.string(), incidentId: z.string(), userId: z.string() });
const EndMeeting = z.object({ orgId: z.string(), provider: z.string(), meetingId: z.string() });

/** War-room jobs: the automation runs the same Create War Room operation as a click, on behalf of its trigger. */
export function warRoomJobs(hub: HubDeps): Record<string, JobHandler> {
  const meetings = meetingPort(hub);
  return {
    [AUTO_CREATE_JOB]: async (payload) => {
      const p = AutoCreate.parse(payload);
      const role = await findMembership(hub.db, p.orgId, p.userId);
      if (!role) return;
      const user = await requireUser(hub.db, p.userId);
      const ctx = { ...hub, actor: { userId: user.id, name: user.name, email: user.email, orgId: p.orgId, role, via: 'system' as const }, meta: systemMeta('automation') };
      try {
        await createWarRoom({ ctx, meetings, timing: hub.warRoomTiming, incidentRef: p.incidentId, input: {} });
      } catch (err) {
        // The failure is already on the incident's timeline (or the incident no longer needs one).
        if (!(err instanceof AppError)) throw err;
      }
    },
    [END_MEETING_JOB]: async (payload) => {
      const p = EndMeeting.parse(payload);
      try {
        await meetings.endMeeting(p.orgId, p.provider, p.meetingId);
      } catch (err) {
        if (err instanceof MeetingError && !err.retryable) return;
        throw err;
      }
    },
  };
}

/** meeting.started / meeting.ended from a provider webhook drive the war room's live badge. */
export const meetingEventHandler: MeetingEventHandler = async (hub, event, providerId) => {
  const name = hub.providers.get(providerId)?.displayName ?? providerId;
  await applyMeetingEvent(hub.db, hub.clock, { provider: providerId, providerName: name, meetingId: event.meetingId, type: event.type === 'meeting_started' ? 'started' : 'ended' });
};
