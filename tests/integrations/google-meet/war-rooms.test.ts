import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eq } from 'drizzle-orm';
import { warRooms } from '../../../src/platform/db/schema.ts';
import { runOneJob } from '../../../src/platform/jobs/queue.ts';
import { warRoomJobs } from '../../../src/jobs/war-rooms.ts';
import { pollLiveStatuses } from '../../../src/domain/war-rooms/poll-live-status.ts';
import { meetingPort } from '../../../src/integrations/hub/meetings.ts';
import { makeTestApp, type Member } from '../../support/app.ts';
import { until } from '../../support/until.ts';
import { connectGoogle, googleCard, startGoogle, NO_MEET } from '../../support/google.ts';

// Google Meet war rooms over HTTP against the Google sandbox: one per incident whatever the clicks,
// one refresh for many creates, clear messages for Google's failures, ending on resolve, the badge.
const { sandbox, google } = await startGoogle();
const t = await makeTestApp({ google });
// The sandbox enforces Google's 10 creates a minute per user; the concurrency tests make more.
await sandbox.control('POST', '/settings', { quotas: false });

const incident = async (m: Member, title: string) => (await t.api(m, 'POST', '/api/v1/incidents', { title, severity: 'SEV1' })).json.incident;
const create = (m: Member, id: string) => t.api(m, 'POST', `/api/v1/incidents/${id}/war-room`, { provider: 'google_meet' });
const calls = async () => (await sandbox.control<{ counts: Record<string, number> }>('GET', '/calls')).json.counts;
const count = async (key: string) => (await calls())[key] ?? 0;
const fault = (endpoint: string, f: Record<string, unknown>, times = 1) => sandbox.control('POST', '/faults', { endpoint, times, fault: f });
const timeline = async (m: Member, id: string) => (await t.api(m, 'GET', `/api/v1/incidents/${id}/timeline`)).json.entries.map((e) => e.body);

async function runJobs() {
  while (await runOneJob(t.deps.db, t.deps.clock, t.deps.log, warRoomJobs(t.deps))) {
    // run what is due
  }
}
/** One run of the periodic war_room.poll_live job. */
const poll = () => pollLiveStatuses({ deps: t.deps, meetings: meetingPort(t.deps) });

async function ownerWithMeet(): Promise<Member> {
  const o = await t.owner();
  assert.equal((await connectGoogle(t, o)).result, 'connected');
  return o;
}

test('20 concurrent Create War Room on one incident make one Meet space and one war room', async () => {
  const o = await ownerWithMeet();
  const inc = await incident(o, 'Twenty clicks');
  const before = await count('POST /v2/spaces');
  const answers = await Promise.all(Array.from({ length: 20 }, () => create(o, inc.id)));
  for (const r of answers) assert.ok([200, 201].includes(r.status), r.text);
  assert.equal(answers.filter((r) => r.status === 201).length, 1);
  assert.equal(new Set(answers.map((r) => r.json.warRoom.joinUrl)).size, 1);
  assert.equal((await count('POST /v2/spaces')) - before, 1, 'Google was asked once');
  assert.equal((await t.deps.db.select().from(warRooms).where(eq(warRooms.incidentId, inc.id))).length, 1);
});

test('an expired access token: 20 concurrent creates on 20 incidents share one refresh', async () => {
  const o = await ownerWithMeet();
  const incidents = await Promise.all(Array.from({ length: 20 }, (_, i) => incident(o, `Burst ${i}`)));
  t.clock.advance(3_600_000); // past the token's hour
  const refreshes = await count('POST /token:refresh_token');
  const answers = await Promise.all(incidents.map((i) => create(o, i.id)));
  for (const r of answers) assert.equal(r.status, 201, r.text);
  assert.equal((await count('POST /token:refresh_token')) - refreshes, 1);
  assert.equal(new Set(answers.map((r) => r.json.warRoom.meetingId)).size, 20);
});

