import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { createZoomClient, zoomUtc, ZoomError, type FetchLike, type TokenSet, type ZoomClient } from '../../../src/integrations/zoom/index.ts';
import { HOST_ID, connectWithClient, rejects, startZoom, type Running } from './helpers.ts';

interface SandboxMeeting {
  id: number;
  topic: string;
  type: number;
  start_time?: string;
  duration: number;
  timezone: string;
  agenda: string;
  password: string;
  start_url: string;
  join_url: string;
  status: string;
  settings: Record<string, unknown>;
}

let s: Running;
let tokens: TokenSet;
let client: ZoomClient;
before(async () => {
  s = await startZoom();
});
after(async () => {
  await s.close();
});
beforeEach(async () => {
  await s.control('POST', '/reset', {});
  tokens = await connectWithClient(s);
  client = createZoomClient({ apiBaseUrl: `${s.url}/v2`, timeoutMs: 2000 });
});

const sandboxMeetings = async () => (await s.control<{ meetings: SandboxMeeting[] }>('GET', '/meetings')).json.meetings;

test('getMe returns the Zoom user id, account, email and names', async () => {
  const me = await client.getMe(tokens.accessToken);
  const users = (await s.control<{ users: Array<{ id: string; accountId: string; email: string }> }>('GET', '/users')).json.users;
  const host = users.find((u) => u.id === HOST_ID);
  assert.ok(host);
  assert.equal(me.id, HOST_ID);
  assert.equal(me.accountId, host.accountId);
  assert.equal(me.email, host.email);
  assert.equal(me.firstName, 'Sandy');
  assert.equal(me.lastName, 'Host');
  assert.equal(me.displayName, 'Sandy Host');
  assert.equal(me.type, 2);
  assert.equal(me.canHost, undefined);
});

test('getMe tolerates a pending user (only id and created_at) and says it cannot host', async () => {
  await s.control('PATCH', `/users/${HOST_ID}`, { status: 'pending' });
  const me = await client.getMe(tokens.accessToken);
  assert.deepEqual(me, { id: HOST_ID, displayName: HOST_ID, canHost: false });
});

test('REST requests: Bearer header only, JSON Accept and Content-Type, token never in the URL', async () => {
  const seen: Request[] = [];
  const spy: FetchLike = async (input, init) => {
    const req = new Request(input, init);
    seen.push(req);
    return fetch(req);
  };
  const c = createZoomClient({ apiBaseUrl: `${s.url}/v2/`, fetch: spy });
  await c.getMe(tokens.accessToken);
  const req = seen[0];
  assert.ok(req);
  assert.equal(new URL(req.url).pathname, '/v2/users/me');
  assert.ok(!req.url.includes(tokens.accessToken));
  assert.equal(req.headers.get('authorization'), `Bearer ${tokens.accessToken}`);
  assert.equal(req.headers.get('accept'), 'application/json');
  assert.equal(req.headers.get('content-type'), 'application/json');
});

test('createMeeting sends a scheduled UTC meeting with a Zoom passcode, join before host and no waiting room; start_url never returned', async () => {
  const start = new Date('2031-05-06T07:08:09.987Z');
  const m = await client.createMeeting(tokens.accessToken, { topic: '[SEV1] INC-42 Checkout errors', agenda: 'War room for https://rf.example/incidents/42', startTime: start, durationMinutes: 90, timezone: 'Europe/Paris' });
  assert.match(m.meetingId, /^\d{10,11}$/);
  assert.equal(typeof m.meetingId, 'string');
  assert.ok(m.joinUrl.startsWith(`${s.url}/j/${m.meetingId}`));
  assert.ok(m.password && m.password.length > 0, 'Zoom-generated passcode');
  assert.equal(m.status, 'waiting');
  assert.deepEqual(Object.keys(m).sort(), ['joinUrl', 'meetingId', 'password', 'status']);

  const [stored] = await sandboxMeetings();
  assert.ok(stored);
  assert.equal(String(stored.id), m.meetingId);
  assert.equal(stored.type, 2);
  assert.equal(stored.topic, '[SEV1] INC-42 Checkout errors');
  assert.equal(stored.start_time, '2031-05-06T07:08:09Z');
  assert.equal(stored.duration, 90);
  assert.equal(stored.timezone, 'Europe/Paris');
  assert.equal(stored.agenda, 'War room for https://rf.example/incidents/42');
  assert.equal(stored.password, m.password);
  assert.equal(stored.settings.join_before_host, true);
  assert.equal(stored.settings.jbh_time, 0);
  assert.equal(stored.settings.waiting_room, false);
  assert.ok(stored.start_url.includes('zak='));
  assert.ok(!JSON.stringify(m).includes(stored.start_url));
  assert.ok(!JSON.stringify(m).includes('zak='));
  assert.ok(!JSON.stringify(m).includes('start_url'));

  const got = await client.getMeeting(tokens.accessToken, m.meetingId);
  assert.deepEqual(got, m);
  assert.ok(!JSON.stringify(got).includes('zak=') && !JSON.stringify(got).includes('start'));
});

