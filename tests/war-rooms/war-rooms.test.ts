import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/platform/db/client.ts';
import { runOneJob } from '../../src/platform/jobs/queue.ts';
import { warRoomJobs } from '../../src/jobs/war-rooms.ts';
import { makeTestApp, type Member } from '../support/app.ts';
import { connectZoom, recordingFetch, startZoom, WEBHOOK_SECRET, zoomCard, HOST_ID, ownerWithZoom } from '../support/zoom.ts';

const { sandbox, zoom } = await startZoom();
const recorder = recordingFetch();
const t = await makeTestApp({ zoom, fetch: recorder.fetch });

const counts = async () => (await sandbox.control<{ counts: Record<string, number> }>('GET', '/calls')).json.counts;
const creates = async () => (await counts())['POST /v2/users/:userId/meetings'] ?? 0;
const fault = (f: object, times = 1, endpoint = 'POST /v2/users/:userId/meetings') => sandbox.control('POST', '/faults', { endpoint, times, fault: f });
const clearFaults = () => sandbox.control('DELETE', '/faults');

interface Meeting { id: number | string; topic: string; agenda?: string; type: number; settings?: Record<string, unknown>; password?: string }
const meetings = async () => (await sandbox.control<{ meetings: Meeting[] }>('GET', '/meetings')).json.meetings;

const orgWithZoom = () => ownerWithZoom(t);
async function incident(o: Member, title = 'Checkout errors', severity = 'SEV1') {
  return (await t.api(o, 'POST', '/api/v1/incidents', { title, severity })).json.incident;
}
const create = (m: Member, id: string, headers: Record<string, string> = {}) => t.api(m, 'POST', `/api/v1/incidents/${id}/war-room`, {}, headers);
const current = async (m: Member, id: string) => (await t.api(m, 'GET', `/api/v1/incidents/${id}/war-room`)).json as unknown as {
  warRoom: { state: string; joinUrl: string; meetingId: string; liveStatus: string } | null;
  lastFailure: { failure: { message: string; hint: string | null } } | null;
  history: { state: string }[];
};
const timeline = async (m: Member, id: string) => (await t.api(m, 'GET', `/api/v1/incidents/${id}/timeline`)).json.entries.map((e) => e.body);

test('an organization without Zoom is told to connect it, even while another organization is connected: its API token never reaches their connection', async () => {
  await orgWithZoom();
  const other = await t.owner('Not connected');
  const inc = await incident(other);
  const before = await creates();
  // By id and by number: the token's statement reads the incident and the connections either way.
  for (const ref of [inc.id, inc.reference]) {
    const r = await create(other, ref);
    assert.equal(r.status, 409, r.text);
    assert.equal(r.json.error.code, 'needs_reconnect');
    assert.match(r.json.error.message, /Zoom is not connected/);
  }
  assert.equal(await creates(), before, 'no meeting was made with the other organization’s Zoom account');
  assert.equal((await current(other, inc.id)).warRoom, null);
});

test('Create War Room makes one Zoom meeting with the incident in its topic and agenda, and everyone can join', async () => {
  const o = await orgWithZoom();
  const inc = await incident(o);
  const r = await create(o, inc.id);
  assert.equal(r.status, 201, r.text);
  const w = r.json.warRoom;
  assert.equal(w.state, 'active');
  assert.match(w.meetingId, /^\d{9,11}$/);
  assert.ok(w.joinUrl.startsWith(`${sandbox.url}/j/`));
  assert.equal(w.providerName, 'Zoom');
  assert.equal(w.createdBy, 'Olivia Owner');
  const m = (await meetings()).find((x) => String(x.id) === w.meetingId);
  assert.ok(m);
  assert.equal(m.topic, '[SEV1] INC-1 Checkout errors');
  assert.equal(m.type, 2);
  assert.match(m.agenda ?? '', /http:\/\/runframe\.test\/incidents\/1/);
  assert.equal(m.settings?.['join_before_host'], true);
  assert.equal(m.settings?.['waiting_room'], false);
  assert.ok(m.password, 'a Zoom-generated passcode');
  assert.ok((await timeline(o, inc.id)).some((b) => b.includes(`Zoom war room created (meeting ID ${w.meetingId})`)));
  const audit = await t.api(o, 'GET', '/api/v1/audit-log?action=war_room.');
  assert.equal(audit.json.entries[0]?.action, 'war_room.created');
  const viewer = await t.member(o, 'viewer');
  assert.equal((await current(viewer, inc.id)).warRoom?.joinUrl, w.joinUrl, 'Viewers see the join link');
  const page = await t.page(viewer, 'GET', `/incidents/${inc.number}`);
  assert.match(page.text, /Join Zoom war room/);
  assert.ok(!page.text.includes('Create War Room'));
});

