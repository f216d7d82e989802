import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { and, eq, ne } from 'drizzle-orm';
import { warRooms } from '../../src/platform/db/schema.ts';
import { meetingPort } from '../../src/integrations/hub/meetings.ts';
import { createWarRoom } from '../../src/domain/war-rooms/create-war-room.ts';
import type { MeetingPort } from '../../src/domain/war-rooms/port.ts';
import { attemptMarker } from '../../src/domain/war-rooms/model.ts';
import { AppError } from '../../src/shared/errors.ts';
import { makeTestApp, type Member } from '../support/app.ts';
import { startZoom, ownerWithZoom, declareSev1 } from '../support/zoom.ts';

// An earlier attempt's "outcome unknown" flag is cleared only in the transaction that records its
// meeting on the new war room (decision 0001). If the new war room is settled by someone else before
// that, the meeting is linked to nothing: the earlier attempt must stay flagged for the next click.

const { zoom } = await startZoom();
const t = await makeTestApp({ zoom });
const port = meetingPort(t.deps);
const STOPPED = 'Runframe stopped before Zoom answered; no meeting was created. Try again.';

const row = async (id: string) => (await t.deps.db.select().from(warRooms).where(eq(warRooms.id, id)))[0];

/** A failed attempt whose answer never came, and the meeting Zoom made for it (through the real client). */
async function uncertainAttempt(o: Member, inc: { id: string }) {
  const id = randomUUID();
  const createdAt = new Date(t.clock.now().getTime() - 10 * 60_000);
  await t.deps.db.insert(warRooms).values({
    id,
    orgId: o.orgId,
    incidentId: inc.id,
    provider: 'zoom',
    state: 'failed',
    failureMessage: 'Zoom is unavailable right now — try again.',
    outcomeUnknown: true,
    attemptMarker: attemptMarker(id),
    createdBy: o.userId,
    createdByLabel: o.name,
    createdAt,
    endedAt: createdAt,
    expiresAt: new Date(createdAt.getTime() + 24 * 3_600_000),
  });
  const meeting = await port.createMeeting(o.orgId, 'zoom', { topic: '[SEV1] earlier attempt', agenda: `${attemptMarker(id)}\nWar room`, startTime: t.clock.now(), durationMinutes: 60 });
  return { id, meeting };
}

/**
 * The real port (the sandbox answers), except that once the earlier attempt's meeting has been found,
 * the new war room is settled as another process's stale-war-room sweep would: Zoom has no meeting
 * with the new attempt's marker, so "failed, Runframe stopped".
 */
function portSettlingNewRowAfterAdoption(incidentId: string, earlierId: string): MeetingPort {
  return {
    ...port,
    async findMeetingByMarker(orgId, providerId, marker) {
      const found = await port.findMeetingByMarker(orgId, providerId, marker);
      if (found && marker === attemptMarker(earlierId)) {
        const settled = await t.deps.db
          .update(warRooms)
          .set({ state: 'failed', failureMessage: STOPPED, outcomeUnknown: false, endedAt: t.clock.now() })
          .where(and(eq(warRooms.incidentId, incidentId), ne(warRooms.id, earlierId), eq(warRooms.state, 'creating')))
          .returning();
        assert.equal(settled.length, 1, 'the new war room was creating, and is now settled by "someone else"');
      }
      return found;
    },
  };
}

test('an adopted meeting that could not be recorded (the new war room was settled meanwhile): the earlier attempt stays "outcome unknown"', async () => {
  const o = await ownerWithZoom(t);
  const inc = await declareSev1(t, o, 'Adopted but not recorded');
  const earlier = await uncertainAttempt(o, inc);
  const meetings = portSettlingNewRowAfterAdoption(inc.id, earlier.id);
  await assert.rejects(
    createWarRoom({ ctx: t.ctxFor(o), meetings, timing: t.deps.warRoomTiming, incidentRef: inc.id, input: {} }),
    (err) => err instanceof AppError && err.code === 'provider_unavailable',
  );
  const rows = await t.deps.db.select().from(warRooms).where(eq(warRooms.incidentId, inc.id));
  assert.equal(rows.length, 2);
  assert.ok(rows.every((r) => r.state === 'failed' && r.providerMeetingId === null), 'the meeting is recorded on no war room');
  assert.equal((await row(earlier.id))?.outcomeUnknown, true, 'the earlier attempt is still flagged: the next click looks for its meeting again');

  // And the next click does adopt it.
  const r = await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/war-room`, {});
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.warRoom.meetingId, earlier.meeting.meetingId);
  assert.equal((await row(earlier.id))?.outcomeUnknown, false, 'cleared once the meeting is recorded');
});

test('an adopted meeting recorded on the new war room clears the earlier attempt\'s flag', async () => {
  const o = await ownerWithZoom(t);
  const inc = await declareSev1(t, o, 'Adopted and recorded');
  const earlier = await uncertainAttempt(o, inc);
  const r = await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/war-room`, {});
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.warRoom.meetingId, earlier.meeting.meetingId);
  assert.equal((await row(earlier.id))?.outcomeUnknown, false);
});
