import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eq } from 'drizzle-orm';
import { integrationConnections } from '../../../src/platform/db/schema.ts';
import { makeTestApp } from '../../support/app.ts';
import { connectGoogle, googleCard, startGoogle, MEET_SCOPE } from '../../support/google.ts';

const { sandbox, google } = await startGoogle();
const t = await makeTestApp({ google });

test('Connect asks Google for the Meet scope and identity, offline, with PKCE; the card then says Connected with the account', async () => {
  const o = await t.owner();
  const r = await connectGoogle(t, o);
  assert.equal(r.result, 'connected');
  const q = r.authorizeUrl.searchParams;
  assert.equal(q.get('scope'), `openid email ${MEET_SCOPE}`);
  assert.equal(q.get('access_type'), 'offline');
  assert.equal(q.get('prompt'), 'consent');
  assert.equal(q.get('code_challenge_method'), 'S256');
  assert.equal(q.get('response_type'), 'code');
  const card = await googleCard(t, o);
  assert.equal(card.status, 'Connected');
  assert.match(card.html, /oncall@workspace\.sandbox\.google\.test/);
  assert.match(card.html, /Ready for war rooms/);
  // Sealed: no token in the row in clear.
  const [row] = await t.deps.db.select().from(integrationConnections).where(eq(integrationConnections.orgId, o.orgId));
  assert.ok(row?.sealedCredentials);
  assert.doesNotMatch(JSON.stringify(row), /ya29\.|1\/\//);
});

test('Create War Room with Google Meet makes one OPEN space and links its join URI', async () => {
  const o = await t.owner();
  await connectGoogle(t, o);
  const inc = (await t.api(o, 'POST', '/api/v1/incidents', { title: 'Meet room', severity: 'SEV2' })).json.incident;
  const r = await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/war-room`, { provider: 'google_meet' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.warRoom.providerName, 'Google Meet');
  const spaces = (await sandbox.control<{ spaces: { name: string; meetingUri: string; config: { accessType: string } }[] }>('GET', '/spaces')).json.spaces;
  const space = spaces.find((s) => s.meetingUri === r.json.warRoom.joinUrl);
  assert.ok(space, 'the join link is the space’s meetingUri');
  assert.equal(space.config.accessType, 'OPEN');
  assert.equal(r.json.warRoom.meetingId, space.name);
});