test('twenty concurrent creates on one incident: exactly one meeting and the same link for everyone', async () => {
  const o = await orgWithZoom();
  const r = await t.member(o, 'responder');
  const inc = await incident(o);
  const before = await creates();
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => create(i % 2 ? o : r, inc.id, i % 3 === 0 ? { 'idempotency-key': 'same-click' } : {})));
  assert.equal((await creates()) - before, 1);
  const links = new Set(results.map((x) => x.json.warRoom.joinUrl));
  assert.equal(links.size, 1);
  assert.equal(results.filter((x) => x.status === 201).length, 1);
  const rows = await queryRows(t.deps.db, sql`select count(*) as n from war_rooms where incident_id = ${inc.id}`);
  assert.equal(Number(rows[0]?.['n']), 1);
});

test('ten war rooms on ten incidents with an expired access token: exactly one refresh', async () => {
  const o = await orgWithZoom();
  const incs = await Promise.all(Array.from({ length: 10 }, (_, i) => incident(o, `Incident ${i}`)));
  t.clock.advance(3_600_000);
  const before = (await counts())['POST /oauth/token:refresh_token'] ?? 0;
  const results = await Promise.all(incs.map((i) => create(o, i.id)));
  t.clock.advance(-3_600_000);
  assert.ok(results.every((r) => r.status === 201));
  assert.equal(((await counts())['POST /oauth/token:refresh_token'] ?? 0) - before, 1);
});

test('each Zoom failure leaves a failed war room with the reason and the fix, a timeline entry, and a working retry', async () => {
  const o = await orgWithZoom();
  const cases: { name: string; inject: () => Promise<unknown>; status: number; message: RegExp }[] = [
    { name: '3161', inject: () => fault({ kind: 'user_cannot_host' }), status: 422, message: /The connected Zoom user can't host meetings\. Check that user's Zoom permissions, then try again\./ },
    { name: '429 daily', inject: () => fault({ kind: 'rate_limit', type: 'Daily-limit' }), status: 429, message: /daily limit for creating meetings\. Try again after \d{4}-\d\d-\d\d 00:00 UTC/ },
    { name: '429 per second', inject: () => fault({ kind: 'rate_limit', type: 'QPS' }), status: 429, message: /Zoom is rate limiting Runframe; try again in \d+ seconds?\./ },
    { name: '5xx', inject: () => fault({ kind: 'zoom_error', status: 500, code: 500, message: 'Internal Error' }, 3), status: 503, message: /Zoom is unavailable right now — try again/ },
    { name: 'dropped connections', inject: () => fault({ kind: 'drop' }, 3), status: 503, message: /Zoom is unavailable right now — try again/ },
  ];
  for (const c of cases) {
    const inc = await incident(o, `Failure ${c.name}`);
    await c.inject();
    const r = await create(o, inc.id);
    await clearFaults();
    assert.equal(r.status, c.status, `${c.name}: ${r.text}`);
    assert.match(r.json.error.message, c.message, c.name);
    const state = await current(o, inc.id);
    assert.equal(state.warRoom, null, c.name);
    assert.match(state.lastFailure?.failure.message ?? '', c.message);
    assert.ok((await timeline(o, inc.id)).some((b) => b.startsWith('Zoom war room could not be created')), c.name);
    const page = await t.page(o, 'GET', `/incidents/${inc.number}`);
    assert.match(page.text, /Create War Room/, `${c.name}: offered again`);
    const retry = await create(o, inc.id);
    assert.equal(retry.status, 201, `${c.name}: retry works`);
    assert.equal((await t.api(o, 'GET', `/api/v1/incidents/${inc.id}`)).json.incident.status, 'investigating', 'the incident is unharmed');
  }
});

test('a missing meeting scope and a revoked grant both end in Reconnect required, on the card too', async () => {
  const o = await orgWithZoom();
  const inc = await incident(o);
  await fault({ kind: 'zoom_error', status: 400, code: 4711, message: 'Invalid access token, does not contain scopes:[meeting:write:meeting, meeting:write:meeting:admin].' });
  const r = await create(o, inc.id);
  assert.equal(r.status, 409);
  assert.match(r.json.error.message, /Zoom did not grant the meeting scope: connect again and approve it/);
  assert.equal((await zoomCard(t, o)).status, 'Reconnect required');

  const o2 = await t.owner();
  await connectZoom(t, o2);
  const inc2 = await incident(o2);
  await sandbox.control('POST', `/users/${HOST_ID}/revoke-grants`, { notify: false });
  t.clock.advance(3_600_000);
  const r2 = await create(o2, inc2.id);
  t.clock.advance(-3_600_000);
  assert.equal(r2.status, 409);
  assert.match(r2.json.error.message, /Zoom needs to be reconnected/);
  assert.equal((await zoomCard(t, o2)).status, 'Reconnect required');
});

