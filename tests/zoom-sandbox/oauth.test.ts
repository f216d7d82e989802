import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  ALL_SCOPES,
  HOST_ID,
  REDIRECT,
  api,
  authorize,
  basic,
  connect,
  manualClock,
  startSandbox,
  testApp,
  tokenRequest,
  verifier,
  type ManualClock,
  type Running,
} from './helpers.ts';

describe('Zoom sandbox OAuth', () => {
  let s: Running;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = manualClock('2026-03-10T12:00:00Z');
    s = await startSandbox({ clock: clock.now });
    await s.sandbox.registerApp(testApp());
  });
  afterEach(() => s.close());

  it('authorize validates client_id, exact redirect_uri and response_type with error pages', async () => {
    const q = (p: Record<string, string>) => fetch(`${s.url}/oauth/authorize?${new URLSearchParams(p)}`);
    const unknownClient = await q({ response_type: 'code', client_id: 'nope', redirect_uri: REDIRECT });
    assert.equal(unknownClient.status, 400);
    assert.match(await unknownClient.text(), /Invalid client_id: nope/);
    const mismatch = await q({ response_type: 'code', client_id: 'rf-client', redirect_uri: `${REDIRECT}/` });
    assert.equal(mismatch.status, 400);
    assert.match(await mismatch.text(), /Redirect URI mismatch\. \(4709\)/);
    const badType = await q({ response_type: 'token', client_id: 'rf-client', redirect_uri: REDIRECT });
    assert.equal(badType.status, 400);
    assert.match(await badType.text(), /Unsupported response_type: token/);
    const badMethod = await q({ response_type: 'code', client_id: 'rf-client', redirect_uri: REDIRECT, code_challenge: 'x', code_challenge_method: 'S512' });
    assert.equal(badMethod.status, 400);
  });

  it('Allow redirects with a code and the state; Decline redirects with access_denied and the state', async () => {
    const { location } = await authorize(s, { state: 'opaque-state-42' });
    assert.equal(`${location.origin}${location.pathname}`, REDIRECT);
    assert.equal(location.searchParams.get('state'), 'opaque-state-42');
    const form = new URLSearchParams({ client_id: 'rf-client', redirect_uri: REDIRECT, state: 'st-decline', user_id: HOST_ID, decision: 'decline' });
    const res = await fetch(`${s.url}/oauth/authorize/decision`, { method: 'POST', body: form, redirect: 'manual' });
    assert.equal(res.status, 302);
    const back = new URL(res.headers.get('location') ?? '');
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('state'), 'st-decline');
    assert.equal(back.searchParams.get('code'), null);
  });

  it('token response has Zoom field names and types, api_url pointing at the sandbox', async () => {
    const t = await connect(s);
    assert.equal(typeof t.access_token, 'string');
    assert.equal(t.token_type, 'bearer');
    assert.equal(typeof t.refresh_token, 'string');
    assert.equal(t.expires_in, 3599);
    assert.equal(t.scope, ALL_SCOPES.join(' '));
    assert.equal(t.api_url, s.url);
    const me = await api(s, t.access_token, 'GET', '/v2/users/me');
    assert.equal(me.status, 200);
  });

  it('an unticked scope is not granted', async () => {
    const t = await connect(s, { scopes: ['user:read:user', 'meeting:read:meeting'] });
    assert.equal(t.scope, 'user:read:user meeting:read:meeting');
  });

  it('required scopes (optionalScopes configured) are granted even if the form omits them', async () => {
    await s.sandbox.registerApp(testApp({ scopes: ['user:read:user', 'meeting:write:meeting'], optionalScopes: ['meeting:delete:meeting'] }));
    const t = await connect(s, { scopes: [] });
    assert.equal(t.scope, 'user:read:user meeting:write:meeting');
  });

  it('codes are single use: reuse → 400 invalid_request naming the code', async () => {
    const { code } = await authorize(s);
    const first = await tokenRequest(s, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    assert.equal(first.status, 200);
    const again = await tokenRequest(s, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    assert.equal(again.status, 400);
    assert.deepEqual(again.json, { reason: `Invalid authorization code ${code}`, error: 'invalid_request' });
  });

  it('codes expire after 5 minutes', async () => {
    const a = await authorize(s);
    clock.advance(4 * 60_000 + 59_000);
    assert.equal((await tokenRequest(s, { grant_type: 'authorization_code', code: a.code, redirect_uri: REDIRECT })).status, 200);
    const b = await authorize(s);
    clock.advance(5 * 60_000);
    const late = await tokenRequest(s, { grant_type: 'authorization_code', code: b.code, redirect_uri: REDIRECT });
    assert.equal(late.status, 400);
    assert.equal(late.json.error, 'invalid_request');
  });

  it('the token exchange checks redirect_uri', async () => {
    const { code } = await authorize(s);
    const r = await tokenRequest(s, { grant_type: 'authorization_code', code, redirect_uri: 'http://elsewhere.test/cb' });
    assert.equal(r.status, 400);
    assert.equal(r.json.reason, 'Redirect URI mismatch.');
  });

  it('PKCE S256: right verifier works, wrong verifier → invalid_grant', async () => {
    const v = verifier();
    assert.equal(typeof (await connect(s, { pkce: { method: 'S256', verifier: v } })).access_token, 'string');
    const { code } = await authorize(s, { pkce: { method: 'S256', verifier: v } });
    const wrong = await tokenRequest(s, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier() });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json.error, 'invalid_grant');
    const missing = await tokenRequest(s, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    assert.equal(missing.json.error, 'invalid_grant');
  });

  it('PKCE defaults to plain when the method is omitted', async () => {
    const v = verifier();
    const { code } = await authorize(s, { pkce: { verifier: v } });
    assert.equal((await tokenRequest(s, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: v })).status, 200);
    const q = new URLSearchParams({ response_type: 'code', client_id: 'rf-client', redirect_uri: REDIRECT, code_challenge: v });
    const page = await (await fetch(`${s.url}/oauth/authorize?${q}`)).text();
    assert.match(page, /name="code_challenge_method" value="plain"/);
  });

  it('refresh rotates both tokens; the stale refresh token and the old access token stop working', async () => {
    const t1 = await connect(s);
    const r = await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: t1.refresh_token });
    assert.equal(r.status, 200);
    assert.notEqual(r.json.refresh_token, t1.refresh_token);
    assert.notEqual(r.json.access_token, t1.access_token);
    assert.equal(r.json.expires_in, 3599);
    assert.equal(r.json.scope, ALL_SCOPES.join(' '));
    const stale = await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: t1.refresh_token });
    assert.equal(stale.status, 400);
    assert.deepEqual(stale.json, { reason: 'Invalid Token!', error: 'invalid_grant' });
    const old = await api(s, t1.access_token, 'GET', '/v2/users/me');
    assert.equal(old.status, 401);
    assert.deepEqual(old.json, { code: 124, message: 'Invalid access token.' });
    assert.equal((await api(s, String(r.json.access_token), 'GET', '/v2/users/me')).status, 200);
  });

  it('the old access token survives a refresh when the switch is off', async () => {
    await s.control('POST', '/settings', { invalidateAccessTokenOnRefresh: false });
    const t1 = await connect(s);
    await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: t1.refresh_token });
    assert.equal((await api(s, t1.access_token, 'GET', '/v2/users/me')).status, 200);
  });

  it('a new authorization by the same user revokes the earlier grant', async () => {
    const first = await connect(s);
    const second = await connect(s);
    const oldCall = await api(s, first.access_token, 'GET', '/v2/users/me');
    assert.equal(oldCall.status, 401);
    assert.equal(oldCall.json?.code, 124);
    const oldRefresh = await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    assert.deepEqual(oldRefresh.json, { reason: 'Invalid Token!', error: 'invalid_grant' });
    assert.equal((await api(s, second.access_token, 'GET', '/v2/users/me')).status, 200);
  });

  it('access tokens expire after an hour → 401/124 "Access token is expired."', async () => {
    const t = await connect(s);
    clock.advance(60 * 60_000);
    const r = await api(s, t.access_token, 'GET', '/v2/users/me');
    assert.equal(r.status, 401);
    assert.deepEqual(r.json, { code: 124, message: 'Access token is expired.' });
    const refreshed = await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: t.refresh_token });
    assert.equal(refreshed.status, 200);
  });

  it('token endpoint errors: bad client, missing Basic, unsupported grant', async () => {
    const bad = await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: 'x' }, basic('rf-client', 'wrong'));
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json, { reason: 'Invalid client_id or client_secret', error: 'invalid_client' });
    const none = await fetch(`${s.url}/oauth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token' }) });
    assert.equal(none.status, 400);
    assert.equal(((await none.json()) as { error: string }).error, 'invalid_client');
    const grant = await tokenRequest(s, { grant_type: 'client_credentials' });
    assert.deepEqual(grant.json, { reason: 'unsupported grant type', error: 'unsupported_grant_type' });
    const unknown = await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: 'never-issued' });
    assert.deepEqual(unknown.json, { reason: 'Invalid Token!', error: 'invalid_grant' });
  });

  it('revoke answers {"status":"success"} and ends the grant', async () => {
    const t = await connect(s);
    const res = await fetch(`${s.url}/oauth/revoke`, {
      method: 'POST',
      headers: { authorization: basic(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: t.access_token }),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'success' });
    assert.equal((await api(s, t.access_token, 'GET', '/v2/users/me')).status, 401);
    assert.equal((await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: t.refresh_token })).json.error, 'invalid_grant');
  });

  it('data compliance calls are accepted', async () => {
    const res = await fetch(`${s.url}/oauth/data/compliance`, {
      method: 'POST',
      headers: { authorization: basic(), 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'rf-client', compliance_completed: true }),
    });
    assert.equal(res.status, 200);
  });
});