test('a 401 from Meet: one refresh, one retry, the war room is made', async () => {
  const o = await ownerWithMeet();
  const inc = await incident(o, 'Token refused');
  const refreshes = await count('POST /token:refresh_token');
  await fault('POST /v2/spaces', { kind: 'google_error', status: 401, rpcStatus: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials.' });
  const r = await create(o, inc.id);
  assert.equal(r.status, 201, r.text);
  assert.equal((await count('POST /token:refresh_token')) - refreshes, 1);
});

test('an account with Meet turned off (403): "cannot create meetings", on the card too', async () => {
  const o = await t.owner();
  assert.equal((await connectGoogle(t, o, { account: NO_MEET })).result, 'connected');
  const inc = await incident(o, 'No Meet');
  const r = await create(o, inc.id);
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.error.message, 'The connected Google account cannot create meetings: Google Meet is turned off for it, or its Workspace admin does not allow meetings anyone with the link can join.');
  const card = await googleCard(t, o);
  assert.match(card.html, /Google Meet user cannot create a meeting\./);
  assert.ok((await timeline(o, inc.id)).some((b: string) => b.startsWith('Google Meet war room could not be created: The connected Google account cannot create meetings')));
});

test('429 from Meet: rate limited, with when to retry; 5xx: unavailable, retried, then said plainly', async () => {
  const o = await ownerWithMeet();
  const limited = await incident(o, 'Rate limited');
  await fault('POST /v2/spaces', { kind: 'rate_limit' });
  let r = await create(o, limited.id);
  assert.equal(r.status, 429, r.text);
  assert.equal(r.json.error.message, 'Google Meet is rate limiting Runframe; try again in 60 seconds.');
  assert.equal(r.headers.get('retry-after'), '60');

  const down = await incident(o, 'Meet down');
  const before = await count('POST /v2/spaces');
  await fault('POST /v2/spaces', { kind: 'google_error', status: 503, rpcStatus: 'UNAVAILABLE', message: 'The service is currently unavailable.' }, 3);
  r = await create(o, down.id);
  assert.equal(r.status, 503, r.text);
  assert.equal(r.json.error.message, 'Google Meet is unavailable right now — try again.');
  assert.equal((await count('POST /v2/spaces')) - before, 3, 'the first try and two retries');
  // And it works once Google is back.
  r = await create(o, down.id);
  assert.equal(r.status, 201, r.text);
});

test('nothing from Google beyond the space name, meeting code and join URI is stored', async () => {
  const o = await ownerWithMeet();
  const inc = await incident(o, 'Stored fields');
  const r = await create(o, inc.id);
  assert.equal(r.status, 201, r.text);
  const space = (await sandbox.control<{ spaces: { name: string; meetingCode: string; meetingUri: string; config: Record<string, unknown>; phoneAccess?: unknown }[] }>('GET', '/spaces')).json.spaces.find(
    (s) => s.meetingUri === r.json.warRoom.joinUrl,
  );
  assert.ok(space);
  const [row] = await t.deps.db.select().from(warRooms).where(eq(warRooms.incidentId, inc.id));
  assert.equal(row?.providerMeetingId, space.name);
  assert.equal(row?.meetingCode, space.meetingCode);
  assert.equal(row?.joinUrl, space.meetingUri);
  const stored = JSON.stringify(row);
  for (const other of ['OPEN', 'entryPointAccess', 'accessType', 'phoneAccess', 'conferenceRecords/']) assert.ok(!stored.includes(other), `${other} is not stored`);
});

test('resolve with "end the meeting" on ends the active conference; the live badge follows conference records', async () => {
  const o = await ownerWithMeet();
  assert.equal((await t.page(o, 'POST', '/organization/war-room-settings', { endMeetingOnResolve: 'on' })).status, 303);
  const inc = await incident(o, 'Resolve ends the call');
  const made = await create(o, inc.id);
  assert.equal(made.status, 201, made.text);
  const spaceId = String(made.json.warRoom.meetingId).replace('spaces/', '');
  const badge = async () => ((await t.api(o, 'GET', `/api/v1/incidents/${inc.id}/war-room`)).json as unknown as { warRoom: { liveStatus: string } | null }).warRoom?.liveStatus;

  await poll();
  assert.equal(await badge(), 'not_started');
  const joined = await sandbox.control<{ participant: string }>('POST', `/spaces/${spaceId}/join`, { displayName: 'Responder' });
  assert.equal(joined.status, 200, JSON.stringify(joined.json));
  t.clock.advance(61_000);
  await poll();
  assert.equal(await badge(), 'live');
  assert.ok((await timeline(o, inc.id)).includes('Google Meet war room is live.'));

  const resolved = await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/status`, { status: 'resolved' });
  assert.equal(resolved.status, 200, resolved.text);
  const ends = await count('POST /v2/spaces/:space:endActiveConference');
  await runJobs();
  assert.equal((await count('POST /v2/spaces/:space:endActiveConference')) - ends, 1);
  const records = (await sandbox.control<{ conferenceRecords: { space: string; endTime?: string }[] }>('GET', '/conference-records')).json.conferenceRecords.filter((c) => c.space === made.json.warRoom.meetingId);
  assert.equal(records.length, 1);
  assert.ok(records[0]?.endTime, 'the conference was ended at Google');
  assert.ok((await timeline(o, inc.id)).includes('Google Meet meeting ended for everyone.'));
});

test('the badge goes Empty when everyone leaves, and the poll is bounded to once a minute per war room', async () => {
  const o = await ownerWithMeet();
  const inc = await incident(o, 'Badge');
  const made = await create(o, inc.id);
  const spaceId = String(made.json.warRoom.meetingId).replace('spaces/', '');
  const joined = await sandbox.control<{ participant: { name: string } | string }>('POST', `/spaces/${spaceId}/join`, { displayName: 'Responder' });
  t.clock.advance(61_000);
  await poll();
  const participant = typeof joined.json.participant === 'string' ? joined.json.participant : joined.json.participant.name;
  await sandbox.control('POST', `/spaces/${spaceId}/leave`, { participant });
  // Within the minute nothing is asked again.
  const lists = await count('GET /v2/conferenceRecords');
  await poll();
  assert.equal((await count('GET /v2/conferenceRecords')) - lists, 0);
  t.clock.advance(61_000);
  await poll();
  const w = ((await t.api(o, 'GET', `/api/v1/incidents/${inc.id}/war-room`)).json as unknown as { warRoom: { liveStatus: string; state: string } }).warRoom;
  assert.equal(w.liveStatus, 'empty');
  assert.equal(w.state, 'active', 'the room stays joinable');
});

test('a lost spaces.create answer: the retry makes the war room, the incident still has exactly one (decision 0011)', async () => {
  const o = await ownerWithMeet();
  const inc = await incident(o, 'Lost answer');
  const before = (await sandbox.control<{ spaces: { meetingUri: string }[] }>('GET', '/spaces')).json.spaces.length;
  await fault('POST /v2/spaces', { kind: 'drop_after_processing' });
  const r = await create(o, inc.id);
  assert.equal(r.status, 201, r.text);
  const spaces = (await sandbox.control<{ spaces: { meetingUri: string }[] }>('GET', '/spaces')).json.spaces;
  assert.equal(spaces.length - before, 2, 'the lost call made a space nobody was given, the retry another');
  assert.equal(spaces.at(-1)?.meetingUri, r.json.warRoom.joinUrl, 'the war room links the space whose answer arrived');
  const rows = await t.deps.db.select().from(warRooms).where(eq(warRooms.incidentId, inc.id));
  assert.deepEqual(rows.map((w) => w.state), ['active']);
});

test('resolve with "end the meeting" on and nobody in the call: Google’s FAILED_PRECONDITION counts as ended', async () => {
  const o = await ownerWithMeet();
  assert.equal((await t.page(o, 'POST', '/organization/war-room-settings', { endMeetingOnResolve: 'on' })).status, 303);
  const inc = await incident(o, 'Nobody joined');
  assert.equal((await create(o, inc.id)).status, 201);
  assert.equal((await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/status`, { status: 'resolved' })).status, 200);
  const ends = await count('POST /v2/spaces/:space:endActiveConference');
  await runJobs();
  assert.equal((await count('POST /v2/spaces/:space:endActiveConference')) - ends, 1);
  const bodies = await timeline(o, inc.id);
  assert.ok(bodies.includes('Google Meet meeting ended for everyone.'), bodies.join('\n'));
});

test('a poll that learns nothing new does not wake the incident’s open pages', async () => {
  const o = await ownerWithMeet();
  const inc = await incident(o, 'Quiet poll');
  assert.equal((await create(o, inc.id)).status, 201);
  t.clock.advance(61_000);
  let woken = 0;
  const stop = t.live.watch(inc.id, () => woken++);
  try {
    // On PostgreSQL the create's notifications may still be on their way. Notifications arrive in
    // commit order: once a later change to another incident is heard, they all have. Count from there.
    const since = t.live.position();
    const sentinel = await incident(o, 'Sentinel');
    await until('the later change is heard', async () => t.live.changedSince(sentinel.id, since));
    woken = 0;
    await poll(); // stamps live_checked_at; the call has not started
    const [row] = await t.deps.db.select().from(warRooms).where(eq(warRooms.incidentId, inc.id));
    assert.ok(row?.liveCheckedAt, 'the war room was asked about');
    // A real change afterwards: its notification is the only one (notifications arrive in commit order).
    assert.equal((await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/notes`, { body: 'still looking' })).status, 201);
    await until('the note’s notification', async () => woken >= 1);
    assert.equal(woken, 1);
  } finally {
    stop();
  }
});
