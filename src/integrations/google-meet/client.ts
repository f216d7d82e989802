import { z } from 'zod';
import { GoogleError } from './errors.ts';
import { send, parseBody, type FetchLike } from './http.ts';

const DEFAULT_TIMEOUT_MS = 10_000;

export interface MeetClientOptions {
  /** https://meet.googleapis.com — paths start with v2/ (§0). */
  apiBaseUrl: string;
  fetch?: FetchLike;
  timeoutMs?: number;
  now?: () => Date;
}

// §3.3: unknown fields are ignored; only what Runframe stores is read.
const Space = z.object({
  name: z.string().regex(/^spaces\/[A-Za-z0-9_-]+$/),
  meetingUri: z.url({ protocol: /^https?$/ }),
  meetingCode: z.string().min(1).max(128),
  activeConference: z.object({ conferenceRecord: z.string() }).optional(),
});
export type MeetSpace = z.infer<typeof Space>;

// §3.7: `{}` when there is nothing; RFC 3339 timestamps.
const ConferenceRecords = z.object({
  conferenceRecords: z
    .array(z.object({ name: z.string(), startTime: z.iso.datetime({ offset: true }), endTime: z.iso.datetime({ offset: true }).optional(), space: z.string() }))
    .optional()
    .default([]),
  nextPageToken: z.string().optional(),
});
export type ConferenceRecord = z.infer<typeof ConferenceRecords>['conferenceRecords'][number];

const Empty = z.object({}).loose();

/**
 * Who may join without knocking (§3.3). OPEN: anyone with the link walks in, so responders join a war
 * room nobody has opened yet — no host needed, nobody left knocking (decision 0011).
 */
export const WAR_ROOM_ACCESS_TYPE = 'OPEN';

const trim = (base: string): string => base.replace(/\/+$/, '');

export function createMeetClient(o: MeetClientOptions) {
  const call = (operation: string, method: string, path: string, token: string, body?: unknown, forbidden: 'cannot_host' | 'not_found' = 'not_found') =>
    send({
      fetch: o.fetch ?? globalThis.fetch,
      url: `${trim(o.apiBaseUrl)}/${path}`,
      init: {
        method,
        headers: { accept: 'application/json', authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      operation,
      endpoint: 'meet',
      forbidden,
      now: o.now ?? (() => new Date()),
    });
  const spacePath = (name: string) => `v2/${name.split('/').map(encodeURIComponent).join('/')}`;
  return {
    /** §3.3: 200 with the space; no idempotency. A bare 403 here means the account cannot create meetings. */
    async createSpace(token: string): Promise<MeetSpace> {
      const r = await call('spaces.create', 'POST', 'v2/spaces', token, { config: { accessType: WAR_ROOM_ACCESS_TYPE, entryPointAccess: 'ALL' } }, 'cannot_host');
      return parseBody('spaces.create', r, Space);
    },
    /** §3.4. */
    async getSpace(token: string, name: string): Promise<MeetSpace> {
      return parseBody('spaces.get', await call('spaces.get', 'GET', spacePath(name), token), Space);
    },
    /** §3.6: "nothing live" (400 FAILED_PRECONDITION, 404) counts as ended. */
    async endActiveConference(token: string, name: string): Promise<void> {
      try {
        parseBody('spaces.endActiveConference', await call('spaces.endActiveConference', 'POST', `${spacePath(name)}:endActiveConference`, token, {}), Empty);
      } catch (err) {
        if (err instanceof GoogleError && (err.failure.kind === 'not_found' || (err.failure.kind === 'rejected' && err.failure.rpcStatus === 'FAILED_PRECONDITION'))) return;
        throw err;
      }
    },
    /** §3.7: the newest conference of a space (newest first), or null when nobody has joined it yet. */
    async latestConference(token: string, spaceName: string): Promise<ConferenceRecord | null> {
      const q = new URLSearchParams({ filter: `space.name = "${spaceName}"`, pageSize: '1' });
      const r = await call('conferenceRecords.list', 'GET', `v2/conferenceRecords?${q.toString()}`, token);
      return parseBody('conferenceRecords.list', r, ConferenceRecords).conferenceRecords[0] ?? null;
    },
  };
}
export type MeetClient = ReturnType<typeof createMeetClient>;