test('a lost answer does not make a second meeting: the attempt’s meeting is found by its agenda marker', async () => {
  const o = await orgWithZoom();
  const inc = await incident(o);
  const before = await creates();
  await fault({ kind: 'drop_after_processing' });
  const r = await create(o, inc.id);
  assert.equal(r.status, 201, r.text);
  assert.equal((await creates()) - before, 1, 'the retry found the meeting instead of creating another');
  const mine = (await meetings()).filter((m) => (m.agenda ?? '').includes('/incidents/1'));
  assert.ok(mine.some((m) => String(m.id) === r.json.warRoom.meetingId));

  // Every attempt lost: the war room fails as "unavailable"; the next click adopts the meeting that exists.
  const inc2 = await incident(o, 'Every answer lost');
  await fault({ kind: 'drop_after_processing' }, 1);
  await fault({ kind: 'drop' }, 3, 'GET /v2/users/:userId/meetings');
  await fault({ kind: 'drop' }, 2);
  const failed = await create(o, inc2.id);
  await clearFaults();
  assert.equal(failed.status, 503);
  const retry = await create(o, inc2.id);
  assert.equal(retry.status, 201);
  const made = (await meetings()).filter((m) => m.topic === '[SEV1] INC-2 Every answer lost');
  assert.equal(made.length, 1, 'still one meeting for the incident');
  assert.equal(String(made[0]?.id), retry.json.warRoom.meetingId, 'and it is the one the war room links to');
});

test('resolving the incident ends the war room; reopening offers Create War Room again', async () => {
  const o = await orgWithZoom();
  const inc = await incident(o);
  await create(o, inc.id);
  await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/status`, { status: 'resolved' });
  const s = await current(o, inc.id);
  assert.equal(s.warRoom, null);
  assert.equal(s.history[0]?.state, 'ended');
  assert.ok((await timeline(o, inc.id)).some((b) => b.startsWith('War room ended: the incident was resolved')));
  const page = await t.page(o, 'GET', `/incidents/${inc.number}`);
  assert.match(page.text, /Link no longer active/);
  assert.match(page.text, /War rooms are for active incidents/);
  assert.equal((await create(o, inc.id)).status, 409);
  await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/status`, { status: 'investigating' });
  assert.equal((await create(o, inc.id)).status, 201);
});

test('a war room expires 24 hours after creation and a new one can be created', async () => {
  const o = await orgWithZoom();
  const inc = await incident(o);
  await create(o, inc.id);
  t.clock.advance(24 * 3_600_000 + 1000);
  try {
    const s = await current(o, inc.id);
    assert.equal(s.warRoom, null);
    assert.equal(s.history[0]?.state, 'expired');
    const again = await create(o, inc.id);
    assert.equal(again.status, 201);
  } finally {
    t.clock.advance(-(24 * 3_600_000 + 1000));
  }
});

test('WAR_ROOM_TTL_HOURS other than 24: "Link active until" and expiry follow it', async () => {
  const saved = t.deps.warRoomTiming;
  t.deps.warRoomTiming = { ...saved, ttlMs: 2 * 3_600_000 };
  const moved = 2 * 3_600_000 + 1000;
  let advanced = false;
  try {
    const o = await orgWithZoom();
    const inc = await incident(o, 'Short-lived war room');
    const r = await create(o, inc.id);
    assert.equal(r.status, 201, r.text);
    const until = new Date(t.clock.now().getTime() + 2 * 3_600_000);
    assert.equal((r.json.warRoom as unknown as { expiresAt: string }).expiresAt, until.toISOString());
    const page = await t.page(o, 'GET', `/incidents/${inc.number}`);
    const shown = `${until.toISOString().replace('T', ' ').slice(0, 16)} UTC`;
    assert.match(page.text, new RegExp(`<dt>Link active until</dt><dd>${shown}</dd>`), 'the page says when the link stops working');
    t.clock.advance(2 * 3_600_000 - 1000);
    advanced = true;
    assert.equal((await current(o, inc.id)).warRoom?.state, 'active', 'still joinable just before its time');
    t.clock.advance(2000);
    const s = await current(o, inc.id);
    assert.equal(s.warRoom, null, 'expired after 2 hours, not 24');
    assert.equal(s.history[0]?.state, 'expired');
    assert.equal((await create(o, inc.id)).status, 201, 'and a new one can be created');
  } finally {
    if (advanced) t.clock.advance(-moved);
    t.deps.warRoomTiming = saved;
  }
});

