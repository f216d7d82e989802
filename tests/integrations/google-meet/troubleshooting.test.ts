import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eq } from 'drizzle-orm';
import { integrationConnections } from '../../../src/platform/db/schema.ts';
import { makeTestApp, type Member } from '../../support/app.ts';
import { connectGoogle, googleCard, startGoogle, MEET_SCOPE, WORKSPACE } from '../../support/google.ts';

// The guide's troubleshooting rows, for the Google Meet card: each gets its message and stores nothing.
const { sandbox, google } = await startGoogle();
const t = await makeTestApp({ google });

const liveGrants = async () => (await sandbox.control<{ grants: { sub: string; revokedAt: string | null }[] }>('GET', '/grants')).json.grants.filter((g) => g.revokedAt === null);
async function newGoogleAccount(a: { email: string; name: string }): Promise<string> {
  const r = await sandbox.control<{ account: { sub: string } }>('POST', '/accounts', a);
  assert.equal(r.status, 201);
  return r.json.account.sub;
}
const stored = async (o: Member) => t.deps.db.select().from(integrationConnections).where(eq(integrationConnections.orgId, o.orgId));
const hubMessage = async (o: Member, location: string | null) => (await t.page(o, 'GET', location ?? '/organization/integrations')).text.replace(/&#39;|’/g, "'").replace(/&quot;|“|”/g, '"');

test('Cancel on Google’s consent page (error=access_denied): authorization not completed, nothing stored', async () => {
  const o = await t.owner();
  const r = await connectGoogle(t, o, { decision: 'cancel' });
  assert.equal(r.callback.searchParams.get('error'), 'access_denied');
  assert.equal(r.result, 'denied');
  assert.match(await hubMessage(o, r.back.headers.get('location')), /Google Meet authorization was declined or not completed, so Google Meet is not connected\./);
  assert.equal((await stored(o)).length, 0);
  assert.equal((await googleCard(t, o)).status, 'Not connected');
});

test('a missing or tampered state: not matched to a Connect click, nothing changed', async () => {
  const o = await t.owner();
  for (const tamper of [(u: URL) => (u.searchParams.delete('state'), u), (u: URL) => (u.searchParams.set('state', `${u.searchParams.get('state') ?? ''}x`), u)]) {
    const r = await connectGoogle(t, o, { tamper });
    assert.equal(r.result, 'state');
    assert.match(await hubMessage(o, r.back.headers.get('location')), /That Google Meet authorization could not be matched to a Connect click of yours/);
  }
  assert.equal((await stored(o)).length, 0);
});

test('a role that cannot manage integrations sees why Connect is unavailable and cannot start it', async () => {
  const o = await t.owner();
  const responder = await t.member(o, 'responder');
  const card = await googleCard(t, responder);
  assert.match(card.html, /Your Runframe role cannot manage integrations\. Ask a Runframe admin to grant integration management permission or connect Google Meet for the organization\./);
  const start = await t.page(responder, 'POST', '/integrations/google_meet/connect', {});
  assert.equal(start.status, 403);
});

test('the Meet scope unticked on the consent screen: scope not granted, nothing stored, the grant revoked at Google', async () => {
  const o = await t.owner();
  const account = await newGoogleAccount({ email: 'unticker@workspace.sandbox.google.test', name: 'Una Ticker' });
  const r = await connectGoogle(t, o, { account, meetScope: false });
  assert.equal(r.result, 'missing_scope');
  const page = await hubMessage(o, r.back.headers.get('location'));
  assert.match(page, /Google Meet did not grant the meeting scope: connect again and approve it\./);
  assert.ok(page.includes(`Missing: ${MEET_SCOPE}.`), 'the missing scope is named');
  assert.equal((await stored(o)).length, 0);
  assert.equal((await liveGrants()).filter((g) => g.sub === account).length, 0, 'nothing stays authorized at Google');
});

test('Google sends no refresh token: nothing stored, the card says why', async () => {
  const o = await t.owner();
  await sandbox.control('POST', '/faults', {
    endpoint: 'POST /token:authorization_code',
    fault: { kind: 'http', status: 200, body: { access_token: 'ya29.no-refresh', expires_in: 3599, scope: `openid https://www.googleapis.com/auth/userinfo.email ${MEET_SCOPE}`, token_type: 'Bearer' } },
  });
  const r = await connectGoogle(t, o);
  assert.equal(r.result, 'no_refresh_token');
  assert.match(await hubMessage(o, r.back.headers.get('location')), /Google Meet did not send a refresh token, so nothing was connected/);
  assert.equal((await stored(o)).length, 0);
});

test('Remove access in the Google account (or any invalid_grant): Test connection finds Reconnect required and explains the 7-day Testing expiry', async () => {
  const o = await t.owner();
  const account = await newGoogleAccount({ email: 'remover@workspace.sandbox.google.test', name: 'Remy Remover' });
  assert.equal((await connectGoogle(t, o, { account })).result, 'connected');
  await sandbox.control('POST', `/accounts/${account}/revoke-grants`, {});
  const test1 = await t.page(o, 'POST', '/integrations/google_meet/test', {});
  assert.equal(test1.status, 303);
  const card = await googleCard(t, o);
  assert.equal(card.status, 'Reconnect required');
  assert.match(card.html, /Google no longer accepts Runframe's authorization: it was removed in the Google account \(Third-party apps with account access\)/);
  assert.match(card.html, /still in Google's "Testing" publishing status, whose authorizations expire after 7 days/);
  const [row] = await stored(o);
  assert.equal(row?.sealedCredentials, null, 'a dead grant’s tokens are forgotten');
  // Reconnect brings it back.
  assert.equal((await connectGoogle(t, o, { account })).result, 'connected');
  assert.equal((await googleCard(t, o)).status, 'Connected');
});

test('Disconnect ("Yes, Disconnect") revokes the grant at Google and forgets the credentials', async () => {
  const o = await t.owner();
  const account = await newGoogleAccount({ email: 'leaver@workspace.sandbox.google.test', name: 'Lee Leaver' });
  await connectGoogle(t, o, { account });
  assert.equal((await liveGrants()).filter((g) => g.sub === account).length, 1);
  const confirm = await t.page(o, 'GET', '/organization/integrations/google_meet/disconnect');
  assert.match(confirm.text, /Yes, Disconnect/);
  const r = await t.page(o, 'POST', '/integrations/google_meet/disconnect', {});
  assert.equal(r.status, 303);
  assert.match(await hubMessage(o, r.headers.get('location')), /Google Meet is disconnected\./);
  assert.equal((await stored(o)).length, 0);
  assert.equal((await liveGrants()).filter((g) => g.sub === account).length, 0, 'revoked at Google');
});

test('Test connection on a healthy connection says so and records the check', async () => {
  const o = await t.owner();
  await connectGoogle(t, o, { account: WORKSPACE });
  const r = await t.page(o, 'POST', '/integrations/google_meet/test', {});
  assert.match(await hubMessage(o, r.headers.get('location')), /Google Meet connection checked: ready for war rooms\./);
  assert.match((await googleCard(t, o)).html, /Ready for war rooms · checked just now/);
});
