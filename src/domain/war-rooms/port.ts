import type { AppError } from '../../shared/errors.ts';

/** What the war-room rules need from meeting providers; the integrations hub implements it. */
export interface MeetingPort {
  /** Every provider Runframe offers, in order of preference, connected or not. */
  availableProviders(): { id: string; displayName: string }[];
  /** Providers the organization has connected, first the preferred one. */
  connectedProviders(orgId: string): Promise<{ id: string; displayName: string }[]>;
  displayName(providerId: string): string;
  createMeeting(orgId: string, providerId: string, request: { topic: string; agenda: string; startTime: Date; durationMinutes: number }): Promise<MadeMeeting>;
  /**
   * A create on this provider is likely to follow: the port may read what it needs for it (the
   * connection and its token) meanwhile. A hint only; nothing happens at the provider.
   */
  prepareCreate?(orgId: string, providerId: string): void;
  /** A meeting an earlier attempt made, found by the marker in its agenda (null also when the provider cannot be searched). */
  findMeetingByMarker(orgId: string, providerId: string, marker: string): Promise<MadeMeeting | null>;
  endMeeting(orgId: string, providerId: string, meetingId: string): Promise<void>;
  /** Whether a meeting whose create answer was lost can be found again (by its marker); false when the provider cannot list meetings. */
  canFindLostMeetings(providerId: string): boolean;
  /** Providers whose call state Runframe asks for (they send no meeting webhooks). */
  polledProviders(): string[];
  /** The call's state as the provider reports it now; `at` is when it started (live) or ended (empty). */
  liveStatus(orgId: string, providerId: string, meetingId: string): Promise<{ status: 'not_started' | 'live' | 'empty'; at: Date | null }>;
}

/** A meeting a provider made: its key, its join link, and the code people type when it has one. */
export interface MadeMeeting {
  meetingId: string;
  joinUrl: string;
  meetingCode?: string | undefined;
}

/** How a meeting is named on the timeline: by the code people type when it has one, else by its ID. */
export const meetingLabel = (m: MadeMeeting | { meetingId: string; meetingCode?: string | null | undefined }): string => (m.meetingCode ? `meeting code ${m.meetingCode}` : `meeting ID ${m.meetingId}`);

/** A provider failure, already explained for the user, plus what the caller may do about it. */
export class MeetingError extends Error {
  constructor(
    readonly appError: AppError,
    /** Worth trying again in a moment (outage, timeout, dropped connection). */
    readonly retryable: boolean,
    /** The request may have reached the provider: the meeting might exist. */
    readonly outcomeUnknown: boolean,
  ) {
    super(appError.message);
    this.name = 'MeetingError';
  }
}

export interface WarRoomTiming {
  /** How long a war room stays joinable. */
  ttlMs: number;
  /** Pauses between bounded retries of a create that met an outage. */
  retryDelaysMs: number[];
  /**
   * A `creating` war room older than this is presumed abandoned (its process stopped before the
   * provider answered) and is resolved by searching for its marker. Default: STALE_CREATING_MS.
   */
  staleCreatingMs?: number;
}

export const STALE_CREATING_MS = 2 * 60_000;

export const staleCreatingMs = (timing: WarRoomTiming): number => timing.staleCreatingMs ?? STALE_CREATING_MS;

/** A create starts no new provider attempt once its row is this old (half the stale threshold: one minute). */
export const stopRetryingMs = (timing: WarRoomTiming): number => staleCreatingMs(timing) / 2;

/**
 * When a caller waiting for another's create stops waiting. A create starts its last attempt before
 * `stopRetryingMs` and has the rest of the stale threshold to finish it (the provider call, then the
 * marker search): so the longest create is over by the time its row counts as stale, and then the
 * waiter settles the row as any click would (resolveStaleWarRoom).
 */
export const creatingWaitEndsAt = (row: { createdAt: Date }, timing: WarRoomTiming): number => row.createdAt.getTime() + staleCreatingMs(timing);