test('Idempotency-Key: a sequential retry gets the same war room (200, one meeting); the key on another incident is a 409', async () => {
  const o = await orgWithZoom();
  const inc = await incident(o, 'Retried request');
  const other = await incident(o, 'Another incident');
  const before = await creates();
  const first = await create(o, inc.id, { 'idempotency-key': 'retry-me-1' });
  assert.equal(first.status, 201, first.text);
  const retry = await create(o, inc.id, { 'idempotency-key': 'retry-me-1' });
  assert.equal(retry.status, 200, retry.text);
  assert.equal(retry.json.warRoom.id, first.json.warRoom.id);
  assert.equal(retry.json.warRoom.meetingId, first.json.warRoom.meetingId);
  assert.equal(retry.json.warRoom.joinUrl, first.json.warRoom.joinUrl);
  assert.equal((await creates()) - before, 1, 'one meeting at Zoom');
  const reused = await create(o, other.id, { 'idempotency-key': 'retry-me-1' });
  assert.equal(reused.status, 409, reused.text);
  assert.match(reused.json.error.message, /The Idempotency-Key "retry-me-1" was already used for another incident's war room\./);
  assert.equal(reused.json.error.hint, 'Use a new key for a new request.');
  assert.equal((await current(o, other.id)).warRoom, null, 'nothing was created for the other incident');
  assert.equal((await creates()) - before, 1);
});

test('Zoom refusing the access token again after one refresh (401/124 twice): Reconnect required, with the reason, on the card too', async () => {
  const o = await orgWithZoom();
  const inc = await incident(o, 'Token refused twice');
  const before = await counts();
  await fault({ kind: 'zoom_error', status: 401, code: 124, message: 'Invalid access token.' }, 2);
  const r = await create(o, inc.id);
  await clearFaults();
  const after = await counts();
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error.message, 'Zoom needs to be reconnected: Zoom rejected Runframe’s access token even after a refresh.');
  assert.equal((after['POST /oauth/token:refresh_token'] ?? 0) - (before['POST /oauth/token:refresh_token'] ?? 0), 1, 'exactly one refresh');
  assert.equal((after['POST /v2/users/:userId/meetings'] ?? 0) - (before['POST /v2/users/:userId/meetings'] ?? 0), 2, 'the call, then one retry with the new token');
  const card = await zoomCard(t, o);
  assert.equal(card.status, 'Reconnect required');
  assert.match(card.html, /Zoom rejected Runframe.s access token even after a refresh/);
  const s = await current(o, inc.id);
  assert.equal(s.warRoom, null);
  assert.equal(s.lastFailure?.failure.message, r.json.error.message);
  assert.ok((await timeline(o, inc.id)).includes(`Zoom war room could not be created: ${r.json.error.message}`));
});

const signed = (body: string) => {
  const ts = Math.floor(t.clock.now().getTime() / 1000);
  return { 'content-type': 'application/json', 'x-zm-request-timestamp': String(ts), 'x-zm-signature': `v0=${createHmac('sha256', WEBHOOK_SECRET).update(`v0:${ts}:${body}`).digest('hex')}` };
};

test('meeting.started makes the badge Live; meeting.ended (the call emptied) keeps the war room with the Empty badge', async () => {
  const o = await orgWithZoom();
  const inc = await incident(o);
  const w = (await create(o, inc.id)).json.warRoom;
  const event = (name: string, ts: number) =>
    JSON.stringify({ event: name, event_ts: ts, payload: { account_id: 'acc', object: { id: w.meetingId, uuid: 'u1==', host_id: HOST_ID, topic: 't', type: 2, start_time: '2026-11-26T12:00:00Z', duration: 60 } } });
  const started = event('meeting.started', 1);
  assert.equal((await t.app.request('/webhooks/zoom', { method: 'POST', headers: signed(started), body: started })).status, 200);
  assert.equal((await current(o, inc.id)).warRoom?.liveStatus, 'live');
  const ended = event('meeting.ended', 2);
  await t.app.request('/webhooks/zoom', { method: 'POST', headers: signed(ended), body: ended });
  const s = await current(o, inc.id);
  assert.equal(s.warRoom?.state, 'active', 'Zoom ends a meeting whenever it empties; the same link starts it again');
  assert.equal(s.warRoom?.liveStatus, 'empty');
  assert.equal(s.history.length, 0);
});

