import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  CONSUMER,
  MEET_SCOPE,
  REDIRECT,
  WORKSPACE,
  api,
  authorize,
  authorizeUrl,
  clientCreds,
  connect,
  decodeJwt,
  errorOf,
  manualClock,
  reasonOf,
  startSandbox,
  submitConsent,
  testApp,
  tokenRequest,
  verifier,
  type ManualClock,
  type Running,
} from './helpers.ts';

const DEAD = { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' };
const DAY = 24 * 60 * 60_000;

describe('Google sandbox OAuth 2.0', () => {
  let s: Running;
  let clock: ManualClock;
  afterEach(() => s.close());
  const start = async (app = testApp()) => {
    clock = manualClock('2026-12-06T21:00:00Z');
    s = await startSandbox({ clock: clock.now }, app);
  };
  const refresh = (rt: string) => tokenRequest(s, { grant_type: 'refresh_token', refresh_token: rt, ...clientCreds() });

  it('Allow with PKCE S256 and offline access: the callback carries code, state and granted scopes; the code buys Google-shaped tokens', async () => {
    await start();
    const v = verifier();
    const { code, location } = await authorize(s, { pkce: { method: 'S256', verifier: v }, state: 'csrf-123' });
    assert.equal(`${location.origin}${location.pathname}`, REDIRECT);
    assert.equal(location.searchParams.get('state'), 'csrf-123');
    assert.match(code, /^4\/0A/);
    assert.equal(location.searchParams.get('scope'), `openid https://www.googleapis.com/auth/userinfo.email ${MEET_SCOPE}`);
    assert.equal(location.searchParams.get('authuser'), '0', 'extra parameters a client must ignore');
    assert.equal(location.searchParams.get('hd'), 'workspace.sandbox.google.test');
    const raw = await fetch(`${s.url}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: v, ...clientCreds() }) });
    assert.match(raw.headers.get('cache-control') ?? '', /no-store/);
    const r = { status: raw.status, json: (await raw.json()) as Record<string, unknown> };
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.json).sort(), ['access_token', 'expires_in', 'id_token', 'refresh_token', 'scope', 'token_type']);
    assert.match(String(r.json.access_token), /^ya29\./);
    assert.match(String(r.json.refresh_token), /^1\/\//);
    assert.equal(r.json.expires_in, 3599);
    assert.equal(r.json.token_type, 'Bearer');
    const claims = decodeJwt(String(r.json.id_token));
    assert.equal(claims.iss, 'https://accounts.google.com');
    assert.equal(claims.aud, testApp().clientId);
    assert.equal(claims.sub, WORKSPACE);
    assert.equal(claims.email, 'oncall@workspace.sandbox.google.test');
    assert.equal(claims.hd, 'workspace.sandbox.google.test');
    const info = await api(s, String(r.json.access_token), 'GET', '/v1/userinfo');
    assert.deepEqual(info.json, { sub: WORKSPACE, email: 'oncall@workspace.sandbox.google.test', email_verified: true, hd: 'workspace.sandbox.google.test' });
  });

  it('Cancel sends the person back with error=access_denied and the state, and no code', async () => {
    await start();
    const location = await submitConsent(s, authorizeUrl(s, { state: 'st-cancel' }), { decision: 'cancel' });
    assert.equal(location.searchParams.get('error'), 'access_denied');
    assert.equal(location.searchParams.get('state'), 'st-cancel');
    assert.equal(location.searchParams.get('code'), null);
    assert.deepEqual((await s.control<{ grants: unknown[] }>('GET', '/grants')).json.grants, []);
  });

  it('a redirect_uri that is not registered exactly shows Google\'s error page and never redirects', async () => {
    await start();
    for (const uri of [`${REDIRECT}/`, REDIRECT.replace('http:', 'https:'), 'http://evil.test/cb']) {
      const res = await fetch(authorizeUrl(s, { redirectUri: uri }), { redirect: 'manual' });
      assert.equal(res.status, 400, uri);
      assert.equal(res.headers.get('location'), null);
      const html = await res.text();
      assert.match(html, /Error 400: redirect_uri_mismatch/);
      assert.match(html, /Google sandbox — not Google/);
    }
    const unknown = await fetch(authorizeUrl(s, { clientId: 'nobody.apps.googleusercontent.com' }));
    assert.equal(unknown.status, 401);
    assert.match(await unknown.text(), /Error 401: invalid_client/);
  });

  it('a person who unticks the Meet permission gets a token without it, and Meet answers 403 ACCESS_TOKEN_SCOPE_INSUFFICIENT', async () => {
    await start();
    const t = await connect(s, { ticked: [] });
    assert.equal(t.scope, 'openid https://www.googleapis.com/auth/userinfo.email');
    const r = await api(s, t.access_token, 'POST', '/v2/spaces', {});
    assert.deepEqual(errorOf(r.json), [403, 'PERMISSION_DENIED']);
    assert.equal(reasonOf(r.json), 'ACCESS_TOKEN_SCOPE_INSUFFICIENT');
  });

  it('a refresh token comes only with access_type=offline, and only on first consent unless prompt=consent', async () => {
    await start();
    assert.equal((await connect(s, { accessType: 'online' })).refresh_token, undefined, 'online access: none even on first consent');
    const first = await connect(s, { account: CONSUMER });
    assert.ok(first.refresh_token, 'first consent of this account');
    const again = await connect(s, { account: CONSUMER });
    assert.equal(again.refresh_token, undefined, 'already granted, no prompt=consent');
    const forced = await connect(s, { account: CONSUMER, prompt: 'consent' });
    assert.ok(forced.refresh_token);
    assert.equal((await refresh(first.refresh_token)).status, 200, 'an earlier refresh token of the same grant still works');
  });

  it('codes are single-use and short-lived; redirect_uri and the PKCE verifier must match (invalid_grant)', async () => {
    await start();
    const v = verifier();
    const exchange = (code: string, over: Record<string, string> = {}) =>
      tokenRequest(s, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: v, ...clientCreds(), ...over });
    const a = (await authorize(s, { pkce: { method: 'S256', verifier: v } })).code;
    assert.deepEqual((await exchange(a, { code_verifier: verifier() })).json, { error: 'invalid_grant', error_description: 'Bad Request' });
    const b = (await authorize(s, { pkce: { method: 'S256', verifier: v } })).code;
    assert.deepEqual((await exchange(b, { redirect_uri: `${REDIRECT}/` })).json, { error: 'invalid_grant', error_description: 'Bad Request' });
    const c = (await authorize(s, { pkce: { method: 'S256', verifier: v } })).code;
    assert.equal((await exchange(c)).status, 200);
    const reused = await exchange(c);
    assert.equal(reused.status, 400);
    assert.deepEqual(reused.json, { error: 'invalid_grant', error_description: 'Bad Request' });
    await s.control('POST', '/settings', { reusedCodeDescription: 'Code was already redeemed.' });
    assert.deepEqual((await exchange(c)).json, { error: 'invalid_grant', error_description: 'Code was already redeemed.' });
    const d = (await authorize(s, { pkce: { method: 'S256', verifier: v } })).code;
    clock.advance(10 * 60_000);
    assert.deepEqual((await exchange(d)).json, { error: 'invalid_grant', error_description: 'Bad Request' }, 'expired after 10 minutes');
  });

  it('refresh gives a new access token and no new refresh token; the earlier access token keeps working until it expires', async () => {
    await start();
    const t = await connect(s);
    const r = await refresh(t.refresh_token ?? '');
    assert.equal(r.status, 200);
    assert.equal(r.json.refresh_token, undefined, 'Google does not rotate refresh tokens');
    assert.notEqual(r.json.access_token, t.access_token);
    assert.equal(r.json.scope, t.scope);
    assert.equal((await api(s, t.access_token, 'GET', '/v1/userinfo')).status, 200);
    clock.advance(60 * 60_000);
    const expired = await api(s, t.access_token, 'POST', '/v2/spaces', {});
    assert.deepEqual(errorOf(expired.json), [401, 'UNAUTHENTICATED']);
    assert.equal(reasonOf(expired.json), 'ACCESS_TOKEN_EXPIRED');
    assert.equal((await refresh(t.refresh_token ?? '')).status, 200, 'the refresh token still works');
  });

  it('revoke (POST, token in the body or the query) ends the whole grant: invalid_grant on refresh, 401 at Meet; GET /revoke is 404', async () => {
    await start();
    const t = await connect(s);
    assert.equal((await fetch(`${s.url}/revoke?token=${encodeURIComponent(t.access_token)}`)).status, 404);
    const res = await fetch(`${s.url}/revoke`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: t.access_token }) });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {});
    const r = await refresh(t.refresh_token ?? '');
    assert.equal(r.status, 400);
    assert.deepEqual(r.json, DEAD, 'revoking the access token took the refresh token with it');
    assert.deepEqual(errorOf((await api(s, t.access_token, 'GET', '/v2/conferenceRecords')).json), [401, 'UNAUTHENTICATED']);
    const again = await fetch(`${s.url}/revoke?token=${encodeURIComponent(t.refresh_token ?? '')}`, { method: 'POST' });
    assert.equal(again.status, 400);
    assert.equal(((await again.json()) as { error: string }).error, 'invalid_token');
    const fresh = await connect(s);
    assert.ok(fresh.refresh_token, 'after a revoke the next consent is a first consent again');
    const byQuery = await fetch(`${s.url}/revoke?token=${encodeURIComponent(fresh.refresh_token ?? '')}`, { method: 'POST' });
    assert.equal(byQuery.status, 200);
  });

  it('an app in "Testing" status gets refresh tokens that die after 7 days', async () => {
    await start(testApp({ publishingStatus: 'testing' }));
    const t = await connect(s);
    clock.advance(7 * DAY - 1);
    assert.equal((await refresh(t.refresh_token ?? '')).status, 200, 'alive 1 ms before 7 days');
    clock.advance(1);
    assert.deepEqual((await refresh(t.refresh_token ?? '')).json, DEAD);
    const identityOnly = await connect(s, { scopes: ['openid', 'email'], prompt: 'consent' });
    clock.advance(30 * DAY);
    assert.equal((await refresh(identityOnly.refresh_token ?? '')).status, 200, 'identity-only grants are exempt (a setting)');
  });

  it('other refresh-token deaths: six months unused, past the live-token limit (oldest first), time-limited access', async () => {
    await start();
    const idle = await connect(s);
    clock.advance(184 * DAY);
    assert.deepEqual((await refresh(idle.refresh_token ?? '')).json, DEAD);
    await s.control('POST', '/settings', { maxRefreshTokensPerGrant: 2 });
    const [a, b, c] = [await connect(s, { prompt: 'consent' }), await connect(s, { prompt: 'consent' }), await connect(s, { prompt: 'consent' })];
    assert.deepEqual((await refresh(a.refresh_token ?? '')).json, DEAD, 'the oldest died silently');
    assert.equal((await refresh(b.refresh_token ?? '')).status, 200);
    assert.equal((await refresh(c.refresh_token ?? '')).status, 200);
    const limited = await connect(s, { account: CONSUMER, timeLimit: 'hour' });
    assert.equal((limited as unknown as Record<string, unknown>).refresh_token_expires_in, 3600);
    clock.advance(60 * 60_000);
    assert.deepEqual((await refresh(limited.refresh_token ?? '')).json, DEAD);
  });

  it('client authentication: form fields or HTTP Basic; a wrong secret is invalid_client; unknown grant types are refused', async () => {
    await start();
    const t = await connect(s);
    const basic = `Basic ${Buffer.from(`${testApp().clientId}:${testApp().clientSecret}`).toString('base64')}`;
    assert.equal((await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: t.refresh_token ?? '' }, { authorization: basic })).status, 200);
    const wrong = await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: t.refresh_token ?? '', client_id: testApp().clientId, client_secret: 'nope' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.error, 'invalid_client');
    const odd = await tokenRequest(s, { grant_type: 'password', ...clientCreds() });
    assert.deepEqual(odd.json, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type: password' });
    const missing = await tokenRequest(s, { grant_type: 'authorization_code', ...clientCreds() });
    assert.deepEqual(missing.json, { error: 'invalid_request', error_description: 'Missing required parameter: code' });
  });

  it('include_granted_scopes=true: a later token also covers what was granted before', async () => {
    await start();
    await connect(s, { scopes: ['openid', 'email', MEET_SCOPE] });
    const narrow = await connect(s, { scopes: ['openid'] });
    assert.equal(narrow.scope, 'openid');
    const wide = await connect(s, { scopes: ['openid'], includeGrantedScopes: true });
    assert.equal(wide.scope, `openid https://www.googleapis.com/auth/userinfo.email ${MEET_SCOPE}`);
  });
});
