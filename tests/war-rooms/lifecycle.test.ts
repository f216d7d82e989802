import assert from 'node:assert/strict';
import { test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { jobs, timelineEntries, warRooms } from '../../src/platform/db/schema.ts';
import { runOneJob } from '../../src/platform/jobs/queue.ts';
import { STALE_WAR_ROOMS_JOB, warRoomJobs } from '../../src/jobs/war-rooms.ts';
import { meetingPort } from '../../src/integrations/hub/meetings.ts';
import { applyMeetingEvent } from '../../src/domain/war-rooms/apply-meeting-event.ts';
import { createWarRoom } from '../../src/domain/war-rooms/create-war-room.ts';
import { END_MEETING_JOB } from '../../src/domain/war-rooms/end-war-rooms.ts';
import type { MeetingPort } from '../../src/domain/war-rooms/port.ts';
import { makeTestApp, type Member } from '../support/app.ts';
import { connectZoom, startZoom } from '../support/zoom.ts';

// The war room's lifecycle at its edges: an incident resolved while Zoom is still creating the
// meeting, and a war room that has expired before anything else happens to it.
const { sandbox, zoom } = await startZoom();
const t = await makeTestApp({ zoom });
const port = meetingPort(t.deps);

const counts = async () => (await sandbox.control<{ counts: Record<string, number> }>('GET', '/calls')).json.counts;
const endCalls = async () => (await counts())['PUT /v2/meetings/:meetingId/status'] ?? 0;
const DAY = 24 * 3_600_000;

async function orgWithZoom(opts: { endMeetingOnResolve?: boolean } = {}): Promise<Member> {
  const o = await t.owner();
  await connectZoom(t, o);
  if (opts.endMeetingOnResolve) assert.equal((await t.page(o, 'POST', '/organization/war-room-settings', { endMeetingOnResolve: 'on' })).status, 303);
  return o;
}
async function incident(o: Member, title: string) {
  return (await t.api(o, 'POST', '/api/v1/incidents', { title, severity: 'SEV1' })).json.incident;
}
const create = (m: Member, id: string) => t.api(m, 'POST', `/api/v1/incidents/${id}/war-room`, {});
const resolve = (m: Member, id: string) => t.api(m, 'POST', `/api/v1/incidents/${id}/status`, { status: 'resolved' });
const timeline = async (m: Member, id: string) => (await t.api(m, 'GET', `/api/v1/incidents/${id}/timeline`)).json.entries.map((e) => e.body);
const current = async (m: Member, id: string) =>
  (await t.api(m, 'GET', `/api/v1/incidents/${id}/war-room`)).json as unknown as { warRoom: { state: string } | null; history: { state: string; meetingId: string; endedReason: string }[] };
const rowsOf = (incidentId: string) => t.deps.db.select().from(warRooms).where(eq(warRooms.incidentId, incidentId));
const endJobsFor = (warRoomId: string) => t.deps.db.select().from(jobs).where(and(eq(jobs.kind, END_MEETING_JOB), eq(jobs.dedupeKey, `end-meeting:${warRoomId}`)));

async function runJobs() {
  while (await runOneJob(t.deps.db, t.deps.clock, t.deps.log, warRoomJobs(t.deps))) {
    // run what is due
  }
}

/** The real sandbox makes the meeting; the incident is resolved after Zoom answered and before Runframe records the answer. */
function resolvingAfterZoomAnswers(o: Member, incidentId: string): MeetingPort {
  return {
    ...port,
    async createMeeting(...a) {
      const made = await port.createMeeting(...a);
      assert.equal((await resolve(o, incidentId)).status, 200);
      return made;
    },
  };
}

for (const endMeetingOnResolve of [false, true]) {
  test(`an incident resolved while Zoom was creating its meeting gets no joinable war room: recorded as ended${endMeetingOnResolve ? ', and the meeting is ended as the setting asks' : ''}`, async () => {
    const o = await orgWithZoom({ endMeetingOnResolve });
    const inc = await incident(o, `Resolved mid-create ${endMeetingOnResolve}`);
    const res = await createWarRoom({ ctx: t.ctxFor(o), meetings: resolvingAfterZoomAnswers(o, inc.id), timing: t.deps.warRoomTiming, incidentRef: inc.id, input: {} });
    assert.equal(res.warRoom.state, 'ended');
    assert.equal(res.warRoom.endedReason, 'incident resolved');
    assert.match(res.warRoom.meetingId ?? '', /^\d+$/, 'the meeting Zoom made is recorded');

    const [row] = await rowsOf(inc.id);
    assert.equal(row?.state, 'ended');
    assert.equal(row?.providerMeetingId, res.warRoom.meetingId);
    const s = await current(o, inc.id);
    assert.equal(s.warRoom, null, 'nothing to join');
    assert.equal(s.history[0]?.meetingId, res.warRoom.meetingId, 'the meeting stays in the incident’s history');
    const page = await t.page(o, 'GET', `/incidents/${inc.number}`);
    assert.doesNotMatch(page.text, /Join Zoom war room/);
    assert.match(page.text, /Link no longer active/);

    const entry = (await timeline(o, inc.id)).find((b) => b.startsWith('Zoom war room created'));
    assert.equal(
      entry,
      `Zoom war room created (meeting ID ${res.warRoom.meetingId}) after ${inc.reference} was resolved, so it is ended.${endMeetingOnResolve ? ' Ending the meeting for everyone: the outcome follows on this timeline.' : ''}`,
    );
    assert.equal((await endJobsFor(res.warRoom.id)).length, endMeetingOnResolve ? 1 : 0);
    const before = await endCalls();
    await runJobs();
    assert.equal((await endCalls()) - before, endMeetingOnResolve ? 1 : 0, 'Zoom is asked to end the meeting only when the organization chose that');
    assert.equal((await timeline(o, inc.id)).filter((b) => b === 'Zoom meeting ended for everyone.').length, endMeetingOnResolve ? 1 : 0, 'the outcome is on the timeline once Zoom did it');
  });
}

test('a war room that expired before its incident was resolved stays expired: no "ended" entry, and its meeting is not ended again', async () => {
  const o = await orgWithZoom({ endMeetingOnResolve: true });
  const inc = await incident(o, 'Resolved the day after');
  const w = (await create(o, inc.id)).json.warRoom;
  t.clock.advance(DAY + 1000);
  try {
    const before = await endCalls();
    assert.equal((await resolve(o, inc.id)).status, 200);
    const [row] = await rowsOf(inc.id);
    assert.equal(row?.state, 'expired');
    assert.equal(row?.endedReason, 'expired');
    assert.equal(row?.endedAt?.toISOString(), row?.expiresAt.toISOString(), 'ended when it expired, not when the incident was resolved');
    assert.ok(!(await timeline(o, inc.id)).some((b) => b.startsWith('War room ended')));
    assert.equal((await endJobsFor(w.id)).length, 0, 'no call queued to end an expired meeting');
    await runJobs();
    assert.equal((await endCalls()) - before, 0);
    assert.equal((await current(o, inc.id)).history[0]?.state, 'expired');
  } finally {
    t.clock.advance(-(DAY + 1000));
  }
});

test('meeting.started and meeting.ended for an expired war room change nothing and add nothing to the timeline', async () => {
  const o = await orgWithZoom();
  const inc = await incident(o, 'Meeting ends after expiry');
  const w = (await create(o, inc.id)).json.warRoom;
  const entries = async () => (await t.deps.db.select().from(timelineEntries).where(eq(timelineEntries.incidentId, inc.id))).length;
  const before = await entries();
  t.clock.advance(DAY + 1000);
  try {
    for (const type of ['started', 'ended'] as const) {
      assert.equal(await applyMeetingEvent(t.deps.db, t.clock, { provider: 'zoom', providerName: 'Zoom', meetingId: w.meetingId, type, at: t.clock.now() }), 0, type);
    }
    const [row] = await rowsOf(inc.id);
    assert.notEqual(row?.state, 'ended', 'not relabelled "ended"');
    assert.equal(row?.liveStatus, 'not_started');
    assert.equal(await entries(), before);
    assert.equal((await current(o, inc.id)).history[0]?.state, 'expired');
  } finally {
    t.clock.advance(-(DAY + 1000));
  }
  // An unexpired war room still follows the provider.
  const fresh = await incident(o, 'Meeting ends in time');
  const f = (await create(o, fresh.id)).json.warRoom;
  assert.equal(await applyMeetingEvent(t.deps.db, t.clock, { provider: 'zoom', providerName: 'Zoom', meetingId: f.meetingId, type: 'ended', at: t.clock.now() }), 1);
  const after = (await current(o, fresh.id)).warRoom as { state: string; liveStatus?: string } | null;
  assert.equal(after?.state, 'active', 'an emptied call keeps the war room');
  assert.equal(after?.liveStatus, 'empty');
});

test('the periodic war-room sweep marks expired war rooms expired in the database, and leaves the others alone', async () => {
  const o = await orgWithZoom();
  const old = await incident(o, 'Expires first');
  const oldRoom = (await create(o, old.id)).json.warRoom;
  t.clock.advance(12 * 3_600_000);
  const young = await incident(o, 'Expires later');
  const youngRoom = (await create(o, young.id)).json.warRoom;
  t.clock.advance(12 * 3_600_000 + 1000);
  try {
    const sweep = warRoomJobs(t.deps)[STALE_WAR_ROOMS_JOB];
    assert.ok(sweep);
    await sweep({});
    const [expired] = await rowsOf(old.id);
    assert.equal(expired?.id, oldRoom.id);
    assert.equal(expired?.state, 'expired', 'expired in the database, not only when read');
    assert.equal(expired?.endedAt?.toISOString(), expired?.expiresAt.toISOString());
    const [active] = await rowsOf(young.id);
    assert.equal(active?.id, youngRoom.id);
    assert.equal(active?.state, 'active');
  } finally {
    t.clock.advance(-(24 * 3_600_000 + 1000));
  }
});
