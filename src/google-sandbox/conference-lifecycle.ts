import type { Ctx } from './context.ts';
import { conferenceId, participantId } from './ids.ts';
import type { Account, Conference, Participant, Space } from './state.ts';

const RECORD_RETENTION_MS = 30 * 24 * 60 * 60_000;

export function findSpace(ctx: Ctx, id: string): Space | undefined {
  return ctx.store.state.spaces.find((s) => s.name === `spaces/${id}`);
}

/**
 * Meeting codes are case-insensitive aliases (reference §3.2) that expire about 365 days after the space
 * was last used; the space itself stays reachable by its name.
 */
export function findSpaceByCode(ctx: Ctx, code: string): Space | undefined {
  const lower = code.toLowerCase();
  const space = ctx.store.state.spaces.find((s) => s.meetingCode === lower);
  if (!space || activeConference(ctx, space)) return space;
  const ends = ctx.store.state.conferences.filter((c) => c.space === space.name && c.endTime !== null).map((c) => Date.parse(c.endTime ?? ''));
  const lastUsed = Math.max(Date.parse(space.createdAt), ...ends);
  return lastUsed + ctx.store.state.settings.meetingCodeLifetimeMs > ctx.now().getTime() ? space : undefined;
}

/** A conference as the API reports it now: with `recordLagMs`, a start or an end shows up only after the lag. */
export interface ApiConference {
  conf: Conference;
  endTime: string | null;
  expireTime: string | null;
}

export function apiView(ctx: Ctx, conf: Conference): ApiConference | null {
  const lag = ctx.store.state.settings.recordLagMs;
  const nowMs = ctx.now().getTime();
  if (Date.parse(conf.startTime) + lag > nowMs) return null;
  const ended = conf.endTime !== null && Date.parse(conf.endTime) + lag <= nowMs;
  return { conf, endTime: ended ? conf.endTime : null, expireTime: ended ? conf.expireTime : null };
}

/** The conference the API shows as live in the space (may lag the real call). */
export function apiActiveConference(ctx: Ctx, space: Space): Conference | undefined {
  const views = ctx.store.state.conferences.filter((c) => c.space === space.name).map((c) => apiView(ctx, c));
  return views.find((v) => v !== null && v.endTime === null)?.conf;
}

export function activeConference(ctx: Ctx, space: Space): Conference | undefined {
  return ctx.store.state.conferences.find((c) => c.space === space.name && c.endTime === null);
}

const present = (conf: Conference | undefined): Participant[] => conf?.participants.filter((p) => p.leftAt === null) ?? [];

/** Who walks in without knocking, per `config.accessType` (reference §3.3). No invitations exist for API spaces. */
export function mustKnock(ctx: Ctx, space: Space, joiner: Account | null): boolean {
  if (space.accessType === 'OPEN') return false;
  if (joiner?.sub === space.ownerSub) return false;
  if (space.accessType === 'RESTRICTED') return true;
  const owner = ctx.store.state.accounts.find((a) => a.sub === space.ownerSub);
  return !(joiner && owner?.hd && joiner.hd === owner.hd);
}

export type JoinResult = { ok: true; participant: Participant; conference: Conference } | { ok: false; reason: 'knocking' };

/**
 * The first person in an idle space starts a new conference record. Someone who must knock is let in only
 * when someone is already in the call to admit them (the sandbox admits at once); otherwise they wait.
 */
export function joinSpace(ctx: Ctx, space: Space, joiner: Account | null, displayName: string): JoinResult {
  let conf = activeConference(ctx, space);
  if (mustKnock(ctx, space, joiner) && present(conf).length === 0) return { ok: false, reason: 'knocking' };
  const at = ctx.now().toISOString();
  if (!conf) {
    conf = { name: `conferenceRecords/${conferenceId()}`, space: space.name, startTime: at, endTime: null, expireTime: null, participants: [] };
    ctx.store.state.conferences.push(conf);
  }
  const participant: Participant = { id: participantId(), displayName, sub: joiner?.sub ?? null, joinedAt: at, leftAt: null };
  conf.participants.push(participant);
  ctx.store.save();
  return { ok: true, participant, conference: conf };
}

function finish(ctx: Ctx, conf: Conference): void {
  const at = ctx.now();
  for (const p of conf.participants) if (p.leftAt === null) p.leftAt = at.toISOString();
  conf.endTime = at.toISOString();
  // Records are deleted 30 days after the conference ends (reference §3.7).
  conf.expireTime = new Date(at.getTime() + RECORD_RETENTION_MS).toISOString();
}

/** The last one out ends the conference. Returns false when that participant was not in the call. */
export function leaveSpace(ctx: Ctx, space: Space, participant: string): boolean {
  const conf = activeConference(ctx, space);
  const p = conf?.participants.find((x) => x.id === participant && x.leftAt === null);
  if (!conf || !p) return false;
  p.leftAt = ctx.now().toISOString();
  if (present(conf).length === 0) finish(ctx, conf);
  ctx.store.save();
  return true;
}

/** Ends the call for everyone; the space and its link stay valid. False when nothing was live. */
export function endConference(ctx: Ctx, space: Space): boolean {
  const conf = activeConference(ctx, space);
  if (!conf) return false;
  finish(ctx, conf);
  ctx.store.save();
  return true;
}

export function presentParticipants(ctx: Ctx, space: Space): Participant[] {
  return present(activeConference(ctx, space));
}
