import { AppError } from '../../shared/errors.ts';

/** The token set a provider hands out; it only ever exists sealed at rest. */
export interface Credentials {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  scopes: string[];
}

export interface ProviderIdentity {
  userId: string;
  accountId: string;
  email: string;
  name: string;
  /** false when the provider says the user may not host; null when it cannot tell yet. */
  canHost: boolean | null;
}

/** Failure classes every provider maps its errors into; nothing outside a provider reads vendor codes. */
export type ProviderFailure =
  | { kind: 'token_invalid' }
  | { kind: 'invalid_grant' }
  | { kind: 'missing_scope'; scopes: string[] }
  | { kind: 'cannot_host' }
  /** The provider issued no refresh token, so the connection could not outlive its first access token. */
  | { kind: 'no_refresh_token' }
  | { kind: 'rate_limited'; daily: boolean; retryAt?: Date | undefined }
  | { kind: 'not_found' }
  | { kind: 'rejected'; status: number; message: string }
  | { kind: 'unavailable'; reason: string };

export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    readonly failure: ProviderFailure,
    readonly trackingId?: string,
  ) {
    super(`${provider} call failed: ${failure.kind}`);
    this.name = 'ProviderError';
  }
}

export interface MeetingRequest {
  topic: string;
  agenda: string;
  startTime: Date;
  durationMinutes: number;
}

export interface Meeting {
  /** The provider's durable key of the meeting (Zoom's meeting ID, a Meet space's name). */
  meetingId: string;
  joinUrl: string;
  /** What people type to join, when the provider has one apart from its key (a Meet meeting code). */
  meetingCode?: string | undefined;
}

/** What the provider says about a meeting's call right now, for providers Runframe polls (no webhooks). */
export interface LiveStatus {
  status: 'not_started' | 'live' | 'empty';
  /** When the call started (live) or ended (empty), by the provider. */
  at: Date | null;
}

/** What the hub needs from a provider: pure request/response calls, no storage. */
export interface ProviderAdapter {
  id: string;
  displayName: string;
  section: string;
  /** One sentence for the provider's Integrations Hub card. */
  description: string;
  /** Whether a value read from an address can be a scope name of this provider (only those are ever echoed). */
  isScopeName(value: string): boolean;
  authorizeUrl(state: string, codeChallenge: string): string;
  exchangeCode(code: string, codeVerifier: string): Promise<Credentials>;
  refresh(refreshToken: string): Promise<Credentials>;
  revoke(token: string): Promise<void>;
  identify(accessToken: string): Promise<ProviderIdentity>;
  /** The provider's names of the scopes to approve for required capabilities the granted scopes lack. */
  missingScopes(scopes: readonly string[]): string[];
  /** The provider's name of the scope to approve so meetings can be ended for everyone; null when granted. */
  missingEndMeetingScope(scopes: readonly string[]): string | null;
  createMeeting(accessToken: string, request: MeetingRequest): Promise<Meeting>;
  /**
   * Meetings the connected user has coming up, with their agendas when the provider gives them.
   * Absent when the provider cannot list meetings: a lost create answer cannot be searched for, and
   * the provider's decision record says why that cannot give an incident two war rooms.
   */
  listMeetings?(accessToken: string): Promise<{ meetingId: string; topic: string; agenda?: string | undefined }[]>;
  getMeeting(accessToken: string, meetingId: string): Promise<Meeting & { agenda?: string | undefined }>;
  endMeeting(accessToken: string, meetingId: string): Promise<void>;
  /** For providers without meeting webhooks: the call's state, polled by the job runner at a bounded rate. */
  liveStatus?(accessToken: string, meetingId: string): Promise<LiveStatus>;
  /**
   * True when the provider keeps only the newest grant of a user (Zoom): a new connection made with
   * the same provider user elsewhere ends the others. False when grants coexist (Google).
   */
  singleGrantPerUser: boolean;
  /** Why a refresh token stopped working, in the provider's own terms; default: the generic reason. */
  invalidGrantReason?: string;
  /** The sentence for a connected user who cannot create meetings; default: cannotHostMessage. */
  cannotHostMessage?: string;
  /** Shown on the card of a connection that needs reconnecting: provider-specific causes to check. */
  reconnectNote?: string;
  /** Absent for a provider that sends no webhooks (the war-room badge is then polled: liveStatus). */
  webhooks?: {
    verify(rawBody: string, headers: Headers, now: Date): boolean;
    parse(rawBody: string): WebhookEvent | null;
    challengeResponse(plainToken: string): Record<string, string>;
  };
}