test('Create War Room is missing, with the reason: Zoom not connected, or a role that cannot edit incidents', async () => {
  const o = await t.owner();
  const inc = await incident(o);
  const page = await t.page(o, 'GET', `/incidents/${inc.number}`);
  assert.match(page.text, /Zoom is not connected — an Owner or Admin can connect it in <a href="\/organization\/integrations">Integrations Hub<\/a>/);
  const r = await create(o, inc.id);
  assert.equal(r.status, 409);
  assert.match(r.json.error.message, /Zoom is not connected/);
  await connectZoom(t, o);
  const viewer = await t.member(o, 'viewer');
  const vp = await t.page(viewer, 'GET', `/incidents/${inc.number}`);
  assert.match(vp.text, /Your role can(&#39;|')t edit incidents/);
  assert.doesNotMatch(vp.text, /<button[^>]*>Create War Room<\/button>/, 'no Create War Room button for a Viewer');
  assert.equal((await create(viewer, inc.id)).status, 403);
});

test('automation: declaring a SEV1 creates the war room when the organization asked for it', async () => {
  const o = await orgWithZoom();
  const responder = await t.member(o, 'responder');
  assert.equal((await t.page(responder, 'POST', '/organization/war-room-settings', { autoCreateSeverities: 'SEV1' })).status, 403, 'only Owners and Admins change it');
  const settings = await t.page(o, 'POST', '/organization/war-room-settings', { autoCreateSeverities: 'SEV1' });
  assert.equal(settings.status, 303);
  const sev1 = await incident(o, 'Auto', 'SEV1');
  const sev3 = await incident(o, 'Not auto', 'SEV3');
  while (await runOneJob(t.deps.db, t.deps.clock, t.deps.log, warRoomJobs(t.deps))) {
    // run what is due
  }
  assert.equal((await current(o, sev1.id)).warRoom?.state, 'active');
  assert.equal((await current(o, sev3.id)).warRoom, null);
});

test('the host start_url never reaches the database, logs, pages or API responses', async () => {
  const startUrls = new Set<string>();
  for (const body of recorder.bodies) for (const m of body.matchAll(/"start_url":"([^"]+)"/g)) if (m[1]) startUrls.add(m[1]);
  assert.ok(startUrls.size > 0, 'the flows above saw start_url values');
  let dump = '';
  for (const table of ['war_rooms', 'timeline_entries', 'audit_log', 'jobs', 'integration_connections']) dump += JSON.stringify(await queryRows(t.deps.db, sql.raw(`select * from ${table}`)));
  dump += t.logLines.join('\n');
  const o = await orgWithZoom();
  const inc = await incident(o);
  dump += (await create(o, inc.id)).text + (await t.page(o, 'GET', `/incidents/${inc.number}`)).text + (await t.api(o, 'GET', `/api/v1/incidents/${inc.id}/war-room`)).text;
  for (const m of recorder.bodies.slice(-5).join('').matchAll(/"start_url":"([^"]+)"/g)) if (m[1]) startUrls.add(m[1]);
  for (const u of startUrls) {
    assert.ok(!dump.includes(u), 'a start_url leaked');
    const zak = /zak=([^&"]+)/.exec(u)?.[1];
    if (zak) assert.ok(!dump.includes(zak));
  }
});

test('with "also end the meeting" on, resolving the incident ends the Zoom meeting (and never deletes it)', async () => {
  const o = await orgWithZoom();
  await t.page(o, 'POST', '/organization/war-room-settings', { endMeetingOnResolve: 'on' });
  const inc = await incident(o, 'End it on resolve');
  await create(o, inc.id);
  const before = await counts();
  await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/status`, { status: 'resolved' });
  while (await runOneJob(t.deps.db, t.deps.clock, t.deps.log, warRoomJobs(t.deps))) {
    // run what is due
  }
  const after = await counts();
  assert.equal((after['PUT /v2/meetings/:meetingId/status'] ?? 0) - (before['PUT /v2/meetings/:meetingId/status'] ?? 0), 1);
  assert.equal((after['DELETE /v2/meetings/:meetingId'] ?? 0) - (before['DELETE /v2/meetings/:meetingId'] ?? 0), 0);
  const entries = await timeline(o, inc.id);
  assert.ok(entries.some((b) => b.includes('Ending the meeting for everyone: the outcome follows on this timeline.')));
  assert.ok(entries.includes('Zoom meeting ended for everyone.'), 'and the outcome followed');
});
