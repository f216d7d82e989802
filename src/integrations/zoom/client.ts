import { z } from 'zod';
import { ZoomError } from './errors.ts';
import { parseBody, send, type FetchLike, type SentResponse } from './http.ts';
import { ZoomMeetingListResponse, ZoomMeetingResponse, ZoomUserResponse } from './schemas.ts';

const DEFAULT_TIMEOUT_MS = 10_000;
/** Named, as `fetch` named itself (`node`): a proxy or firewall in front of an API may refuse a request without one. */
const USER_AGENT = 'Runframe';
// Reference §3.2: topic max 200 (unconfirmed, but the safe side), agenda max 2,000 characters.
export const TOPIC_MAX = 200;
export const AGENDA_MAX = 2000;
const LIST_MAX_PAGES = 5;

export interface ZoomUser {
  id: string;
  accountId?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  displayName: string;
  type?: number;
  /** false when Zoom reports the user inactive/pending; otherwise unknown until a create answers 3161. */
  canHost?: boolean;
}

export interface CreateMeetingInput {
  topic: string;
  agenda: string;
  startTime: Date;
  durationMinutes: number;
  timezone?: string;
}

export interface ZoomMeeting {
  meetingId: string;
  joinUrl: string;
  password?: string;
  status: string;
}

export interface ZoomMeetingSummary {
  meetingId: string;
  topic: string;
  /** Zoom's list may shorten it (the sandbox keeps 250 characters); absent if not sent. */
  agenda?: string;
  startTime?: string;
  createdAt?: string;
}

export type ZoomListType = 'upcoming' | 'scheduled' | 'live';

export interface ZoomClientOptions {
  /** REST base including the version, e.g. `https://api.zoom.us/v2`. */
  apiBaseUrl: string;
  fetch?: FetchLike;
  timeoutMs?: number;
  now?: () => Date;
}

export interface ZoomClient {
  getMe(accessToken: string): Promise<ZoomUser>;
  createMeeting(accessToken: string, input: CreateMeetingInput): Promise<ZoomMeeting>;
  getMeeting(accessToken: string, meetingId: string): Promise<ZoomMeeting>;
  listUpcomingMeetings(accessToken: string): Promise<ZoomMeetingSummary[]>;
  /**
   * `scheduled` lists every unexpired scheduled meeting; `upcoming` drops one whose start time
   * has passed and that is not live, so a lost create "starting now" is only safely found with
   * `scheduled`. Needs `meeting:read:list_meetings` (classic `meeting:read`).
   */
  listMeetings(accessToken: string, type: ZoomListType): Promise<ZoomMeetingSummary[]>;
  /** Resolves `ended` or `already_gone` (404/3001): ending is idempotent for the caller. */
  endMeeting(accessToken: string, meetingId: string): Promise<'ended' | 'already_gone'>;
}

