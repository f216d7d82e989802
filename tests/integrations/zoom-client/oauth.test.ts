import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { buildAuthorizeUrl, createZoomClient, exchangeCode, refreshTokens, revokeToken, ZoomError, type FetchLike } from '../../../src/integrations/zoom/index.ts';
import { CLIENT_ID, CLIENT_SECRET, REDIRECT, consent, connectWithClient, pkce, rejects, startZoom, type Running } from './helpers.ts';

let s: Running;
before(async () => {
  s = await startZoom();
});
after(async () => {
  await s.close();
});
beforeEach(async () => {
  await s.control('POST', '/reset', {});
});

const creds = () => ({ oauthBaseUrl: s.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });

test('authorize URL: response_type=code, client, redirect, state, S256 challenge and no scope', async () => {
  const url = new URL(buildAuthorizeUrl({ oauthBaseUrl: 'https://zoom.us/', clientId: 'cid', redirectUri: 'https://rf.example/integrations/zoom/callback', state: 's t&x', codeChallenge: 'abc_-' }));
  assert.equal(url.origin + url.pathname, 'https://zoom.us/oauth/authorize');
  assert.deepEqual([...url.searchParams.keys()], ['response_type', 'client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method']);
  assert.equal(url.searchParams.get('response_type'), 'code');
  assert.equal(url.searchParams.get('redirect_uri'), 'https://rf.example/integrations/zoom/callback');
  assert.equal(url.searchParams.get('state'), 's t&x');
  assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(url.searchParams.has('scope'), false);
});

test('the sandbox consent page accepts the built URL and redirects back with code and state', async () => {
  const { challenge } = pkce();
  const loc = await consent(buildAuthorizeUrl({ oauthBaseUrl: s.url, clientId: CLIENT_ID, redirectUri: REDIRECT, state: 'st-1', codeChallenge: challenge }));
  assert.equal(`${loc.origin}${loc.pathname}`, REDIRECT);
  assert.equal(loc.searchParams.get('state'), 'st-1');
  assert.ok(loc.searchParams.get('code'));
});

test('code exchange with PKCE: token set with rotated-later refresh token, scopes array, expiry from injected now, api_url', async () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const t = await connectWithClient(s, { now: () => now });
  assert.ok(t.accessToken.length > 10);
  assert.ok(t.refreshToken.length > 10);
  assert.equal(t.expiresAt.toISOString(), new Date(now.getTime() + 3599_000).toISOString());
  assert.ok(t.scopes.includes('meeting:write:meeting') && t.scopes.includes('user:read:user'));
  assert.equal(t.apiUrl, s.url);
  const calls = await s.control<{ counts: Record<string, number> }>('GET', '/calls');
  assert.equal(calls.json.counts['POST /oauth/token:authorization_code'], 1);
});

test('token requests: Basic auth, form body, Accept JSON, nothing in the query string', async () => {
  const seen: Request[] = [];
  const spy: FetchLike = async (input, init) => {
    const req = new Request(input, init);
    seen.push(req.clone());
    return fetch(req);
  };
  const err = await rejects(refreshTokens({ ...creds(), refreshToken: 'not-a-real-refresh-token', fetch: spy }));
  assert.ok(err instanceof ZoomError);
  const req = seen[0];
  assert.ok(req);
  const url = new URL(req.url);
  assert.equal(url.pathname, '/oauth/token');
  assert.equal(url.search, '');
  assert.equal(req.method, 'POST');
  assert.equal(req.headers.get('authorization'), `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`);
  assert.equal(req.headers.get('accept'), 'application/json');
  assert.match(req.headers.get('content-type') ?? '', /^application\/x-www-form-urlencoded/);
  const form = new URLSearchParams(await req.text());
  assert.equal(form.get('grant_type'), 'refresh_token');
  assert.equal(form.get('refresh_token'), 'not-a-real-refresh-token');
});

test('PKCE verifier mismatch → invalid_grant', async () => {
  const { challenge } = pkce();
  const loc = await consent(buildAuthorizeUrl({ oauthBaseUrl: s.url, clientId: CLIENT_ID, redirectUri: REDIRECT, state: 'st', codeChallenge: challenge }));
  const code = loc.searchParams.get('code') ?? '';
  const err = await rejects(exchangeCode({ ...creds(), code, redirectUri: REDIRECT, codeVerifier: pkce().verifier }));
  assert.ok(err instanceof ZoomError);
  assert.deepEqual(err.failure, { kind: 'invalid_grant' });
});

