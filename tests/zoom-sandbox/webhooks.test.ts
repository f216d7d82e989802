import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import { HOST_ID, answerCrc, api, basic, connect, fakeTimers, manualClock, startReceiver, startSandbox, testApp, type FakeTimers, type ManualClock, type Receiver, type Received, type Running } from './helpers.ts';
import { until } from '../support/until.ts';

const SECRET = 'whsec-fixed-example-token';
const FIXED = '2026-03-10T12:00:00Z';
const FIXED_TS = Date.parse(FIXED) / 1000;

/** The documented formula, computed here independently of the sandbox's code. */
function expectedSignature(ts: string, body: string): string {
  return `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
}

function assertSigned(r: Received): void {
  const ts = String(r.headers['x-zm-request-timestamp']);
  assert.match(ts, /^\d{10}$/, 'timestamp in unix seconds');
  assert.equal(r.headers['x-zm-signature'], expectedSignature(ts, r.body));
  assert.equal(r.headers['content-type'], 'application/json');
  assert.equal(r.headers['user-agent'], 'Zoom Marketplace/1.0a');
  assert.ok(r.headers['x-zm-trackingid']);
  assert.equal(r.headers.clientid, 'rf-client');
  // The deprecated verification token still travels in `authorization` (§5.1): a bare token, no scheme.
  assert.match(String(r.headers.authorization), /^[A-Za-z0-9_-]{22}$/);
  assert.equal(r.body, JSON.stringify(JSON.parse(r.body)), 'compact JSON');
}

/** Yields to the event loop (no timer) until the sandbox has recorded the outcome. */
async function settled(s: Running, id: number): Promise<{ state: string; attempts: Array<{ status: number | null }> }> {
  return until(`webhook delivery ${id} is settled`, async () => {
    const r = await s.control<{ deliveries: Array<{ id: number; state: string; attempts: Array<{ status: number | null }> }> }>('GET', '/webhooks');
    const d = r.json.deliveries.find((x) => x.id === id);
    return d && d.state !== 'pending' ? d : undefined;
  });
}

describe('Zoom sandbox webhooks', () => {
  let s: Running;
  let rx: Receiver;
  afterEach(async () => {
    await s.close();
    await rx.close();
  });

  async function setup(respond?: Parameters<typeof startReceiver>[1], delays = [40, 80, 120]): Promise<void> {
    rx = await startReceiver(SECRET, respond);
    s = await startSandbox({ clock: manualClock(FIXED).now, webhookRetryDelaysMs: delays });
    await s.sandbox.registerApp(testApp({ webhookUrl: rx.url, webhookSecretToken: SECRET }));
  }

  it('registration sends a signed endpoint.url_validation challenge and accepts the right answer', async () => {
    await setup();
    const [crc] = await rx.waitFor(1);
    assert.ok(crc);
    assert.equal(crc.json.event, 'endpoint.url_validation');
    assert.equal(typeof crc.json.payload.plainToken, 'string');
    assertSigned(crc);
    const apps = await s.control<{ apps: Array<{ clientId: string }> }>('GET', '/apps');
    assert.deepEqual(apps.json.apps.map((a) => a.clientId), ['rf-client']);
  });

  it('a wrong URL-validation answer fails the registration', async () => {
    rx = await startReceiver(SECRET, (r) => ({ status: 200, body: JSON.stringify({ plainToken: r.json.payload.plainToken, encryptedToken: 'not-the-hmac' }) }));
    s = await startSandbox({ clock: manualClock(FIXED).now });
    await assert.rejects(s.sandbox.registerApp(testApp({ webhookUrl: rx.url, webhookSecretToken: SECRET })), /URL validation failed/);
    const viaControl = await s.control<{ code: number; message: string }>('POST', '/apps', testApp({ webhookUrl: rx.url, webhookSecretToken: SECRET }));
    assert.equal(viaControl.status, 400);
    assert.match(viaControl.json.message, /encryptedToken/);
    const page = await fetch(`${s.url}/oauth/authorize?response_type=code&client_id=rf-client&redirect_uri=x`);
    assert.equal(page.status, 400, 'the app was not registered');
  });

  it('POST /oauth/revoke sends a signed app_deauthorized with the reference payload (fixed example)', async () => {
    await setup();
    const t = await connect(s);
    const res = await fetch(`${s.url}/oauth/revoke`, {
      method: 'POST',
      headers: { authorization: basic(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: t.access_token }),
    });
    assert.deepEqual(await res.json(), { status: 'success' });
    const all = await rx.waitFor(2);
    const ev = all[1];
    assert.ok(ev);
    assertSigned(ev);
    assert.equal(ev.headers['x-zm-request-timestamp'], String(FIXED_TS));
    assert.equal(ev.json.event, 'app_deauthorized');
    assert.equal(ev.json.event_ts, FIXED_TS * 1000);
    assert.deepEqual(Object.keys(ev.json), ['event', 'event_ts', 'payload']);
    const p = ev.json.payload;
    assert.deepEqual(Object.keys(p).sort(), ['account_id', 'client_id', 'deauthorization_time', 'signature', 'user_id']);
    assert.equal(p.user_id, HOST_ID);
    assert.equal(p.account_id, 'sandboxAccount00000001');
    assert.equal(p.client_id, 'rf-client');
    assert.equal(p.deauthorization_time, '2026-03-10T12:00:00.000Z');
    assert.match(String(p.signature), /^[0-9a-f]{64}$/);
  });

  it('retries on failure per the schedule: fails twice, then succeeds → 3 attempts', async () => {
    const arrivals: number[] = [];
    await setup((r, i) => {
      if (r.json.event === 'endpoint.url_validation') {
        const plainToken = String(r.json.payload.plainToken);
        return { status: 200, body: JSON.stringify({ plainToken, encryptedToken: createHmac('sha256', SECRET).update(plainToken).digest('hex') }) };
      }
      arrivals.push(performance.now());
      return { status: i <= 2 ? 500 : 200 };
    });
    const t = await connect(s);
    await fetch(`${s.url}/oauth/revoke`, { method: 'POST', headers: { authorization: basic() }, body: new URLSearchParams({ token: t.access_token }) });
    const all = await rx.waitFor(4);
    assert.deepEqual(all.slice(1).map((r) => r.json.event), ['app_deauthorized', 'app_deauthorized', 'app_deauthorized']);
    const deliveries = await s.control<{ deliveries: Array<{ id: number; event: string }> }>('GET', '/webhooks');
    const id = deliveries.json.deliveries.find((d) => d.event === 'app_deauthorized')?.id ?? -1;
    const d = await settled(s, id);
    assert.equal(d.state, 'delivered');
    assert.deepEqual(d.attempts.map((a) => a.status), [500, 500, 200]);
    const [a0 = 0, a1 = 0, a2 = 0] = arrivals;
    assert.ok(a1 - a0 >= 38, `second attempt waited ${a1 - a0} ms (≥ 40 expected)`);
    assert.ok(a2 - a1 >= 78, `third attempt waited ${a2 - a1} ms (≥ 80 expected)`);
  });

  it('gives up after the first attempt plus 3 retries', async () => {
    await setup((r) => {
      if (r.json.event !== 'endpoint.url_validation') return { status: 503 };
      const plainToken = String(r.json.payload.plainToken);
      return { status: 200, body: JSON.stringify({ plainToken, encryptedToken: createHmac('sha256', SECRET).update(plainToken).digest('hex') }) };
    }, [5, 5, 5]);
    const t = await connect(s);
    await fetch(`${s.url}/oauth/revoke`, { method: 'POST', headers: { authorization: basic() }, body: new URLSearchParams({ token: t.access_token }) });
    await rx.waitFor(5);
    const deliveries = await s.control<{ deliveries: Array<{ id: number; event: string }> }>('GET', '/webhooks');
    const id = deliveries.json.deliveries.find((d) => d.event === 'app_deauthorized')?.id ?? -1;
    const d = await settled(s, id);
    assert.equal(d.state, 'failed');
    assert.equal(d.attempts.length, 4);
    const calls = await s.control<{ counts: Record<string, number> }>('GET', '/calls');
    assert.equal(calls.json.counts['WEBHOOK app_deauthorized'], 4);
  });

  it('the meeting page host buttons send meeting.started and meeting.ended', async () => {
    await setup();
    const t = await connect(s);
    const m = (await api(s, t.access_token, 'POST', '/v2/users/me/meetings', { topic: 'SEV1 bridge', duration: 30 })).json ?? {};
    const start = await fetch(`${s.url}/j/${m.id}/start`, { method: 'POST', body: new URLSearchParams({ pwd: 'x' }), redirect: 'manual' });
    assert.equal(start.status, 303);
    const started = (await rx.waitFor(2))[1];
    assert.ok(started);
    assertSigned(started);
    assert.equal(started.json.event, 'meeting.started');
    assert.equal(started.json.payload.account_id, 'sandboxAccount00000001');
    const obj = started.json.payload.object as Record<string, unknown>;
    assert.equal(obj.id, String(m.id));
    assert.equal(obj.uuid, m.uuid);
    assert.equal(obj.host_id, HOST_ID);
    assert.equal(obj.topic, 'SEV1 bridge');
    assert.equal(obj.type, 2);
    assert.equal(obj.duration, 30);
    assert.equal(obj.timezone, 'UTC');
    assert.equal(typeof obj.start_time, 'string');
    assert.equal((await api(s, t.access_token, 'GET', `/v2/meetings/${m.id}`)).json?.status, 'started');
    await fetch(`${s.url}/j/${m.id}/end`, { method: 'POST', body: new URLSearchParams(), redirect: 'manual' });
    const ended = (await rx.waitFor(3))[2];
    assert.ok(ended);
    assert.equal(ended.json.event, 'meeting.ended');
    assert.equal((ended.json.payload.object as Record<string, unknown>).end_time, FIXED);
    assert.equal((await api(s, t.access_token, 'GET', `/v2/meetings/${m.id}`)).json?.status, 'waiting');
  });

  it('DELETE sends meeting.deleted', async () => {
    await setup();
    const t = await connect(s);
    const m = (await api(s, t.access_token, 'POST', '/v2/users/me/meetings', { topic: 'bye' })).json ?? {};
    await api(s, t.access_token, 'DELETE', `/v2/meetings/${m.id}`);
    const ev = (await rx.waitFor(2))[1];
    assert.equal(ev?.json.event, 'meeting.deleted');
    assert.equal((ev?.json.payload.object as Record<string, unknown>).id, m.id);
  });

  it('Marketplace › Manage › Added Apps › Remove ends the grant and sends app_deauthorized', async () => {
    await setup();
    const t = await connect(s);
    const list = await fetch(`${s.url}/marketplace/manage/added-apps?user=${HOST_ID}`);
    const html = await list.text();
    assert.match(html, /<h1>Added Apps<\/h1>/);
    assert.match(html, /Runframe/);
    assert.match(html, />Remove</);
    const confirm = await fetch(`${s.url}/marketplace/manage/added-apps/rf-client/remove?user=${HOST_ID}`);
    assert.equal(confirm.status, 200);
    assert.match(await confirm.text(), /Remove Runframe\?/);
    const done = await fetch(`${s.url}/marketplace/manage/added-apps/rf-client/remove`, { method: 'POST', body: new URLSearchParams({ user: HOST_ID }), redirect: 'manual' });
    assert.equal(done.status, 303);
    const after = await (await fetch(new URL(done.headers.get('location') ?? '', s.url))).text();
    assert.match(after, /Runframe was removed\./);
    assert.match(after, /No apps added\./);
    const ev = (await rx.waitFor(2))[1];
    assert.ok(ev);
    assertSigned(ev);
    assert.equal(ev.json.event, 'app_deauthorized');
    assert.equal(ev.json.payload.user_id, HOST_ID);
    assert.equal((await api(s, t.access_token, 'GET', '/v2/users/me')).status, 401);
  });
});

describe('Zoom sandbox webhook timing (Zoom\'s defaults, driven by injected timers: nothing waits)', () => {
  let s: Running;
  let rx: Receiver;
  let timers: FakeTimers;
  let clock: ManualClock;
  afterEach(async () => {
    await s.close();
    await rx.close();
  });

  type Delivery = { id: number; event: string; state: string; nextAttemptAt: string | null; attempts: Array<{ at: string; status: number | null; error?: string }> };
  const deauth = async (): Promise<Delivery> => {
    const r = await s.control<{ deliveries: Delivery[]; pendingRetries: number }>('GET', '/webhooks');
    const d = r.json.deliveries.find((x) => x.event === 'app_deauthorized');
    assert.ok(d, 'an app_deauthorized delivery');
    return d;
  };

  /** A sandbox with the default schedule and answer timeout; `respond` answers everything but the CRC. */
  async function setup(respond: Parameters<typeof answerCrc>[1]): Promise<void> {
    rx = await startReceiver(SECRET, answerCrc(SECRET, respond));
    timers = fakeTimers();
    clock = manualClock(FIXED);
    s = await startSandbox({ clock: clock.now, timers });
    await s.sandbox.registerApp(testApp({ webhookUrl: rx.url, webhookSecretToken: SECRET }));
    const t = await connect(s);
    await s.control('POST', `/users/${HOST_ID}/revoke-grants`, { notify: true });
    assert.ok(t.access_token);
  }

  it('retries 5 min after the first attempt, then 20 min, then 60 min, then gives up (reference §5.4)', async () => {
    await setup(() => ({ status: 500 }));
    const expected = [5 * 60_000, 20 * 60_000, 60 * 60_000];
    for (const [i, delay] of expected.entries()) {
      const retry = await timers.next((x) => x.ms !== 3000);
      assert.equal(retry.ms, delay, `retry ${i + 1}`);
      const d = await deauth();
      assert.equal(d.state, 'pending');
      assert.equal(d.attempts.length, i + 1);
      assert.equal(d.nextAttemptAt, new Date(clock.now().getTime() + delay).toISOString(), 'the delivery log shows when the retry is due');
      assert.equal((await s.control<{ pendingRetries: number }>('GET', '/webhooks')).json.pendingRetries, 1);
      clock.advance(delay);
      timers.fire(retry);
      await rx.waitFor(i + 3);
    }
    const d = await until('the deauthorization delivery is settled', async () => {
      const x = await deauth();
      return x.state !== 'pending' ? x : undefined;
    });
    assert.equal(d.state, 'failed');
    assert.equal(d.nextAttemptAt, null);
    assert.deepEqual(d.attempts.map((a) => [a.at, a.status]), [
      ['2026-03-10T12:00:00.000Z', 500],
      ['2026-03-10T12:05:00.000Z', 500],
      ['2026-03-10T12:25:00.000Z', 500],
      ['2026-03-10T13:25:00.000Z', 500],
    ]);
    assert.deepEqual(timers.pending(), [], 'no fourth retry');
    assert.equal(rx.requests.filter((r) => r.json.event === 'app_deauthorized').length, 4);
    // Every attempt (the CRC included) had Zoom's 3-second answer limit.
    assert.deepEqual(timers.scheduled.filter((ms) => !expected.includes(ms)), [3000, 3000, 3000, 3000, 3000]);
  });

  it('a receiver that does not answer within 3 s counts as failed and is retried', async () => {
    await setup(() => 'hang');
    await rx.waitFor(2);
    const timeout = await timers.next(() => true);
    assert.equal(timeout.ms, 3000, 'the default answer limit is 3000 ms');
    assert.equal((await deauth()).attempts.length, 0, 'still waiting for the answer');
    timers.fire(timeout);
    const retry = await timers.next((x) => x.ms !== 3000);
    assert.equal(retry.ms, 5 * 60_000);
    const d = await deauth();
    assert.equal(d.state, 'pending');
    assert.deepEqual(d.attempts, [{ at: '2026-03-10T12:00:00.000Z', status: null, error: 'no answer within 3000 ms' }]);
    const calls = await s.control<{ calls: Array<{ endpoint: string; status: number }> }>('GET', '/calls');
    assert.deepEqual(calls.json.calls.filter((c) => c.endpoint === 'WEBHOOK app_deauthorized').map((c) => c.status), [0]);
    timers.fire(retry);
    await rx.waitFor(3);
    assert.equal(rx.requests[2]?.json.event, 'app_deauthorized', 'the retry went out');
  });

  it('webhookResponseTimeoutMs shortens the answer limit; the CRC at registration has the same limit', async () => {
    rx = await startReceiver(SECRET, () => 'hang');
    timers = fakeTimers();
    s = await startSandbox({ clock: manualClock(FIXED).now, timers, webhookResponseTimeoutMs: 50 });
    const registering = s.sandbox.registerApp(testApp({ webhookUrl: rx.url, webhookSecretToken: SECRET }));
    await rx.waitFor(1);
    const timeout = await timers.next(() => true);
    assert.equal(timeout.ms, 50);
    timers.fire(timeout);
    await assert.rejects(registering, /URL validation failed .*no answer within 50 ms/);
  });
});

describe('Zoom sandbox webhook clock', () => {
  it('x-zm-request-timestamp and event_ts follow the sandbox clock, moved by /_control/clock', async () => {
    const rx = await startReceiver(SECRET);
    const s = await startSandbox({ clock: manualClock(FIXED).now });
    try {
      await s.sandbox.registerApp(testApp({ webhookUrl: rx.url, webhookSecretToken: SECRET }));
      await connect(s);
      await s.control('POST', '/clock', { advanceMs: 3_600_000 });
      await s.control('POST', `/users/${HOST_ID}/revoke-grants`, { notify: true });
      const ev = (await rx.waitFor(2))[1];
      assert.ok(ev);
      assertSigned(ev);
      assert.equal(ev.headers['x-zm-request-timestamp'], String(FIXED_TS + 3600));
      assert.equal(ev.json.event_ts, (FIXED_TS + 3600) * 1000);
      assert.equal(ev.json.payload.deauthorization_time, '2026-03-10T13:00:00.000Z');
    } finally {
      await s.close();
      await rx.close();
    }
  });

  it('an app registered with its own verification token gets it in the authorization header', async () => {
    const rx = await startReceiver(SECRET);
    const s = await startSandbox({ clock: manualClock(FIXED).now });
    try {
      await s.sandbox.registerApp(testApp({ webhookUrl: rx.url, webhookSecretToken: SECRET, webhookVerificationToken: 'vt-legacy-0123456789' }));
      const [crc] = await rx.waitFor(1);
      assert.equal(crc?.headers.authorization, 'vt-legacy-0123456789');
    } finally {
      await s.close();
      await rx.close();
    }
  });
});
