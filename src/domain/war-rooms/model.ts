import type { warRooms } from '../../platform/db/schema.ts';

export type WarRoomRow = typeof warRooms.$inferSelect;
export type WarRoomState = 'creating' | 'active' | 'ended' | 'expired' | 'failed';

export interface WarRoomView {
  id: string;
  provider: string;
  providerName: string;
  state: WarRoomState;
  /** Not started · Live · Empty (everyone left; the same link starts the call again), as the provider reports it. */
  liveStatus: 'not_started' | 'live' | 'empty';
  meetingId: string | null;
  /** What people type to join, when the provider has one apart from the meeting ID. */
  meetingCode: string | null;
  joinUrl: string | null;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  endedAt: string | null;
  endedReason: string | null;
  failure: { message: string; hint: string | null } | null;
}

const STATES: readonly WarRoomState[] = ['creating', 'active', 'ended', 'expired', 'failed'];

/** An active war room past its expiry is shown, and treated, as expired even before the row is updated. */
export function toWarRoomView(row: WarRoomRow, providerName: string, now: Date): WarRoomView {
  const stored = STATES.find((s) => s === row.state) ?? 'failed';
  const state: WarRoomState = stored === 'active' && row.expiresAt <= now ? 'expired' : stored;
  return {
    id: row.id,
    provider: row.provider,
    providerName,
    state,
    liveStatus: row.liveStatus === 'live' ? 'live' : row.liveStatus === 'empty' ? 'empty' : 'not_started',
    meetingId: row.providerMeetingId,
    meetingCode: row.meetingCode,
    joinUrl: row.joinUrl,
    createdBy: row.createdByLabel,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    endedAt: row.endedAt ? row.endedAt.toISOString() : state === 'expired' ? row.expiresAt.toISOString() : null,
    endedReason: row.endedReason ?? (state === 'expired' ? 'expired' : null),
    failure: row.failureMessage ? { message: row.failureMessage, hint: row.failureHint } : null,
  };
}

/** The marker written at the start of the agenda (list views may shorten agendas). */
export const attemptMarker = (warRoomId: string): string => `rf-war-room:${warRoomId}`;
