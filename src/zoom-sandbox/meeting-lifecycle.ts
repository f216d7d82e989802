import { randomBytes } from 'node:crypto';
import type { Ctx } from './context.ts';
import { activeGrantsOf } from './grants.ts';
import { meetingUuid } from './ids.ts';
import { eventObject } from './meeting-view.ts';
import type { Meeting, SandboxUser } from './state.ts';
import { isoSeconds } from './time.ts';

/** Events go to every app the host has authorized that subscribes to webhooks. */
function notifyHostApps(ctx: Ctx, hostId: string, event: string, object: Record<string, unknown>, extra: Record<string, unknown> = {}): void {
  const host = ctx.store.state.users.find((u) => u.id === hostId);
  const clientIds = new Set(activeGrantsOf(ctx, hostId).map((g) => g.clientId));
  for (const clientId of clientIds) {
    const app = ctx.store.state.apps[clientId];
    if (app) ctx.webhooks.send(app, event, { account_id: host?.accountId ?? '', ...extra, object });
  }
}

export function findMeeting(ctx: Ctx, id: string): Meeting | undefined {
  return /^\d+$/.test(id) ? ctx.store.state.meetings.find((m) => String(m.id) === id && !m.deleted) : undefined;
}

export function startMeeting(ctx: Ctx, m: Meeting): boolean {
  if (m.status === 'started') return false;
  m.status = 'started';
  m.startedAt = isoSeconds(ctx.now());
  ctx.store.save();
  notifyHostApps(ctx, m.hostId, 'meeting.started', eventObject(m));
  return true;
}

/** Ends the meeting for everyone (the host's End, or `PUT …/status {"action":"end"}`). */
export function endMeeting(ctx: Ctx, m: Meeting): boolean {
  m.participants = [];
  if (m.status !== 'started') {
    ctx.store.save();
    return false;
  }
  const object = { ...eventObject(m), end_time: isoSeconds(ctx.now()) };
  m.status = 'waiting';
  m.startedAt = null;
  // Instant meeting ids expire when the meeting ends; scheduled ones get a new instance uuid (§3.2).
  if (m.type === 1) m.deleted = true;
  else m.uuid = meetingUuid();
  ctx.store.save();
  notifyHostApps(ctx, m.hostId, 'meeting.ended', object);
  return true;
}

export type Participant = Meeting['participants'][number];

/**
 * Someone opens the join link and joins. With join before host on (as Runframe asks) the first one
 * starts the meeting, and so does the first one after it emptied: the same link, a new instance
 * (§5.7). Without it, they wait until the host starts the meeting (null: not in the call yet).
 */
export function joinMeeting(ctx: Ctx, m: Meeting, who: { name?: string; asHost?: boolean }): Participant | null {
  if (m.status !== 'started' && !who.asHost && m.settings['join_before_host'] !== true) return null;
  const participant: Participant = {
    id: randomBytes(6).toString('hex'),
    name: who.name?.trim() || (who.asHost ? 'Host' : `Participant ${m.participants.length + 1}`),
    joinedAt: isoSeconds(ctx.now()),
  };
  m.participants.push(participant);
  if (!startMeeting(ctx, m)) ctx.store.save();
  return participant;
}

/** A participant leaves; the last one leaving ends the meeting, which sends meeting.ended (§5.7). */
export function leaveMeeting(ctx: Ctx, m: Meeting, participantId: string): boolean {
  const before = m.participants.length;
  m.participants = m.participants.filter((p) => p.id !== participantId);
  if (m.participants.length === before) return false;
  if (m.participants.length === 0 && m.status === 'started') endMeeting(ctx, m);
  else ctx.store.save();
  return true;
}

export function deleteMeeting(ctx: Ctx, m: Meeting, operator: SandboxUser): void {
  m.deleted = true;
  ctx.store.save();
  // meeting.deleted carries the numeric id, unlike started/ended (§5.7).
  notifyHostApps(ctx, m.hostId, 'meeting.deleted', { ...eventObject(m), id: m.id }, { operator: operator.email, operator_id: operator.id });
}
