import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { meet } from '@googleapis/meet';
import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import { MEET_SCOPE, REDIRECT, startSandbox, submitConsent, testApp, type Running } from './helpers.ts';

// Dev-only fidelity check: Google's own Node clients, pointed at the sandbox, must accept everything it
// answers. Whatever they reject, the sandbox has wrong.

function oauthClient(s: Running): OAuth2Client {
  return new OAuth2Client({
    clientId: testApp().clientId,
    clientSecret: testApp().clientSecret,
    redirectUri: REDIRECT,
    endpoints: { oauth2AuthBaseUrl: `${s.url}/o/oauth2/v2/auth`, oauth2TokenUrl: `${s.url}/token`, oauth2RevokeUrl: `${s.url}/revoke` },
  });
}

/** Connects through the consent page with the URL the official client builds (PKCE S256, offline, prompt=consent). */
async function connectWithOfficialClient(s: Running): Promise<OAuth2Client> {
  const client = oauthClient(s);
  const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
  const url = client.generateAuthUrl({
    access_type: 'offline',
    prompt: 'consent',
    include_granted_scopes: true,
    scope: ['openid', 'email', MEET_SCOPE],
    state: 'official-state',
    code_challenge_method: CodeChallengeMethod.S256,
    code_challenge: codeChallenge ?? '',
  });
  assert.ok(url.startsWith(`${s.url}/o/oauth2/v2/auth?`));
  const back = await submitConsent(s, url);
  assert.equal(back.searchParams.get('state'), 'official-state');
  const { tokens } = await client.getToken({ code: back.searchParams.get('code') ?? '', codeVerifier });
  assert.match(tokens.access_token ?? '', /^ya29\./);
  assert.match(tokens.refresh_token ?? '', /^1\/\//);
  assert.ok((tokens.expiry_date ?? 0) > Date.now());
  assert.ok(tokens.id_token);
  assert.equal(tokens.scope, `openid https://www.googleapis.com/auth/userinfo.email ${MEET_SCOPE}`);
  client.setCredentials(tokens);
  return client;
}

describe('Google sandbox driven by google-auth-library and @googleapis/meet', () => {
  let s: Running;
  afterEach(() => s.close());

  it('code exchange, spaces.create/get, a live conference in conferenceRecords.list, endActiveConference', async () => {
    s = await startSandbox();
    const auth = await connectWithOfficialClient(s);
    const api = meet({ version: 'v2', auth, rootUrl: `${s.url}/` });
    const created = await api.spaces.create({ requestBody: { config: { accessType: 'OPEN' } } });
    assert.equal(created.status, 200);
    const name = created.data.name ?? '';
    assert.match(name, /^spaces\/[A-Za-z0-9]{12}$/);
    assert.equal(created.data.config?.accessType, 'OPEN');
    const got = await api.spaces.get({ name });
    assert.equal(got.data.meetingUri, created.data.meetingUri);
    const byCode = await api.spaces.get({ name: `spaces/${created.data.meetingCode ?? ''}` });
    assert.equal(byCode.data.name, name);

    await s.control('POST', `/spaces/${name.replace('spaces/', '')}/join`, { displayName: 'Ada' });
    const live = await api.conferenceRecords.list({ filter: `space.name = "${name}" AND end_time IS NULL` });
    assert.equal(live.data.conferenceRecords?.length, 1);
    assert.equal(live.data.conferenceRecords?.[0]?.space, name);
    assert.equal((await api.spaces.get({ name })).data.activeConference?.conferenceRecord, live.data.conferenceRecords?.[0]?.name);

    const ended = await api.spaces.endActiveConference({ name, requestBody: {} });
    assert.equal(ended.status, 200);
    assert.deepEqual(ended.data, {});
    const after = await api.conferenceRecords.list({ filter: `space.name = "${name}" AND end_time IS NULL` });
    assert.deepEqual(after.data.conferenceRecords ?? [], [], 'an empty answer ({}) reads as no records');
    const calls = (await s.control<{ counts: Record<string, number> }>('GET', '/calls')).json.counts;
    assert.equal(calls['POST /v2/spaces/:space:endActiveConference'], 1);
  });

  it('Google\'s error shape reaches the client as a GaxiosError with status and google.rpc status', async () => {
    s = await startSandbox();
    const auth = await connectWithOfficialClient(s);
    const api = meet({ version: 'v2', auth, rootUrl: `${s.url}/` });
    await assert.rejects(api.spaces.get({ name: 'spaces/AAAAAAAAAAAA' }), (err: unknown) => {
      const e = err as { status?: number; response?: { data?: { error?: { status?: string; message?: string } } } };
      assert.equal(e.status, 403);
      assert.equal(e.response?.data?.error?.status, 'PERMISSION_DENIED');
      assert.equal(e.response?.data?.error?.message, 'Permission denied on resource MeetingSpace (or it might not exist)');
      return true;
    });
    await assert.rejects(api.spaces.create({ requestBody: { config: { accessType: 'PUBLIC' } } }), (err: unknown) => {
      assert.equal((err as { status?: number }).status, 400);
      return true;
    });
  });

  it('an expiring access token is refreshed once by the client; after revokeToken the refresh is invalid_grant', async () => {
    s = await startSandbox();
    const auth = await connectWithOfficialClient(s);
    const api = meet({ version: 'v2', auth, rootUrl: `${s.url}/` });
    const refreshToken = auth.credentials.refresh_token ?? '';
    auth.setCredentials({ ...auth.credentials, expiry_date: Date.now() - 1000 });
    await s.control('POST', '/expire-tokens', {});
    await Promise.all([api.spaces.create({ requestBody: {} }), api.spaces.create({ requestBody: {} })]);
    const counts = (await s.control<{ counts: Record<string, number> }>('GET', '/calls')).json.counts;
    assert.equal(counts['POST /token:refresh_token'], 1, 'concurrent calls shared one refresh');
    assert.equal(auth.credentials.refresh_token, refreshToken, 'the refresh token is kept (no rotation)');

    const revoked = await auth.revokeToken(refreshToken);
    assert.equal(revoked.status, 200);
    await assert.rejects(auth.refreshAccessToken(), (err: unknown) => {
      const e = err as { message?: string; response?: { status?: number; data?: { error_description?: string } } };
      assert.equal(e.response?.status, 400);
      assert.equal(e.message, 'invalid_grant');
      assert.equal(e.response?.data?.error_description, 'Token has been expired or revoked.');
      return true;
    });
  });
});
