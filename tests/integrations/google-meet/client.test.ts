import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMeetClient, exchangeCode, getUserInfo, GoogleError, refreshTokens, revokeToken, type GoogleFailure } from '../../../src/integrations/google-meet/index.ts';
import { buildAuthorizeUrl } from '../../../src/integrations/google-meet/oauth.ts';
import { authorize, MEET_SCOPE, NO_MEET, s256, verifier } from '../../google-sandbox/helpers.ts';
import { startGoogle, googleConfigFor } from '../../support/google.ts';

// The Google client against the Google sandbox over HTTP: each failure class from Google's real shapes.
const { sandbox, google } = await startGoogle();
const oauth = { ...googleConfigFor(sandbox) };
const meet = createMeetClient({ apiBaseUrl: google.meetApiBaseUrl });

async function failureOf(p: Promise<unknown>): Promise<GoogleFailure> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof GoogleError, String(err));
    return err.failure;
  }
  return assert.fail('expected a GoogleError');
}

/** A token set for a sandbox account, through the real code exchange. */
async function tokens(o: { account?: string; meetScope?: boolean } = {}) {
  const v = verifier();
  const { code } = await authorize(sandbox, {
    clientId: google.clientId,
    redirectUri: google.redirectUri,
    prompt: 'consent',
    pkce: { method: 'S256', verifier: v },
    ...(o.account ? { account: o.account } : {}),
    ...(o.meetScope === false ? { ticked: [] } : {}),
  });
  return exchangeCode({ ...oauth, code, codeVerifier: v });
}

test('the authorize URL is Google’s, with the Meet scope, offline access, consent and PKCE S256', () => {
  const u = new URL(buildAuthorizeUrl({ authBaseUrl: 'https://accounts.google.com', clientId: 'c', redirectUri: 'https://rf/cb', state: 's', codeChallenge: s256('v') }));
  assert.equal(u.origin + u.pathname, 'https://accounts.google.com/o/oauth2/v2/auth');
  assert.deepEqual(Object.fromEntries(u.searchParams), {
    client_id: 'c',
    redirect_uri: 'https://rf/cb',
    response_type: 'code',
    scope: `openid email ${MEET_SCOPE}`,
    state: 's',
    access_type: 'offline',
    prompt: 'consent',
    include_granted_scopes: 'true',
    code_challenge: s256('v'),
    code_challenge_method: 'S256',
  });
});

test('exchange, userinfo, create/get/end, conference records, refresh (no rotation), revoke', async () => {
  const t = await tokens();
  assert.ok(t.scopes.includes(MEET_SCOPE));
  const me = await getUserInfo(oauth, t.accessToken);
  assert.equal(me.email, 'oncall@workspace.sandbox.google.test');
  const space = await meet.createSpace(t.accessToken);
  assert.match(space.name, /^spaces\/[A-Za-z0-9]{12}$/);
  assert.equal((await meet.getSpace(t.accessToken, space.name)).meetingUri, space.meetingUri);
  assert.equal(await meet.latestConference(t.accessToken, space.name), null, 'an empty list answer ({}) means not started');
  await meet.endActiveConference(t.accessToken, space.name); // idle: FAILED_PRECONDITION counts as ended
  const again = await refreshTokens({ ...oauth, refreshToken: t.refreshToken });
  assert.equal(again.refreshToken, t.refreshToken, 'Google does not rotate: the stored refresh token stays');
  await revokeToken({ ...oauth, token: again.accessToken });
  assert.deepEqual(await failureOf(refreshTokens({ ...oauth, refreshToken: t.refreshToken })), { kind: 'invalid_grant' });
  assert.deepEqual(await failureOf(meet.createSpace(again.accessToken)), { kind: 'token_invalid' });
  await revokeToken({ ...oauth, token: again.accessToken }); // already gone: 400 is not an error
});

test('403s by reason: scope unticked → missing_scope; Meet off → cannot_host on create; someone else’s space → not_found', async () => {
  const noScope = await tokens({ account: (await sandbox.control<{ account: { sub: string } }>('POST', '/accounts', { email: 'n@workspace.sandbox.google.test', name: 'N' })).json.account.sub, meetScope: false });
  assert.ok(!noScope.scopes.includes(MEET_SCOPE));
  assert.deepEqual(await failureOf(meet.createSpace(noScope.accessToken)), { kind: 'missing_scope', scopes: [MEET_SCOPE] });
  const off = await tokens({ account: NO_MEET });
  assert.deepEqual(await failureOf(meet.createSpace(off.accessToken)), { kind: 'cannot_host' });
  assert.deepEqual(await failureOf(meet.getSpace(off.accessToken, 'spaces/AAAAAAAAAAAA')), { kind: 'not_found' });
});

test('429, 5xx, a timeout and a broken success body', async () => {
  const t = await tokens();
  await sandbox.control('POST', '/faults', { endpoint: 'POST /v2/spaces', fault: { kind: 'rate_limit' } });
  const limited = await failureOf(meet.createSpace(t.accessToken));
  assert.equal(limited.kind, 'rate_limited');
  await sandbox.control('POST', '/faults', { endpoint: 'POST /v2/spaces', fault: { kind: 'google_error', status: 500, rpcStatus: 'INTERNAL', message: 'Internal error encountered.' } });
  assert.deepEqual(await failureOf(meet.createSpace(t.accessToken)), { kind: 'unavailable', reason: 'http_5xx' });
  await sandbox.control('POST', '/faults', { endpoint: 'POST /v2/spaces', fault: { kind: 'delay', ms: 2000 } });
  const slow = createMeetClient({ apiBaseUrl: google.meetApiBaseUrl, timeoutMs: 200 });
  assert.deepEqual(await failureOf(slow.createSpace(t.accessToken)), { kind: 'unavailable', reason: 'timeout' });
  await sandbox.control('POST', '/faults', { endpoint: 'POST /v2/spaces', fault: { kind: 'http', status: 200, body: { name: 'not-a-space' } } });
  assert.deepEqual(await failureOf(meet.createSpace(t.accessToken)), { kind: 'rejected', status: 200, message: 'Google answered with an unexpected body.' });
  await sandbox.control('PATCH', `/apps/${encodeURIComponent(google.clientId)}`, { meetApiEnabled: false });
  try {
    const disabled = await failureOf(meet.createSpace(t.accessToken));
    assert.equal(disabled.kind, 'rejected');
    assert.match(disabled.kind === 'rejected' ? disabled.message : '', /Google Meet REST API is not enabled/);
  } finally {
    await sandbox.control('PATCH', `/apps/${encodeURIComponent(google.clientId)}`, { meetApiEnabled: true });
  }
});

test('a code exchange without a refresh token is no_refresh_token', async () => {
  const v = verifier();
  const { code } = await authorize(sandbox, { clientId: google.clientId, redirectUri: google.redirectUri, pkce: { method: 'S256', verifier: v }, accessType: 'online' });
  assert.deepEqual(await failureOf(exchangeCode({ ...oauth, code, codeVerifier: v })), { kind: 'no_refresh_token' });
});
