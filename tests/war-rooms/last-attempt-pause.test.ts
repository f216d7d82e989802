import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTestApp } from '../support/app.ts';
import { startZoom, ownerWithZoom, declareSev1 } from '../support/zoom.ts';

// The pause before the marker search applies to the LAST attempt too: when the final attempt times
// out while Zoom is still making the meeting, searching at once finds nothing, searching after the
// backoff finds it. As in create-timeouts.test.ts, the client's timeout is shortened for the create
// calls the test delays, and the backoff outlasts Zoom's slowness.
const TIMEOUT_MS = 250;
const SLOW_MS = 600;
const BACKOFF_MS = 1200;

const { sandbox, zoom } = await startZoom();
const CREATE = 'POST /v2/users/:userId/meetings';
const LIST = 'GET /v2/users/:userId/meetings';
const fault = (f: object, times = 1, endpoint = CREATE) => sandbox.control('POST', '/faults', { endpoint, times, fault: f });
const clearFaults = () => sandbox.control('DELETE', '/faults');
const isCreate = (input: Parameters<typeof fetch>[0], init?: RequestInit) => (init?.method ?? 'GET') === 'POST' && /\/v2\/users\/[^/]+\/meetings$/.test(String(input));
/** How many of the next create calls get the short timeout. */
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
const t = await makeTestApp({ zoom, fetch: impatient });
// Two attempts: the first is the only retry's reason, the second is the last.
t.deps.warRoomTiming = { ...t.deps.warRoomTiming, retryDelaysMs: [BACKOFF_MS] };

interface Meeting { id: number | string; topic: string }
const meetings = async () => (await sandbox.control<{ meetings: Meeting[] }>('GET', '/meetings')).json.meetings;
const counts = async () => (await sandbox.control<{ counts: Record<string, number> }>('GET', '/calls')).json.counts;
const delta = (after: Record<string, number>, before: Record<string, number>, k: string) => (after[k] ?? 0) - (before[k] ?? 0);

test('the last attempt times out while Zoom is still making the meeting: after the pause the meeting is found by its marker (201, one meeting)', async () => {
  const o = await ownerWithZoom(t);
  const inc = await declareSev1(t, o, 'Last attempt is slow');
  const topic = `[SEV1] ${inc.reference} Last attempt is slow`;
  const before = await counts();
  // Faults on one endpoint are taken in the order they were added: the first create's connection is
  // dropped before Zoom acts (retryable, nothing made), the second (last) create is slower than the
  // client waits but quicker than the backoff.
  await fault({ kind: 'drop' });
  await fault({ kind: 'delay', ms: SLOW_MS });
  impatientCreates = 2;
  const r = await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/war-room`, {});
  await clearFaults();
  impatientCreates = 0;
  assert.equal(r.status, 201, r.text);
  const after = await counts();
  assert.equal(delta(after, before, CREATE), 2, 'the dropped attempt and the slow last one; no third');
  assert.equal(delta(after, before, LIST), 2, 'searched after each attempt');
  const made = (await meetings()).filter((m) => m.topic === topic);
  assert.equal(made.length, 1, 'one meeting for the incident');
  assert.equal(String(made[0]?.id), r.json.warRoom.meetingId, 'and it is the war room');
});