test('a reused code → rejected (invalid_request), and the code never appears in the error', async () => {
  const { verifier, challenge } = pkce();
  const loc = await consent(buildAuthorizeUrl({ oauthBaseUrl: s.url, clientId: CLIENT_ID, redirectUri: REDIRECT, state: 'st', codeChallenge: challenge }));
  const code = loc.searchParams.get('code') ?? '';
  await exchangeCode({ ...creds(), code, redirectUri: REDIRECT, codeVerifier: verifier });
  const err = await rejects(exchangeCode({ ...creds(), code, redirectUri: REDIRECT, codeVerifier: verifier }));
  assert.ok(err instanceof ZoomError);
  assert.equal(err.failure.kind, 'rejected');
  const dump = `${err.message} ${JSON.stringify(err.failure)} ${String(err.stack)}`;
  assert.ok(!dump.includes(code), 'code leaked into the error');
  assert.ok(!dump.includes(CLIENT_SECRET) && !dump.includes(verifier));
  assert.ok(err.trackingId, 'x-zm-trackingid carried');
});

test('bad client secret → rejected invalid_client, secret not in the message', async () => {
  const err = await rejects(refreshTokens({ ...creds(), clientSecret: 'wrong-secret-value', refreshToken: 'whatever-token' }));
  assert.ok(err instanceof ZoomError);
  assert.equal(err.failure.kind, 'rejected');
  assert.ok(!err.message.includes('wrong-secret-value') && !JSON.stringify(err.failure).includes('wrong-secret-value'));
});

test('refresh rotates the refresh token; the stale one then answers invalid_grant; old access token dies', async () => {
  const first = await connectWithClient(s);
  const second = await refreshTokens({ ...creds(), refreshToken: first.refreshToken });
  assert.notEqual(second.refreshToken, first.refreshToken);
  assert.notEqual(second.accessToken, first.accessToken);
  const third = await refreshTokens({ ...creds(), refreshToken: second.refreshToken });
  assert.ok(third.accessToken);

  const stale = await rejects(refreshTokens({ ...creds(), refreshToken: first.refreshToken }));
  assert.ok(stale instanceof ZoomError);
  assert.deepEqual(stale.failure, { kind: 'invalid_grant' });
  assert.ok(!stale.message.includes(first.refreshToken));

  const client = createZoomClient({ apiBaseUrl: `${s.url}/v2` });
  const old = await rejects(client.getMe(first.accessToken));
  assert.ok(old instanceof ZoomError);
  assert.deepEqual(old.failure, { kind: 'token_invalid' });
  assert.equal((await client.getMe(third.accessToken)).id, 'sandboxHostUser0000001');
});

test('revoke: success, then the access token is refused and refresh is invalid_grant', async () => {
  const t = await connectWithClient(s);
  await revokeToken({ ...creds(), token: t.accessToken });
  const client = createZoomClient({ apiBaseUrl: `${s.url}/v2` });
  const e1 = await rejects(client.getMe(t.accessToken));
  assert.ok(e1 instanceof ZoomError && e1.failure.kind === 'token_invalid');
  const e2 = await rejects(refreshTokens({ ...creds(), refreshToken: t.refreshToken }));
  assert.ok(e2 instanceof ZoomError && e2.failure.kind === 'invalid_grant');
  // Revoking again: Zoom-shaped 400 → rejected, the token not echoed.
  const e3 = await rejects(revokeToken({ ...creds(), token: t.accessToken }));
  assert.ok(e3 instanceof ZoomError && e3.failure.kind === 'rejected');
  assert.ok(!JSON.stringify(e3.failure).includes(t.accessToken));
});

test('a second authorization of the same user revokes the first grant (4741): first refresh → invalid_grant', async () => {
  const a = await connectWithClient(s);
  await connectWithClient(s);
  const err = await rejects(refreshTokens({ ...creds(), refreshToken: a.refreshToken }));
  assert.ok(err instanceof ZoomError && err.failure.kind === 'invalid_grant');
});

test('token endpoint 5xx / drop / timeout → unavailable', async () => {
  await s.control('POST', '/faults', { endpoint: 'POST /oauth/token:refresh_token', fault: { kind: 'http', status: 503, body: 'upstream' } });
  const e1 = await rejects(refreshTokens({ ...creds(), refreshToken: 'x-token' }));
  assert.ok(e1 instanceof ZoomError);
  assert.deepEqual(e1.failure, { kind: 'unavailable', reason: 'http_5xx' });

  await s.control('POST', '/faults', { endpoint: 'POST /oauth/token', fault: { kind: 'drop' } });
  const e2 = await rejects(refreshTokens({ ...creds(), refreshToken: 'x-token' }));
  assert.ok(e2 instanceof ZoomError);
  assert.deepEqual(e2.failure, { kind: 'unavailable', reason: 'network' });

  await s.control('POST', '/faults', { endpoint: 'POST /oauth/token', fault: { kind: 'delay', ms: 600 } });
  const e3 = await rejects(refreshTokens({ ...creds(), refreshToken: 'x-token', timeoutMs: 150 }));
  assert.ok(e3 instanceof ZoomError);
  assert.deepEqual(e3.failure, { kind: 'unavailable', reason: 'timeout' });
});
