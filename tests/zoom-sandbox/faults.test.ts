import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { until } from '../support/until.ts';
import { api, basic, connect, manualClock, startSandbox, testApp, tokenRequest, type ManualClock, type Running, type Tokens } from './helpers.ts';

const CREATE = 'POST /v2/users/:userId/meetings';

describe('Zoom sandbox fault injection and call log', () => {
  let s: Running;
  let t: Tokens;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = manualClock('2026-03-10T12:00:00Z');
    s = await startSandbox({ clock: clock.now });
    await s.sandbox.registerApp(testApp());
    t = await connect(s);
  });
  afterEach(() => s.close());

  const fault = (body: unknown) => s.control('POST', '/faults', body);
  const create = () => api(s, t.access_token, 'POST', '/v2/users/me/meetings', { topic: 'war room' });
  const meetingCount = async () => (await s.control<{ meetings: unknown[] }>('GET', '/meetings')).json.meetings.length;

  it('zoom_error applies to the next call only by default', async () => {
    assert.equal((await fault({ endpoint: CREATE, fault: { kind: 'zoom_error', status: 500, code: 500, message: 'Internal Error' } })).status, 201);
    const r = await create();
    assert.equal(r.status, 500);
    assert.deepEqual(r.json, { code: 500, message: 'Internal Error' });
    assert.equal((await create()).status, 201);
  });

  it('zoom_error can carry a 300 errors[] list (passcode policy rejection)', async () => {
    await fault({ endpoint: CREATE, fault: { kind: 'zoom_error', status: 400, code: 300, message: 'Validation Failed.', errors: [{ field: 'password', message: 'Invalid field.' }] } });
    assert.deepEqual((await create()).json, { code: 300, message: 'Validation Failed.', errors: [{ field: 'password', message: 'Invalid field.' }] });
  });

  it('http fault returns the status and raw body (e.g. an XML error page), `times` counts down', async () => {
    await fault({ endpoint: CREATE, times: 2, fault: { kind: 'http', status: 502, body: '<result><code>300</code></result>', contentType: 'application/xml' } });
    for (let i = 0; i < 2; i++) {
      const r = await create();
      assert.equal(r.status, 502);
      assert.equal(r.text, '<result><code>300</code></result>');
      assert.equal(r.headers.get('content-type'), 'application/xml');
    }
    assert.equal((await create()).status, 201);
    assert.equal(await meetingCount(), 1);
  });

  it('rate_limit faults mimic Zoom\'s QPS and daily 429s', async () => {
    await fault({ endpoint: CREATE, fault: { kind: 'rate_limit', type: 'Daily-limit' } });
    const daily = await create();
    assert.equal(daily.status, 429);
    assert.match(String(daily.json?.message), /daily rate limit \(100\)/);
    assert.equal(daily.headers.get('retry-after'), '2026-03-11T00:00:00Z');
    assert.equal(daily.headers.get('x-ratelimit-type'), 'Daily-limit');
    await fault({ endpoint: 'GET /v2/users/me', fault: { kind: 'rate_limit', type: 'QPS' } });
    const qps = await api(s, t.access_token, 'GET', '/v2/users/me');
    assert.equal(qps.status, 429);
    assert.equal(qps.json?.message, 'You have reached the maximum per-second rate limit for this API. Try again later.');
    assert.equal(qps.headers.get('x-ratelimit-type'), 'QPS');
    assert.equal(qps.headers.get('x-ratelimit-category'), 'Light');
    // ISO, like the daily limit's (§4.3): the next whole second on the sandbox clock (12:00:00 → 12:00:01).
    assert.equal(qps.headers.get('retry-after'), '2026-03-10T12:00:01Z');
  });

  it('user_cannot_host → 400/3161', async () => {
    await fault({ endpoint: CREATE, fault: { kind: 'user_cannot_host' } });
    assert.deepEqual((await create()).json, { code: 3161, message: 'Meeting hosting and scheduling capabilities are not allowed for your user account.' });
  });

  it('delay holds the answer back, then answers normally', async () => {
    await fault({ endpoint: 'GET /v2/users/me', fault: { kind: 'delay', ms: 150 } });
    const t0 = performance.now();
    const r = await api(s, t.access_token, 'GET', '/v2/users/me');
    assert.equal(r.status, 200);
    assert.ok(performance.now() - t0 >= 145);
  });

  it('hold keeps the call waiting until the control API releases it, then answers normally', async () => {
    const held = await s.control<{ fault: { id: number } }>('POST', '/faults', { endpoint: CREATE, fault: { kind: 'hold' } });
    let answered = false;
    const pending = create().then((r) => {
      answered = true;
      return r;
    });
    const waiting = async () => (await s.control<{ faults: Array<{ id: number; held: number }> }>('GET', '/faults')).json.faults.find((f) => f.id === held.json.fault.id)?.held ?? 0;
    assert.equal(await until('the create is held in the sandbox', waiting), 1);
    assert.equal(answered, false);
    assert.equal(await meetingCount(), 0, 'nothing is created while the call is held');
    assert.deepEqual((await s.control('POST', `/faults/${held.json.fault.id}/release`)).json, { released: 1 });
    assert.equal((await pending).status, 201);
    assert.equal(await meetingCount(), 1);
    assert.deepEqual((await s.control('POST', '/faults/release')).json, { released: 0 }, 'nothing else was waiting');
  });

  it('drop closes the connection without an answer and does nothing', async () => {
    await fault({ endpoint: CREATE, fault: { kind: 'drop' } });
    await assert.rejects(create(), TypeError);
    assert.equal(await meetingCount(), 0);
    const log = await s.control<{ calls: Array<{ endpoint: string; status: number; dropped?: boolean }> }>('GET', '/calls');
    const last = log.json.calls.at(-1);
    assert.equal(last?.endpoint, CREATE);
    assert.equal(last?.dropped, true);
    assert.equal(last?.status, 0);
    assert.equal((await create()).status, 201, 'the next call is unaffected');
  });

  it('drop_after_processing creates the meeting but the client never gets the answer', async () => {
    await fault({ endpoint: CREATE, fault: { kind: 'drop_after_processing' } });
    await assert.rejects(create(), TypeError);
    assert.equal(await meetingCount(), 1);
    const list = await api(s, t.access_token, 'GET', '/v2/users/me/meetings');
    assert.equal((list.json?.meetings as Array<{ topic: string }>)[0]?.topic, 'war room');
  });

  it('a token-endpoint fault can target one grant type; a timed fault ends at untilMs/forMs', async () => {
    await fault({ endpoint: 'POST /oauth/token:refresh_token', forMs: 60_000, fault: { kind: 'http', status: 503 } });
    const refresh = () => fetch(`${s.url}/oauth/token`, { method: 'POST', headers: { authorization: basic() }, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: t.refresh_token }) });
    const first = await refresh();
    assert.equal(first.status, 503);
    assert.equal(await first.text(), '');
    assert.equal((await refresh()).status, 503, 'still active within the window');
    const fresh = await connect(s);
    assert.equal(typeof fresh.access_token, 'string', 'authorization_code is not affected');
    clock.advance(60_000);
    assert.equal((await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: fresh.refresh_token })).status, 200);
  });

  it('untilMs keeps a fault active until that instant on the sandbox clock, whatever the number of calls', async () => {
    const until = Date.parse('2026-03-10T12:10:00Z');
    const added = await s.control<{ fault: { untilMs: number; remaining: number | null } }>('POST', '/faults', {
      endpoint: 'GET /v2/users/me',
      untilMs: until,
      fault: { kind: 'zoom_error', status: 503, code: 503, message: 'Service Unavailable' },
    });
    assert.equal(added.status, 201);
    assert.deepEqual({ untilMs: added.json.fault.untilMs, remaining: added.json.fault.remaining }, { untilMs: until, remaining: null });
    const me = () => api(s, t.access_token, 'GET', '/v2/users/me');
    for (let i = 0; i < 3; i++) assert.equal((await me()).status, 503, `call ${i + 1} inside the window`);
    clock.set('2026-03-10T12:09:59.999Z');
    assert.equal((await me()).status, 503, 'still active 1 ms before untilMs');
    clock.set('2026-03-10T12:10:00Z');
    assert.equal((await me()).status, 200, 'over at untilMs');
    assert.deepEqual((await s.control<{ faults: unknown[] }>('GET', '/faults')).json.faults, [], 'the expired fault is gone');
    // untilMs and times together: whichever ends first.
    await fault({ endpoint: 'GET /v2/users/me', untilMs: Date.parse('2026-03-10T13:00:00Z'), times: 1, fault: { kind: 'http', status: 502 } });
    assert.equal((await me()).status, 502);
    assert.equal((await me()).status, 200);
  });

  it('endpoint "*" hits whatever is called next: REST, OAuth and pages alike', async () => {
    await fault({ endpoint: '*', times: 3, fault: { kind: 'zoom_error', status: 500, code: 500, message: 'Internal Error' } });
    const refresh = await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: t.refresh_token });
    assert.deepEqual({ status: refresh.status, json: refresh.json }, { status: 500, json: { code: 500, message: 'Internal Error' } });
    assert.equal((await create()).status, 500);
    assert.equal((await fetch(`${s.url}/marketplace`)).status, 500);
    assert.equal((await create()).status, 201, 'three calls used it up');
    assert.equal((await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: t.refresh_token })).status, 200, 'the refused refresh spent nothing');
    const log = await s.control<{ calls: Array<{ endpoint: string; status: number; fault?: string }> }>('GET', '/calls');
    assert.deepEqual(log.json.calls.filter((c) => c.fault).map((c) => [c.endpoint, c.status]), [
      ['POST /oauth/token', 500],
      [CREATE, 500],
      ['GET /marketplace', 500],
    ]);
  });

  it('a literal path (DELETE /v2/meetings/{id}) hits that meeting only', async () => {
    const a = (await create()).json ?? {};
    const b = (await create()).json ?? {};
    const added = await fault({ endpoint: `DELETE /v2/meetings/${a.id}`, fault: { kind: 'zoom_error', status: 400, code: 3002, message: 'Sorry, you cannot delete this meeting since it is in progress.' } });
    assert.equal(added.status, 201);
    assert.equal((await api(s, t.access_token, 'GET', `/v2/meetings/${a.id}`)).status, 200, 'another method on the same path is not affected');
    assert.equal((await api(s, t.access_token, 'DELETE', `/v2/meetings/${b.id}`)).status, 204, 'another meeting is not affected');
    const refused = await api(s, t.access_token, 'DELETE', `/v2/meetings/${a.id}`);
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.json, { code: 3002, message: 'Sorry, you cannot delete this meeting since it is in progress.' });
    assert.equal((await api(s, t.access_token, 'GET', `/v2/meetings/${a.id}`)).status, 200, 'the faulted DELETE deleted nothing');
    assert.equal((await api(s, t.access_token, 'DELETE', `/v2/meetings/${a.id}`)).status, 204);
  });

  it('DELETE /_control/faults clears pending faults; bad fault bodies are rejected', async () => {
    await fault({ endpoint: CREATE, times: 5, fault: { kind: 'drop' } });
    assert.equal((await s.control('DELETE', '/faults')).status, 204);
    assert.equal((await create()).status, 201);
    const bad = await s.control<{ code: number; errors: unknown[] }>('POST', '/faults', { endpoint: CREATE, fault: { kind: 'explode' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.code, 300);
  });

  it('the call log counts refreshes and code exchanges separately, and each create', async () => {
    const rotated = await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: t.refresh_token });
    t = rotated.json as unknown as Tokens;
    await create();
    await create();
    await api(s, t.access_token, 'GET', '/v2/users/me');
    const { json } = await s.control<{ calls: Array<{ method: string; path: string; endpoint: string; status: number; at: string }>; counts: Record<string, number> }>('GET', '/calls');
    assert.equal(json.counts['POST /oauth/token:authorization_code'], 1);
    assert.equal(json.counts['POST /oauth/token:refresh_token'], 1);
    assert.equal(json.counts['POST /oauth/token'], 2);
    assert.equal(json.counts[CREATE], 2);
    assert.equal(json.counts['GET /v2/users/me'], 1);
    const entry = json.calls.find((c) => c.endpoint === CREATE);
    assert.deepEqual(entry && { method: entry.method, path: entry.path, status: entry.status, at: entry.at }, {
      method: 'POST',
      path: '/v2/users/me/meetings',
      status: 201,
      at: '2026-03-10T12:00:00.000Z',
    });
    assert.ok(!json.calls.some((c) => c.path.startsWith('/_control')), 'control calls are not logged');
    assert.equal((await s.control('DELETE', '/calls')).status, 204);
    assert.deepEqual((await s.control<{ counts: object }>('GET', '/calls')).json.counts, {});
  });
});