test('createMeeting clips the topic to 200 and the agenda to 2,000 characters', async () => {
  await client.createMeeting(tokens.accessToken, { topic: 'T'.repeat(250), agenda: 'A'.repeat(2500), startTime: new Date(), durationMinutes: 60 });
  const [stored] = await sandboxMeetings();
  assert.equal(stored?.topic.length, 200);
  assert.equal(stored?.agenda.length, 2000);
});

test('zoomUtc formats yyyy-MM-ddTHH:mm:ssZ', () => {
  assert.equal(zoomUtc(new Date('2026-03-10T23:59:59.999Z')), '2026-03-10T23:59:59Z');
});

test('listUpcomingMeetings returns ids, topics and (shortened) agendas of meetings still ahead', async () => {
  const startTime = new Date(Date.now() + 3600_000);
  const a = await client.createMeeting(tokens.accessToken, { topic: 'INC-1', agenda: `marker:rf-attempt-1 ${'x'.repeat(400)}`, startTime, durationMinutes: 60 });
  const b = await client.createMeeting(tokens.accessToken, { topic: 'INC-2', agenda: 'marker:rf-attempt-2', startTime, durationMinutes: 60 });
  const list = await client.listUpcomingMeetings(tokens.accessToken);
  assert.deepEqual(list.map((x) => [x.meetingId, x.topic]).sort(), [[a.meetingId, 'INC-1'], [b.meetingId, 'INC-2']].sort());
  const first = list.find((x) => x.meetingId === a.meetingId);
  assert.ok(first?.agenda?.startsWith('marker:rf-attempt-1'));
  assert.ok(!JSON.stringify(list).includes('zak='));
});

test('a meeting created "now" whose answer was lost is found by listMeetings(scheduled)', async () => {
  await s.control('POST', '/faults', { endpoint: 'POST /v2/users/:userId/meetings', fault: { kind: 'drop_after_processing' } });
  const err = await rejects(client.createMeeting(tokens.accessToken, { topic: 'INC-9 lost', agenda: 'marker:rf-attempt-9', startTime: new Date(), durationMinutes: 60 }));
  assert.ok(err instanceof ZoomError);
  assert.deepEqual(err.failure, { kind: 'unavailable', reason: 'network' });
  assert.equal((await sandboxMeetings()).length, 1, 'the lost attempt did create a meeting');
  // The retry a second or more later must still see it: move the sandbox's clock on instead of waiting
  // (start_time has whole seconds, so 2 s is past it; the next test's reset puts the clock back).
  assert.equal((await s.control('POST', '/clock', { advanceMs: 2000 })).status, 200);
  const list = await client.listMeetings(tokens.accessToken, 'scheduled');
  assert.ok(list.some((x) => x.agenda?.includes('marker:rf-attempt-9')), `not listed as scheduled: ${JSON.stringify(list)}`);
  // `upcoming` no longer shows it once its start time has passed (sandbox behaviour; Zoom's is undocumented).
  assert.equal((await client.listUpcomingMeetings(tokens.accessToken)).length, 0);
});

test('a list longer than Runframe reads is reported as not searched, never as "not there"', async () => {
  // Every page says there is another: after its page limit the client must not answer with a partial list.
  await s.control('POST', '/faults', { endpoint: 'GET /v2/users/:userId/meetings', times: 50, fault: { kind: 'http', status: 200, body: { page_size: 300, total_records: 9000, next_page_token: 'more', meetings: [] } } });
  const err = await rejects(client.listMeetings(tokens.accessToken, 'scheduled'));
  assert.ok(err instanceof ZoomError);
  assert.deepEqual(err.failure, { kind: 'unavailable', reason: 'list_incomplete' });
});

test('endMeeting ends a started meeting; an unknown or deleted one is already_gone', async () => {
  const m = await client.createMeeting(tokens.accessToken, { topic: 'INC-3', agenda: '', startTime: new Date(), durationMinutes: 30 });
  await s.control('POST', `/meetings/${m.meetingId}/start`);
  assert.equal((await client.getMeeting(tokens.accessToken, m.meetingId)).status, 'started');
  assert.equal(await client.endMeeting(tokens.accessToken, m.meetingId), 'ended');
  assert.equal((await client.getMeeting(tokens.accessToken, m.meetingId)).status, 'waiting');
  assert.equal(await client.endMeeting(tokens.accessToken, '99999999999'), 'already_gone');
  const calls = (await s.control<{ calls: Array<{ method: string; path: string }> }>('GET', '/calls')).json.calls;
  assert.ok(calls.some((c) => c.method === 'PUT' && c.path === `/v2/meetings/${m.meetingId}/status`));
});

test('getMeeting of an unknown meeting → not_found (404/3001)', async () => {
  const err = await rejects(client.getMeeting(tokens.accessToken, '12345678901'));
  assert.ok(err instanceof ZoomError);
  assert.deepEqual(err.failure, { kind: 'not_found' });
});
