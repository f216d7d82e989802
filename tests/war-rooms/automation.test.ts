import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runOneJob } from '../../src/platform/jobs/queue.ts';
import { warRoomJobs } from '../../src/jobs/war-rooms.ts';
import { makeTestApp, type Member } from '../support/app.ts';
import { connectZoom, startZoom, zoomCard } from '../support/zoom.ts';

const { sandbox, zoom } = await startZoom();
const t = await makeTestApp({ zoom });

const fault = (f: object, times = 1, endpoint = 'POST /v2/users/:userId/meetings') => sandbox.control('POST', '/faults', { endpoint, times, fault: f });
const incident = async (o: Member, title: string, severity = 'SEV1') => (await t.api(o, 'POST', '/api/v1/incidents', { title, severity })).json.incident;
const timeline = async (m: Member, id: string) => (await t.api(m, 'GET', `/api/v1/incidents/${id}/timeline`)).json.entries.map((e) => e.body);
const warRoom = async (m: Member, id: string) => (await t.api(m, 'GET', `/api/v1/incidents/${id}/war-room`)).json as unknown as { warRoom: { state: string } | null };

async function runJobs() {
  while (await runOneJob(t.deps.db, t.deps.clock, t.deps.log, warRoomJobs(t.deps))) {
    // run what is due
  }
}
async function autoOnSev1(o: Member) {
  assert.equal((await t.page(o, 'POST', '/organization/war-room-settings', { autoCreateSeverities: 'SEV1' })).status, 303);
}

test('automatic war room with Zoom not connected: the incident’s timeline says it was skipped and how to fix it', async () => {
  const o = await t.owner();
  await autoOnSev1(o);
  const inc = await incident(o, 'No Zoom yet');
  await runJobs();
  assert.equal((await warRoom(o, inc.id)).warRoom, null);
  const entries = await timeline(o, inc.id);
  assert.ok(
    entries.includes('Automatic war room skipped: Zoom is not connected. Connect Zoom in Organization › Integrations Hub › Communication.'),
    entries.join('\n'),
  );
});

test('automatic war room with Zoom needing reconnection: skipped, with the reconnect reason on the timeline', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  // A missing meeting scope flips the connection to Reconnect required.
  const first = await incident(o, 'Before the setting');
  await fault({ kind: 'zoom_error', status: 400, code: 4711, message: 'Invalid access token, does not contain scopes:[meeting:write:meeting].' });
  assert.equal((await t.api(o, 'POST', `/api/v1/incidents/${first.id}/war-room`, {})).status, 409);
  assert.equal((await zoomCard(t, o)).status, 'Reconnect required');
  await autoOnSev1(o);
  const inc = await incident(o, 'Zoom needs reconnecting');
  await runJobs();
  const entries = await timeline(o, inc.id);
  const skipped = entries.find((b) => b.startsWith('Automatic war room skipped:'));
  assert.ok(skipped, entries.join('\n'));
  assert.match(skipped, /^Automatic war room skipped: Zoom needs to be reconnected\. An Owner or Admin can reconnect it in Organization › Integrations Hub › Communication\. \(Zoom did not grant the meeting scope/);
});

test('automatic war room that Zoom refuses: the failure is on the timeline, marked as automatic, exactly once', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  await autoOnSev1(o);
  await fault({ kind: 'user_cannot_host' });
  const inc = await incident(o, 'Host cannot host');
  await runJobs();
  assert.equal((await warRoom(o, inc.id)).warRoom, null);
  const entries = (await timeline(o, inc.id)).filter((b) => /war room/i.test(b));
  assert.deepEqual(entries, ["Automatic Zoom war room could not be created: The connected Zoom user can't host meetings. Check that user's Zoom permissions, then try again."]);
});

test('automatic war room that works says so on the timeline', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  await autoOnSev1(o);
  const inc = await incident(o, 'All good');
  await runJobs();
  assert.equal((await warRoom(o, inc.id)).warRoom?.state, 'active');
  assert.ok((await timeline(o, inc.id)).some((b) => /^Automatic Zoom war room created \(meeting ID \d+\)\. Join from the incident page\.$/.test(b)));
});

test('an automatic war room for an incident resolved before the job ran is neither created nor reported', async () => {
  const o = await t.owner();
  await autoOnSev1(o);
  const inc = await incident(o, 'Resolved fast');
  await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/status`, { status: 'resolved' });
  await runJobs();
  assert.ok(!(await timeline(o, inc.id)).some((b) => b.startsWith('Automatic war room')));
});

test('raising an incident to a chosen severity creates the war room; raising to another, or lowering into one, does not', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  const responder = await t.member(o, 'responder', 'Rita Responder');
  await autoOnSev1(o);
  const severity = (m: Member, id: string, s: string) => t.api(m, 'POST', `/api/v1/incidents/${id}/severity`, { severity: s });

  const raised = await incident(o, 'Getting worse', 'SEV3');
  await runJobs();
  assert.equal((await warRoom(o, raised.id)).warRoom, null, 'declared at SEV3: no war room');
  assert.equal((await severity(responder, raised.id, 'SEV2')).status, 200);
  await runJobs();
  assert.equal((await warRoom(o, raised.id)).warRoom, null, 'SEV2 was not chosen');
  assert.equal((await severity(responder, raised.id, 'SEV1')).status, 200);
  await runJobs();
  const w = (await warRoom(o, raised.id)).warRoom as { state: string; createdBy: string } | null;
  assert.equal(w?.state, 'active', 'raised to SEV1: created');
  assert.equal(w?.createdBy, 'Rita Responder', 'on behalf of whoever raised it');
  assert.ok((await timeline(o, raised.id)).some((b) => /^Automatic Zoom war room created \(meeting ID \d+\)\. Join from the incident page\.$/.test(b)));

  const lowered = await incident(o, 'Getting better', 'SEV0');
  await runJobs();
  assert.equal((await severity(o, lowered.id, 'SEV1')).status, 200);
  await runJobs();
  assert.equal((await warRoom(o, lowered.id)).warRoom, null, 'lowered into SEV1 is not a raise');
});
