import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eq } from 'drizzle-orm';
import { warRooms } from '../../src/platform/db/schema.ts';
import { makeTestApp, type Member } from '../support/app.ts';
import { startZoom, ownerWithZoom, declareSev1 } from '../support/zoom.ts';

// Create War Room when Zoom does not answer in time. The sandbox delays the create beyond the
// client's timeout; the client's 10-second timeout is shortened here, for the create calls a test
// delays only, so the test runs in seconds: the timeout itself is the real one, an aborted fetch.
const TIMEOUT_MS = 250;
const SLOW_MS = 600;
const BACKOFF_MS = 1200;

const { sandbox, zoom } = await startZoom();
const fault = (f: object, times = 1, endpoint = 'POST /v2/users/:userId/meetings') => sandbox.control('POST', '/faults', { endpoint, times, fault: f });
const clearFaults = () => sandbox.control('DELETE', '/faults');
const isCreate = (input: Parameters<typeof fetch>[0], init?: RequestInit) => (init?.method ?? 'GET') === 'POST' && /\/v2\/users\/[^/]+\/meetings$/.test(String(input));
/** How many of the next create calls get the short timeout (the ones the test delays). */
let impatientCreates = 0;
const impatient: typeof fetch = (input, init) => {
  if (!isCreate(input, init) || impatientCreates === 0) return fetch(input, init);
  impatientCreates--;
  // An explicit timer (strongly held): AbortSignal.timeout() inside AbortSignal.any() can be collected
  // before it fires, and then the "timed-out" request simply succeeds.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new DOMException('client timeout', 'TimeoutError')), TIMEOUT_MS);
  return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, deadline.signal]) : deadline.signal }).finally(() => clearTimeout(timer));
};
/** The next `n` creates: Zoom takes `ms` before acting, and Runframe stops waiting after TIMEOUT_MS. */
async function slowCreates(n: number, ms: number) {
  await fault({ kind: 'delay', ms }, n);
  impatientCreates = n;
}
const t = await makeTestApp({ zoom, fetch: impatient });
// The backoff outlasts Zoom's slowness, as production's (0.5 s, 2 s) outlasts a proxy's.
t.deps.warRoomTiming = { ...t.deps.warRoomTiming, retryDelaysMs: [BACKOFF_MS, BACKOFF_MS] };

interface Meeting { id: number | string; topic: string; agenda?: string }
const meetings = async () => (await sandbox.control<{ meetings: Meeting[] }>('GET', '/meetings')).json.meetings;
const counts = async () => (await sandbox.control<{ counts: Record<string, number> }>('GET', '/calls')).json.counts;

const orgWithZoom = () => ownerWithZoom(t);
const incident = (o: Member, title: string) => declareSev1(t, o, title);
const create = (m: Member, id: string) => t.api(m, 'POST', `/api/v1/incidents/${id}/war-room`, {});
const timeline = async (m: Member, id: string) => (await t.api(m, 'GET', `/api/v1/incidents/${id}/timeline`)).json.entries.map((e) => e.body);

test('a create that times out while Zoom is still making the meeting: after the backoff the meeting is found by its marker, and no second one is made', async () => {
  const o = await orgWithZoom();
  const inc = await incident(o, 'Zoom is slow');
  const before = await counts();
  await slowCreates(1, SLOW_MS);
  const r = await create(o, inc.id);
  await clearFaults();
  assert.equal(r.status, 201, r.text);
  const after = await counts();
  assert.equal((after['POST /v2/users/:userId/meetings'] ?? 0) - (before['POST /v2/users/:userId/meetings'] ?? 0), 1, 'the timed-out request was not repeated');
  assert.ok((after['GET /v2/users/:userId/meetings'] ?? 0) > (before['GET /v2/users/:userId/meetings'] ?? 0), 'Zoom was searched for the marker');
  const made = (await meetings()).filter((m) => m.topic === `[SEV1] ${inc.reference} Zoom is slow`);
  assert.equal(made.length, 1, 'one meeting for the incident');
  assert.equal(String(made[0]?.id), r.json.warRoom.meetingId, 'and it is the war room');
  assert.ok((await timeline(o, inc.id)).includes(`Zoom war room created (meeting ID ${r.json.warRoom.meetingId}). Join from the incident page.`));
});

