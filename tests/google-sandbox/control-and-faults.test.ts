import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { CONTROL_TOKEN_HEADER } from '../../src/google-sandbox/index.ts';
import { until } from '../support/until.ts';
import { WORKSPACE, api, authorizeUrl, clientCreds, connect, errorOf, manualClock, reasonOf, startSandbox, testApp, tokenRequest, type Running } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'google-sandbox-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('Google sandbox fault injection and call log', () => {
  let s: Running;
  afterEach(() => s.close());

  it('google_error, rate_limit, service_disabled and meet_disabled faults answer in Google\'s shape for the next call only', async () => {
    s = await startSandbox();
    const t = (await connect(s)).access_token;
    const cases: Array<[unknown, number, string, string | undefined]> = [
      [{ kind: 'google_error', status: 503, rpcStatus: 'UNAVAILABLE', message: 'The service is currently unavailable.' }, 503, 'UNAVAILABLE', undefined],
      [{ kind: 'google_error', status: 500, rpcStatus: 'INTERNAL', message: 'Internal error encountered.' }, 500, 'INTERNAL', undefined],
      [{ kind: 'rate_limit' }, 429, 'RESOURCE_EXHAUSTED', 'RATE_LIMIT_EXCEEDED'],
      [{ kind: 'service_disabled' }, 403, 'PERMISSION_DENIED', 'SERVICE_DISABLED'],
      [{ kind: 'meet_disabled' }, 403, 'PERMISSION_DENIED', undefined],
    ];
    for (const [fault, code, status, reason] of cases) {
      assert.equal((await s.control('POST', '/faults', { endpoint: 'POST /v2/spaces', fault })).status, 201);
      const r = await api(s, t, 'POST', '/v2/spaces', {});
      assert.deepEqual(errorOf(r.json), [code, status]);
      assert.equal(reasonOf(r.json), reason);
    }
    assert.equal((await api(s, t, 'POST', '/v2/spaces', {})).status, 200, 'each fault hit one call');
    assert.equal((await s.control<{ spaces: unknown[] }>('GET', '/spaces')).json.spaces.length, 1, 'faulted calls created nothing');
  });

  it('faults on a token grant and an oauth_error in Google\'s OAuth shape; times and forMs', async () => {
    const clock = manualClock('2026-12-06T21:00:00Z');
    s = await startSandbox({ clock: clock.now });
    const t = await connect(s);
    await s.control('POST', '/faults', { endpoint: 'POST /token:refresh_token', times: 2, fault: { kind: 'oauth_error', status: 400, error: 'invalid_grant', description: 'Token has been expired or revoked.' } });
    const refresh = () => tokenRequest(s, { grant_type: 'refresh_token', refresh_token: t.refresh_token ?? '', ...clientCreds() });
    assert.equal((await refresh()).status, 400);
    assert.equal((await refresh()).status, 400);
    assert.equal((await refresh()).status, 200);
    await s.control('POST', '/faults', { endpoint: 'GET /v2/spaces/:space', forMs: 30_000, fault: { kind: 'google_error', status: 500, rpcStatus: 'INTERNAL', message: 'x' } });
    for (let i = 0; i < 3; i++) assert.equal((await api(s, t.access_token, 'GET', '/v2/spaces/AAAAAAAAAAAA')).status, 500);
    clock.advance(30_000);
    assert.equal((await api(s, t.access_token, 'GET', '/v2/spaces/AAAAAAAAAAAA')).status, 403, 'the fault window closed');
    const calls = (await s.control<{ calls: Array<{ endpoint: string; status: number; fault?: string }>; counts: Record<string, number> }>('GET', '/calls')).json;
    assert.equal(calls.counts['POST /token:refresh_token'], 3);
    assert.equal(calls.counts['POST /token:authorization_code'], 1);
    assert.deepEqual(calls.calls.filter((c) => c.endpoint === 'GET /v2/spaces/:space').map((c) => [c.status, c.fault ?? null]), [[500, 'google_error'], [500, 'google_error'], [500, 'google_error'], [403, null]]);
  });

  it('hold keeps spaces.create waiting until the control API releases it, then answers normally', async () => {
    s = await startSandbox();
    const t = (await connect(s)).access_token;
    const armed = await s.control<{ fault: { id: number } }>('POST', '/faults', { endpoint: 'POST /v2/spaces', fault: { kind: 'hold' } });
    let answered = false;
    const pending = api(s, t, 'POST', '/v2/spaces', {}).then((r) => ((answered = true), r));
    const waiting = async () => (await s.control<{ faults: Array<{ id: number; held: number }> }>('GET', '/faults')).json.faults.find((f) => f.id === armed.json.fault.id)?.held ?? 0;
    assert.equal(await until('the create is held in the sandbox', waiting), 1);
    assert.equal(answered, false);
    assert.equal((await s.control<{ spaces: unknown[] }>('GET', '/spaces')).json.spaces.length, 0, 'nothing is created while the call is held');
    assert.deepEqual((await s.control('POST', `/faults/${armed.json.fault.id}/release`)).json, { released: 1 });
    assert.equal((await pending).status, 200);
    assert.equal((await s.control<{ spaces: unknown[] }>('GET', '/spaces')).json.spaces.length, 1);
  });

  it('drop closes the connection without acting; drop_after_processing creates the space and loses the answer', async () => {
    s = await startSandbox();
    const t = (await connect(s)).access_token;
    await s.control('POST', '/faults', { endpoint: 'POST /v2/spaces', fault: { kind: 'drop' } });
    await assert.rejects(api(s, t, 'POST', '/v2/spaces', {}), TypeError);
    assert.equal((await s.control<{ spaces: unknown[] }>('GET', '/spaces')).json.spaces.length, 0);
    await s.control('POST', '/faults', { endpoint: 'POST /v2/spaces', fault: { kind: 'drop_after_processing' } });
    await assert.rejects(api(s, t, 'POST', '/v2/spaces', {}), TypeError);
    assert.equal((await s.control<{ spaces: unknown[] }>('GET', '/spaces')).json.spaces.length, 1, 'a lost answer: the space exists');
    const bad = await s.control('POST', '/faults', { endpoint: 'POST /v2/spaces', fault: { kind: 'explode' } });
    assert.deepEqual(errorOf(bad.json as Record<string, unknown>), [400, 'INVALID_ARGUMENT']);
  });
});

