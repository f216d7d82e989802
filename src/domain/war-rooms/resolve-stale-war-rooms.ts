import { and, asc, eq, lte } from 'drizzle-orm';
import { warRooms } from '../../platform/db/schema.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Deps, RequestMeta } from '../context.ts';
import { findIncident } from '../incidents/require-incident.ts';
import { addTimelineEntry } from '../timeline/add-timeline-entry.ts';
import { ENDING_MEETING_NOTE, recordMeeting } from './end-war-rooms.ts';
import { isCreatingHere } from './in-flight.ts';
import type { WarRoomRow } from './model.ts';
import { MeetingError, meetingLabel, staleCreatingMs, type MadeMeeting, type MeetingPort, type WarRoomTiming } from './port.ts';

export const stoppedBeforeAnswer = (name: string): string => `Runframe stopped before ${name} answered; no meeting was created. Try again.`;
/** For a provider Runframe cannot search: whether a meeting was made is unknown, and nobody has its link. */
const stoppedUnsearchable = (name: string): string => `Runframe stopped before ${name} answered, so this war room has no link. Try again.`;
const notChecked = (name: string): string =>
  `Runframe stopped before ${name} answered, and ${name} could not be asked whether the meeting was made. Try again: Runframe looks for it before creating another.`;

/** A `creating` row nobody in this process is working on, older than any live create can take. */
export function isStaleCreating(row: WarRoomRow, now: Date, timing: WarRoomTiming): boolean {
  return row.state === 'creating' && now.getTime() - row.createdAt.getTime() >= staleCreatingMs(timing) && !isCreatingHere(row.id);
}

export interface ResolveStaleArgs {
  deps: Deps;
  meetings: MeetingPort;
  meta: RequestMeta;
  row: WarRoomRow;
}

/**
 * A war room stuck in `creating` (its process stopped between claiming the slot and recording the
 * provider's answer): find the meeting by the attempt's marker and adopt it, or mark the attempt
 * failed so Create War Room works again. Never creates a meeting. Returns whether this call settled it.
 */
export async function resolveStaleWarRoom({ deps, meetings, meta, row }: ResolveStaleArgs): Promise<boolean> {
  const name = meetings.displayName(row.provider);
  let found: MadeMeeting | null = null;
  let searched = true;
  try {
    found = await meetings.findMeetingByMarker(row.orgId, row.provider, row.attemptMarker);
  } catch (err) {
    searched = false;
    if (err instanceof MeetingError) deps.log.warn({ warRoomId: row.id, reason: err.message }, 'could not search the provider for a stale war room’s meeting');
    else deps.log.error({ err, warRoomId: row.id }, 'searching for a stale war room’s meeting failed unexpectedly');
  }
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    let settled: WarRoomRow | undefined;
    let stillActive = false;
    let endMeeting = false;
    if (found) {
      // As for a create: under the incident's lock, active or (resolved meanwhile) ended at once.
      const r = await recordMeeting(tx, deps.clock, row, found, now);
      if (r) ({ recorded: settled, stillActive, endMeeting } = r);
    } else {
      // Conditional on `creating`: of two sweepers (or a sweeper and a late creator) exactly one settles it.
      // Not searched: the next Create War Room searches again (outcome_unknown) before creating.
      [settled] = await tx
        .update(warRooms)
        .set({ state: 'failed', failureMessage: !meetings.canFindLostMeetings(row.provider) ? stoppedUnsearchable(name) : searched ? stoppedBeforeAnswer(name) : notChecked(name), failureHint: null, outcomeUnknown: !searched, endedAt: now })
        .where(and(eq(warRooms.id, row.id), eq(warRooms.state, 'creating')))
        .returning();
    }
    // Read after recordMeeting took the incident's lock, so its status is the one the war room reflects.
    const incident = await findIncident(tx, row.orgId, row.incidentId);
    if (!settled || !incident) return Boolean(settled);
    const body = found
      ? `${name} war room recovered after Runframe stopped while creating it (${meetingLabel(found)}).` +
        (stillActive ? ' Join from the incident page.' : ` It is ended: the incident is ${incident.status}.${endMeeting ? ENDING_MEETING_NOTE : ''}`)
      : `${name} war room could not be created: ${settled.failureMessage ?? ''}`;
    await addTimelineEntry(tx, deps.clock, {
      orgId: row.orgId,
      incidentId: row.incidentId,
      kind: 'war_room',
      actorUserId: null,
      actorLabel: 'Runframe',
      body,
      data: { provider: row.provider, state: settled.state, recovered: true, warRoomId: row.id, ...(found ? { meetingId: found.meetingId } : { code: 'provider_unavailable' }) },
    });
    await recordAudit(tx, deps.clock, meta, {
      orgId: row.orgId,
      actorUserId: null,
      actorLabel: 'Runframe',
      action: found ? 'war_room.created' : 'war_room.failed',
      targetType: 'incident',
      targetId: row.incidentId,
      metadata: {
        incident: incident.reference,
        provider: row.provider,
        recovered_after_stop: true,
        ...(found ? { meeting_id: found.meetingId } : { reason: settled.failureMessage ?? '' }),
      },
    });
    return true;
  });
}

/** The periodic sweep: settles every stale `creating` war room, oldest first, in bounded batches. */
export async function resolveStaleWarRooms(args: { deps: Deps; meetings: MeetingPort; timing: WarRoomTiming; meta: RequestMeta; limit?: number }): Promise<number> {
  const { deps } = args;
  const now = deps.clock.now();
  const cutoff = new Date(now.getTime() - staleCreatingMs(args.timing));
  const stale = await deps.db
    .select()
    .from(warRooms)
    .where(and(eq(warRooms.state, 'creating'), lte(warRooms.createdAt, cutoff)))
    .orderBy(asc(warRooms.createdAt))
    .limit(args.limit ?? 50);
  let settled = 0;
  for (const row of stale) {
    if (!isStaleCreating(row, now, args.timing)) continue;
    try {
      if (await resolveStaleWarRoom({ deps, meetings: args.meetings, meta: args.meta, row })) settled++;
    } catch (err) {
      deps.log.error({ err, warRoomId: row.id }, 'could not settle a stale war room');
    }
  }
  return settled;
}