export type WebhookEvent =
  | { type: 'url_validation'; plainToken: string; dedupeKey: string }
  /** The user removed the app: `deleteUserData` when the provider asks for the user's data to be deleted now. */
  | { type: 'deauthorized'; userId: string; accountId: string; at: Date | null; deleteUserData: boolean; dedupeKey: string }
  /** `at`: when the provider says it happened, so a late or retried event never overrides a newer one. */
  | { type: 'meeting_started' | 'meeting_ended'; meetingId: string; at: Date | null; dedupeKey: string }
  /** The meeting itself is gone at the provider (deleted by its host): its join link no longer works. */
  | { type: 'meeting_deleted'; meetingId: string; at: Date | null; dedupeKey: string }
  | { type: 'other'; dedupeKey: string };

/** Seconds until a rate limit lifts: the provider's own time, else the next UTC midnight for a daily limit or a second. */
export function retryAfterSeconds(f: { daily: boolean; retryAt?: Date | undefined }, now: Date): number {
  const at = f.retryAt ?? (f.daily ? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)) : new Date(now.getTime() + 1000));
  return Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000));
}

/** The war-room setting "end the meeting on resolve" cannot work: said the same way by the card, the check and the settings. */
export const endScopeMissingMessage = (name: string, scope: string): string => `Ending meetings on resolve needs the ${scope} scope — reconnect ${name} and approve it.`;

/** A user who cannot host: said the same way by a failed create, the card and the health check. */
export const cannotHostMessage = (name: string): string => `The connected ${name} user can't host meetings. Check that user's ${name} permissions, then try again.`;

const seconds = (n: number) => (n === 1 ? '1 second' : `${n} seconds`);

/** The provider's sentence for a user who cannot create meetings. */
export const cannotHostFor = (p: Pick<ProviderAdapter, 'displayName' | 'cannotHostMessage'>): string => p.cannotHostMessage ?? cannotHostMessage(p.displayName);

/** Maps a provider failure to the user-facing error set: what happened and what to do next. */
export function providerAppError(provider: Pick<ProviderAdapter, 'displayName' | 'cannotHostMessage'>, f: ProviderFailure, now: Date): AppError {
  const displayName = provider.displayName;
  switch (f.kind) {
    case 'no_refresh_token':
      return new AppError('needs_reconnect', `${displayName} did not send Runframe a refresh token, so nothing was connected.`, {
        hint: `Click Connect again; if it keeps happening, remove Runframe from the ${displayName} account's third-party access, then connect.`,
      });
    case 'invalid_grant':
    case 'token_invalid':
      return new AppError('needs_reconnect', `${displayName} no longer accepts Runframe's authorization.`, {
        hint: `An Owner or Admin can disconnect ${displayName} in Integrations Hub, then connect it again.`,
      });
    case 'missing_scope':
      return new AppError('needs_reconnect', `${displayName} did not grant the meeting scope: connect again and approve it.`, {
        hint: `An Owner or Admin can click Reconnect in Integrations Hub and approve the requested ${displayName} permissions.`,
      });
    case 'cannot_host':
      return new AppError('provider_rejected', cannotHostFor(provider), {
        hint: `Ask your ${displayName} admin to allow meeting hosting for that user, or connect ${displayName} with a user who can host.`,
      });
    case 'rate_limited': {
      // Not an outage: the provider said when to come back, and the API passes it on as Retry-After.
      const wait = retryAfterSeconds(f, now);
      if (f.daily) {
        const at = new Date(now.getTime() + wait * 1000).toISOString().replace('T', ' ').slice(0, 16);
        return new AppError('rate_limited', `The connected ${displayName} user reached ${displayName}'s daily limit for creating meetings. Try again after ${at} UTC.`, {
          hint: `${displayName} resets the limit at 00:00 UTC. Nothing was created.`,
          retryAfterSeconds: wait,
        });
      }
      return new AppError('rate_limited', `${displayName} is rate limiting Runframe; try again in ${seconds(wait)}.`, {
        hint: 'Nothing was created; it is safe to retry.',
        retryAfterSeconds: wait,
      });
    }
    case 'not_found':
      return new AppError('provider_rejected', `${displayName} could not find that meeting any more.`, { hint: 'Create a new war room.' });
    case 'rejected':
      if (f.status >= 200 && f.status < 300) {
        return new AppError('provider_rejected', `${displayName} answered with something Runframe cannot use, so nothing was linked.`, {
          hint: 'Try again. If it keeps happening, contact support@runframe.io with the request id.',
        });
      }
      return new AppError('provider_rejected', `${displayName} refused the request (HTTP ${f.status}).`, {
        hint: 'Try again. If it keeps happening, contact support@runframe.io with the request id.',
      });
    case 'unavailable':
      return new AppError('provider_unavailable', `${displayName} is unavailable right now — try again.`, {
        hint: `Try again in a minute. If it persists, check ${displayName}'s status page.`,
      });
  }
}