/** `yyyy-MM-ddTHH:mm:ssZ`: the trailing Z makes Zoom read it as UTC whatever `timezone` says (§3.2). */
export function zoomUtc(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** Cuts by code point so a surrogate pair is never split. */
function clip(s: string, max: number): string {
  const cps = Array.from(s);
  return cps.length <= max ? s : cps.slice(0, max).join('');
}

function toMeeting(m: z.infer<typeof ZoomMeetingResponse>): ZoomMeeting {
  const out: ZoomMeeting = { meetingId: m.id, joinUrl: m.join_url, status: m.status ?? 'waiting' };
  if (m.password) out.password = m.password;
  return out;
}

/**
 * join_url is rendered as a link for every responder, so only https is accepted (a `javascript:`
 * or `data:` URL would run in Runframe's pages); http only when the API base itself is http, which
 * is the local sandbox. Anything else is an unexpected body, like a schema failure.
 */
function checkJoinUrl(operation: string, r: SentResponse, joinUrl: string, allowHttp: boolean): void {
  const protocol = URL.canParse(joinUrl) ? new URL(joinUrl).protocol : '';
  if (protocol === 'https:' || (allowHttp && protocol === 'http:')) return;
  throw new ZoomError(operation, { kind: 'rejected', status: r.status, message: 'Zoom answered with an unexpected body.' }, r.trackingId);
}

function meetingPath(id: string): string {
  // Meeting ids are digits; refuse anything else rather than build a path from it.
  if (!/^\d+$/.test(id)) throw new ZoomError('meeting request', { kind: 'rejected', status: 0, message: 'Meeting id must be digits.' });
  return `/meetings/${id}`;
}

export function createZoomClient(o: ZoomClientOptions): ZoomClient {
  const base = o.apiBaseUrl.replace(/\/+$/, '');
  const fetchFn = o.fetch;
  const now = o.now ?? (() => new Date());
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const allowHttpJoinUrls = URL.canParse(base) && new URL(base).protocol === 'http:';
  const meetingFrom = (operation: string, r: SentResponse): ZoomMeeting => {
    const m = parseBody(operation, r, ZoomMeetingResponse);
    checkJoinUrl(operation, r, m.join_url, allowHttpJoinUrls);
    return toMeeting(m);
  };

  // Bearer header only: Zoom rejects tokens in the query string with 401/124 (§0).
  const call = (operation: string, token: string, method: string, path: string, body?: unknown) =>
    send({
      fetch: fetchFn,
      url: `${base}${path}`,
      init: {
        method,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/json', 'user-agent': USER_AGENT },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      timeoutMs,
      operation,
      endpoint: 'api',
      now,
      secrets: [token],
    });

  async function listMeetings(token: string, type: ZoomListType): Promise<ZoomMeetingSummary[]> {
    const out: ZoomMeetingSummary[] = [];
    let pageToken = '';
    for (let page = 0; page < LIST_MAX_PAGES; page += 1) {
      const q = new URLSearchParams({ type, page_size: '300' });
      if (pageToken) q.set('next_page_token', pageToken);
      const r = await call('list meetings', token, 'GET', `/users/me/meetings?${q.toString()}`);
      const list = parseBody('list meetings', r, ZoomMeetingListResponse);
      for (const m of list.meetings) {
        const s: ZoomMeetingSummary = { meetingId: m.id, topic: m.topic };
        if (m.agenda !== undefined) s.agenda = m.agenda;
        if (m.start_time !== undefined) s.startTime = m.start_time;
        if (m.created_at !== undefined) s.createdAt = m.created_at;
        out.push(s);
      }
      pageToken = list.next_page_token ?? '';
      if (!pageToken) return out;
    }
    // More pages than Runframe reads: a search of this list would be a guess, so say it was not done
    // rather than answer "not there" (decision 0001: an unsearched attempt stays "outcome unknown").
    throw new ZoomError('list meetings', { kind: 'unavailable', reason: 'list_incomplete' });
  }

  return {
    async getMe(token) {
      const r = await call('get user', token, 'GET', '/users/me');
      const u = parseBody('get user', r, ZoomUserResponse);
      const name = [u.first_name, u.last_name].filter(Boolean).join(' ');
      const user: ZoomUser = { id: u.id, displayName: u.display_name || name || u.email || u.id };
      if (u.account_id !== undefined) user.accountId = u.account_id;
      if (u.email !== undefined) user.email = u.email;
      if (u.first_name !== undefined) user.firstName = u.first_name;
      if (u.last_name !== undefined) user.lastName = u.last_name;
      if (u.type !== undefined) user.type = u.type;
      // /users/me has no "may host" flag; only an inactive or pending user is known not to.
      // A pending user comes back as just `id` + `created_at` (§3.1), hence the missing email.
      if (u.status === 'inactive' || u.status === 'pending' || (u.status === undefined && u.email === undefined)) user.canHost = false;
      return user;
    },

    async createMeeting(token, input) {
      const payload = {
        topic: clip(input.topic, TOPIC_MAX),
        type: 2, // scheduled: instant (1) meeting ids die when the meeting ends (§3.2)
        start_time: zoomUtc(input.startTime),
        duration: input.durationMinutes,
        ...(input.timezone ? { timezone: input.timezone } : {}),
        agenda: clip(input.agenda, AGENDA_MAX),
        // Let Zoom generate a passcode that satisfies the account's policy (§6).
        default_password: true,
        // Responders must get in without waiting for a host.
        settings: { join_before_host: true, jbh_time: 0, waiting_room: false, mute_upon_entry: false, approval_type: 2, auto_recording: 'none' },
      };
      const r = await call('create meeting', token, 'POST', '/users/me/meetings', payload);
      // start_url is dropped right here by the schema and never returned or logged (host credential).
      return meetingFrom('create meeting', r);
    },

    async getMeeting(token, meetingId) {
      const r = await call('get meeting', token, 'GET', meetingPath(meetingId));
      // start_url (fresh on every GET) is dropped by the schema, as on create.
      return meetingFrom('get meeting', r);
    },

    listUpcomingMeetings(token) {
      return listMeetings(token, 'upcoming');
    },

    listMeetings,

    async endMeeting(token, meetingId) {
      try {
        await call('end meeting', token, 'PUT', `${meetingPath(meetingId)}/status`, { action: 'end' });
        return 'ended';
      } catch (err) {
        if (err instanceof ZoomError && err.failure.kind === 'not_found') return 'already_gone';
        throw err;
      }
    },
  };
}
