import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import { HOST_ID, REDIRECT, api, authorize, connect, manualClock, startReceiver, startSandbox, testApp, tokenRequest, type ManualClock, type Receiver, type Running } from './helpers.ts';

const SECRET = 'whsec-control-api';

describe('Zoom sandbox control API', () => {
  let s: Running;
  let rx: Receiver | null = null;
  let clock: ManualClock;
  afterEach(async () => {
    await s.close();
    await rx?.close();
    rx = null;
  });

  async function start(): Promise<void> {
    clock = manualClock('2026-03-10T12:00:00Z');
    s = await startSandbox({ clock: clock.now });
  }

  it('POST /_control/apps registers an app (201 {app}) after its webhook endpoint passes the URL validation', async () => {
    await start();
    rx = await startReceiver(SECRET);
    const app = testApp({ name: 'Runframe Staging', clientId: 'staging-id', clientSecret: 'staging-secret', webhookUrl: rx.url, webhookSecretToken: SECRET });
    const r = await s.control<{ app: Record<string, unknown> }>('POST', '/apps', app);
    assert.equal(r.status, 201);
    assert.deepEqual(r.json, { app });
    assert.equal(rx.requests.length, 1, 'the challenge was answered before the 201');
    assert.equal(rx.requests[0]?.json.event, 'endpoint.url_validation');
    const apps = await s.control<{ apps: Array<{ clientId: string }> }>('GET', '/apps');
    assert.deepEqual(apps.json.apps.map((a) => a.clientId), ['staging-id']);
    // The registration is live: its consent page opens and its credentials get tokens.
    const { code } = await authorize(s, { clientId: 'staging-id' });
    const tok = await tokenRequest(s, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT }, `Basic ${Buffer.from('staging-id:staging-secret').toString('base64')}`);
    assert.equal(tok.status, 200);
    assert.equal((await api(s, String(tok.json.access_token), 'GET', '/v2/users/me')).status, 200);
    const invalid = await s.control<{ code: number }>('POST', '/apps', { ...app, redirectUris: [] });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.json.code, 300);
  });

  it('revoke-grants {notify: true} ends the grant and sends a signed app_deauthorized with the reference payload', async () => {
    await start();
    rx = await startReceiver(SECRET);
    await s.sandbox.registerApp(testApp({ webhookUrl: rx.url, webhookSecretToken: SECRET }));
    const t = await connect(s);
    clock.advance(90_000);
    const r = await s.control<{ revoked: number }>('POST', `/users/${HOST_ID}/revoke-grants`, { notify: true });
    assert.deepEqual(r.json, { revoked: 1 });
    const ev = (await rx.waitFor(2))[1];
    assert.ok(ev);
    const ts = String(ev.headers['x-zm-request-timestamp']);
    assert.equal(ev.headers['x-zm-signature'], `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${ev.body}`).digest('hex')}`);
    assert.equal(ev.json.event, 'app_deauthorized');
    assert.deepEqual(Object.keys(ev.json), ['event', 'event_ts', 'payload']);
    assert.equal(ev.json.event_ts, Date.parse('2026-03-10T12:01:30Z'));
    const p = ev.json.payload;
    assert.deepEqual(Object.keys(p).sort(), ['account_id', 'client_id', 'deauthorization_time', 'signature', 'user_id']);
    assert.deepEqual(
      { account_id: p.account_id, user_id: p.user_id, client_id: p.client_id, deauthorization_time: p.deauthorization_time },
      { account_id: 'sandboxAccount00000001', user_id: HOST_ID, client_id: 'rf-client', deauthorization_time: '2026-03-10T12:01:30.000Z' },
    );
    assert.match(String(p.signature), /^[0-9a-f]{64}$/);
    assert.equal((await api(s, t.access_token, 'GET', '/v2/users/me')).status, 401);
    assert.deepEqual((await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: t.refresh_token })).json, { reason: 'Invalid Token!', error: 'invalid_grant' });
  });

  it('revoke-grants without notify sends nothing', async () => {
    await start();
    rx = await startReceiver(SECRET);
    await s.sandbox.registerApp(testApp({ webhookUrl: rx.url, webhookSecretToken: SECRET }));
    await connect(s);
    assert.deepEqual((await s.control('POST', `/users/${HOST_ID}/revoke-grants`, {})).json, { revoked: 1 });
    // Deliveries are recorded when they are sent, so the log shows there was none.
    const log = await s.control<{ deliveries: Array<{ event: string }> }>('GET', '/webhooks');
    assert.deepEqual(log.json.deliveries.map((d) => d.event), ['endpoint.url_validation']);
  });

  it('refreshTokenLifetimeMs: a refresh token issued under the setting is invalid_grant once that time has passed', async () => {
    await start();
    await s.sandbox.registerApp(testApp());
    const before = await connect(s); // issued under the default (15 years)
    const set = await s.control<{ settings: { refreshTokenLifetimeMs: number } }>('POST', '/settings', { refreshTokenLifetimeMs: 60_000 });
    assert.equal(set.json.settings.refreshTokenLifetimeMs, 60_000);
    const other = await s.control<{ user: { id: string } }>('POST', '/users', { email: 'short-lived@sandbox.zoom.test' });
    const short = await connect(s, { userId: other.json.user.id });
    clock.advance(59_999);
    const stillValid = await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: short.refresh_token });
    assert.equal(stillValid.status, 200, 'valid 1 ms before its lifetime ends');
    const rotated = String(stillValid.json.refresh_token);
    clock.advance(60_000);
    const expired = await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: rotated });
    assert.equal(expired.status, 400);
    assert.deepEqual(expired.json, { reason: 'Invalid Token!', error: 'invalid_grant' });
    assert.equal((await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: before.refresh_token })).status, 200, 'a token issued under the default lifetime still refreshes');
  });
});
