import type { Ctx } from './context.ts';
import { apiActiveConference, type ApiConference } from './conference-lifecycle.ts';
import type { Conference, Participant, Space } from './state.ts';

export function meetingUri(ctx: Ctx, space: Space): string {
  return `${ctx.publicUrl}/meet/${space.meetingCode}`;
}

/** A Space as the owner sees it (reference §3.3, §3.4): config always, activeConference only while live. */
export function spaceJson(ctx: Ctx, space: Space): Record<string, unknown> {
  const newer = ctx.store.state.settings.newerSpaceFields;
  const live = apiActiveConference(ctx, space);
  return {
    name: space.name,
    meetingUri: meetingUri(ctx, space),
    meetingCode: space.meetingCode,
    config: {
      accessType: space.accessType,
      entryPointAccess: space.entryPointAccess,
      // Output-only fields of newer API revisions; clients must ignore what they do not know (§3.3).
      ...(newer ? { moderation: 'OFF', attendanceReportGenerationType: 'DO_NOT_GENERATE' } : {}),
    },
    ...(live ? { activeConference: { conferenceRecord: live.name } } : {}),
    ...(newer ? { phoneAccess: [{ phoneNumber: '+1 555-010-0199', pin: '123 456 789#', regionCode: 'US', languageCode: 'en-US' }] } : {}),
  };
}

export function conferenceJson(view: ApiConference): Record<string, unknown> {
  return {
    name: view.conf.name,
    startTime: view.conf.startTime,
    ...(view.endTime ? { endTime: view.endTime } : {}),
    ...(view.expireTime ? { expireTime: view.expireTime } : {}),
    space: view.conf.space,
  };
}

export function participantJson(ctx: Ctx, conf: Conference, p: Participant): Record<string, unknown> {
  const who = p.sub ? { signedinUser: { user: `users/${p.sub}`, displayName: p.displayName } } : { anonymousUser: { displayName: p.displayName } };
  return {
    name: `${conf.name}/participants/${p.id}`,
    ...who,
    earliestStartTime: p.joinedAt,
    ...(p.leftAt ? { latestEndTime: p.leftAt } : {}),
  };
}