test('a dropped connection before Zoom acted: the marker search finds nothing, the retry creates the one meeting', async () => {
  const o = await orgWithZoom();
  const inc = await incident(o, 'Connection dropped');
  const before = await counts();
  await fault({ kind: 'drop' });
  const r = await create(o, inc.id);
  await clearFaults();
  assert.equal(r.status, 201, r.text);
  const after = await counts();
  assert.equal((after['GET /v2/users/:userId/meetings'] ?? 0) - (before['GET /v2/users/:userId/meetings'] ?? 0), 1, 'searched once before retrying');
  assert.equal((after['POST /v2/users/:userId/meetings'] ?? 0) - (before['POST /v2/users/:userId/meetings'] ?? 0), 2, 'the dropped attempt and the retry');
  const made = (await meetings()).filter((m) => m.topic === `[SEV1] ${inc.reference} Connection dropped`);
  assert.equal(made.length, 1);
  assert.equal(String(made[0]?.id), r.json.warRoom.meetingId);
});

test('every attempt timing out: the war room fails as "unavailable" with the outcome unknown, and the next click adopts what Zoom made instead of creating again', async () => {
  const saved = t.deps.warRoomTiming;
  // No backoff, and Zoom slower than all three attempts together: no search can find a meeting yet.
  t.deps.warRoomTiming = { ...saved, retryDelaysMs: [0, 0] };
  try {
    const o = await orgWithZoom();
    const inc = await incident(o, 'Zoom never answers');
    const topic = `[SEV1] ${inc.reference} Zoom never answers`;
    await slowCreates(3, 2500);
    const r = await create(o, inc.id);
    assert.equal(r.status, 503, r.text);
    assert.equal(r.json.error.message, 'Zoom is unavailable right now — try again.');
    const s = (await t.api(o, 'GET', `/api/v1/incidents/${inc.id}/war-room`)).json as unknown as { warRoom: null; lastFailure: { failure: { message: string } } | null };
    assert.equal(s.warRoom, null);
    assert.equal(s.lastFailure?.failure.message, r.json.error.message);
    assert.ok((await timeline(o, inc.id)).includes(`Zoom war room could not be created: ${r.json.error.message}`));
    assert.equal((await meetings()).filter((m) => m.topic === topic).length, 0, 'Zoom had made nothing when Runframe gave up');
    const [failed] = await t.deps.db.select().from(warRooms).where(eq(warRooms.incidentId, inc.id));
    assert.equal(failed?.state, 'failed');
    assert.equal(failed?.outcomeUnknown, true, 'flagged: the next click looks for what those attempts made');

    // Zoom finishes the requests Runframe stopped waiting for.
    while ((await meetings()).filter((m) => m.topic === topic).length < 3) {
      // wait for the sandbox
    }
    const made = new Set((await meetings()).filter((m) => m.topic === topic).map((m) => String(m.id)));
    const creates = (await counts())['POST /v2/users/:userId/meetings'] ?? 0;
    const retry = await create(o, inc.id);
    assert.equal(retry.status, 201, retry.text);
    assert.ok(made.has(retry.json.warRoom.meetingId), 'the war room is a meeting Zoom made for the failed attempt');
    assert.equal((await counts())['POST /v2/users/:userId/meetings'] ?? 0, creates, 'and no new one was created');
  } finally {
    t.deps.warRoomTiming = saved;
  }
});

test('the last attempt times out while Zoom is still making the meeting: after the pause the meeting is found by its marker (201, one meeting)', async () => {
  const saved = t.deps.warRoomTiming;
  // Two attempts: the first is the only retry's reason, the second is the last.
  t.deps.warRoomTiming = { ...saved, retryDelaysMs: [BACKOFF_MS] };
  try {
    const o = await orgWithZoom();
    const inc = await incident(o, 'Last attempt is slow');
    const topic = `[SEV1] ${inc.reference} Last attempt is slow`;
    const before = await counts();
    // Faults on one endpoint are taken in the order they were added: the first create's connection is
    // dropped before Zoom acts (retryable, nothing made), the second (last) create is slower than the
    // client waits but quicker than the backoff.
    await fault({ kind: 'drop' });
    await slowCreates(1, SLOW_MS);
    impatientCreates = 2;
    const r = await create(o, inc.id);
    await clearFaults();
    impatientCreates = 0;
    assert.equal(r.status, 201, r.text);
    const after = await counts();
    const delta = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
    assert.equal(delta('POST /v2/users/:userId/meetings'), 2, 'the dropped attempt and the slow last one; no third');
    assert.equal(delta('GET /v2/users/:userId/meetings'), 2, 'searched after each attempt');
    const made = (await meetings()).filter((m) => m.topic === topic);
    assert.equal(made.length, 1, 'one meeting for the incident');
    assert.equal(String(made[0]?.id), r.json.warRoom.meetingId, 'and it is the war room');
  } finally {
    t.deps.warRoomTiming = saved;
  }
});