describe('Google sandbox control API', () => {
  let s: Running | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('control: { token } answers only requests that carry the token; control: false serves none', async () => {
    s = await startSandbox({ control: { token: 'per-process-secret' } });
    assert.equal((await s.control('GET', '/apps')).status, 401);
    assert.equal((await fetch(`${s.url}/_control/apps`, { headers: { [CONTROL_TOKEN_HEADER]: 'per-process-secreT' } })).status, 401);
    const right = await fetch(`${s.url}/_control/apps`, { headers: { [CONTROL_TOKEN_HEADER]: 'per-process-secret' } });
    assert.equal(right.status, 200);
    await s.close();
    s = await startSandbox({ control: false });
    assert.equal((await s.control('GET', '/apps')).status, 404);
  });

  it('refuses requests a browser sends from another site', async () => {
    s = await startSandbox();
    const fault = JSON.stringify({ endpoint: '*', fault: { kind: 'drop' } });
    const cross = await fetch(`${s.url}/_control/faults`, { method: 'POST', headers: { 'content-type': 'text/plain', origin: 'http://localhost:3999' }, body: fault });
    assert.equal(cross.status, 403);
    assert.deepEqual((await s.control<{ faults: unknown[] }>('GET', '/faults')).json.faults, []);
  });

  it('revoke-grants (as an admin would) and reset', async () => {
    s = await startSandbox();
    const t = await connect(s);
    assert.deepEqual((await s.control('POST', `/accounts/${WORKSPACE}/revoke-grants`, {})).json, { revoked: 1 });
    const r = await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: t.refresh_token ?? '', ...clientCreds() });
    assert.equal(r.json.error, 'invalid_grant');
    assert.deepEqual((await s.control('POST', '/reset', {})).json, { status: 'reset' });
    assert.deepEqual((await s.control<{ grants: unknown[] }>('GET', '/grants')).json.grants, []);
    assert.equal((await s.control<{ apps: unknown[] }>('GET', '/apps')).json.apps.length, 1, 'apps are kept unless apps: true');
    const added = await s.control<{ account: { sub: string; hd: string } }>('POST', '/accounts', { email: 'sre@example-org.test', name: 'Sam SRE' });
    assert.equal(added.status, 201);
    assert.equal(added.json.account.hd, 'example-org.test');
    assert.match(added.json.account.sub, /^\d{21}$/);
  });
});

describe('Google sandbox security and persistence', () => {
  let s: Running | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('every response forbids framing, sniffing and referrers', async () => {
    s = await startSandbox();
    for (const url of [authorizeUrl(s), `${s.url}/myaccount/connections`, `${s.url}/meet/aaa-bbbb-ccc`, `${s.url}/v2/spaces`]) {
      const res = await fetch(url);
      assert.equal(res.headers.get('x-frame-options'), 'DENY', url);
      assert.match(res.headers.get('content-security-policy') ?? '', /^default-src 'self'; script-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; .*frame-ancestors 'none'$/);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    }
  });

  it('the state file (mode 0600) keeps a connected account across restarts; an invalid file stops the start', async () => {
    const file = join(dir, 'state', 'google-sandbox.json');
    s = await startSandbox({ stateFile: file });
    const t = await connect(s);
    const sp = (await api(s, t.access_token, 'POST', '/v2/spaces', {})).json as { name: string };
    await s.close();
    assert.equal(statSync(file).mode & 0o777, 0o600);
    s = await startSandbox({ stateFile: file }, null);
    assert.equal((await api(s, t.access_token, 'GET', `/v2/${sp.name}`)).status, 200, 'the access token and the space survived');
    assert.equal((await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: t.refresh_token ?? '', ...clientCreds() })).status, 200);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"version":1}');
    await assert.rejects(startSandbox({ stateFile: broken }), /Google sandbox state file .* is not valid/);
  });

  it('an unreadable form answers 400 and changes nothing', async () => {
    s = await startSandbox();
    await connect(s);
    const res = await fetch(`${s.url}/myaccount/connections/${encodeURIComponent(testApp().clientId)}/remove`, { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'x' });
    assert.equal(res.status, 400);
    assert.deepEqual((await s.control<{ grants: Array<{ revokedAt: string | null }> }>('GET', '/grants')).json.grants.map((g) => g.revokedAt), [null]);
  });
});
