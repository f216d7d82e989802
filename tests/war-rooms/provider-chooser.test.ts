import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { integrationConnections } from '../../src/platform/db/schema.ts';
import { sealCredentials } from '../../src/integrations/hub/credentials.ts';
import type { ProviderAdapter } from '../../src/integrations/hub/provider.ts';
import { makeTestApp, type Member } from '../support/app.ts';
import { connectZoom, startZoom } from '../support/zoom.ts';

// "With more than one provider available, a chooser asks which (Zoom first)". Runframe ships Zoom
// only, so a second provider is registered here the way the registry would add one (one more entry,
// after Zoom). It is not a Zoom fake: Zoom is still the sandbox. It answers create calls only.
const { zoom } = await startZoom();
const t = await makeTestApp({ zoom });

const meetCreates: { topic: string }[] = [];
const unsupported = () => {
  throw new Error('not used by these tests');
};
const meet: ProviderAdapter = {
  id: 'meet',
  displayName: 'Google Meet',
  section: 'Communication',
  description: 'A second provider for these tests.',
  isScopeName: () => false,
  singleGrantPerUser: false,
  authorizeUrl: unsupported,
  exchangeCode: unsupported,
  refresh: unsupported,
  revoke: unsupported,
  identify: unsupported,
  missingScopes: () => [],
  missingEndMeetingScope: () => null,
  async createMeeting(_token, request) {
    meetCreates.push({ topic: request.topic });
    return { meetingId: `meet-${meetCreates.length}`, joinUrl: `https://meet.example.com/abc-${meetCreates.length}` };
  },
  listMeetings: async () => [],
  getMeeting: unsupported,
  endMeeting: async () => undefined,
  webhooks: { verify: () => false, parse: () => null, challengeResponse: () => ({}) },
};
(t.deps.providers as Map<string, ProviderAdapter>).set(meet.id, meet);

/** A connected Google Meet for the organization, as its OAuth callback would have stored it. */
async function connectMeet(o: Member) {
  const id = randomUUID();
  const now = t.clock.now();
  const creds = { accessToken: 'meet-access', refreshToken: 'meet-refresh', expiresAt: new Date(now.getTime() + 30 * 24 * 3_600_000), scopes: [] };
  await t.deps.db.insert(integrationConnections).values({
    id,
    orgId: o.orgId,
    provider: 'meet',
    status: 'connected',
    externalUserId: 'meet-user',
    externalAccountId: 'meet-account',
    accountEmail: 'host@example.com',
    accountName: 'Meet Host',
    connectedBy: o.userId,
    connectedAt: now,
    updatedAt: now,
    ...sealCredentials(t.deps.keyRing, id, creds),
  });
}

async function incident(o: Member, title: string) {
  return (await t.api(o, 'POST', '/api/v1/incidents', { title, severity: 'SEV1' })).json.incident;
}
const section = (html: string) => html.slice(html.indexOf('id="war-room"'), html.indexOf('aria-labelledby="timeline-h"'));
const current = async (m: Member, id: string) => (await t.api(m, 'GET', `/api/v1/incidents/${id}/war-room`)).json as unknown as { warRoom: { providerName: string; meetingId: string; joinUrl: string } | null };

test('with two connected providers the form asks "Choose a war room provider", Zoom first and preselected', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  await connectMeet(o);
  const inc = await incident(o, 'Two providers');
  const s = section((await t.page(o, 'GET', `/incidents/${inc.number}`)).text);
  assert.match(s, /<legend>Choose a war room provider<\/legend>/);
  const radios = [...s.matchAll(/<input type="radio" id="provider-([a-z]+)" name="provider" value="\1"( checked)?/g)].map((m) => ({ id: m[1], checked: m[2] !== undefined }));
  assert.deepEqual(radios, [
    { id: 'zoom', checked: true },
    { id: 'meet', checked: false },
  ]);
  assert.ok(s.indexOf('>Zoom<') < s.indexOf('>Google Meet<'), 'Zoom is listed first');
});

test('the choice is honoured: no choice means Zoom, choosing the other provider creates its meeting', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  await connectMeet(o);
  const byDefault = await incident(o, 'Default provider');
  const r = await t.api(o, 'POST', `/api/v1/incidents/${byDefault.id}/war-room`, {});
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.warRoom.providerName, 'Zoom');

  const chosen = await incident(o, 'Chosen provider');
  const before = meetCreates.length;
  const form = await t.page(o, 'POST', `/incidents/${chosen.number}/war-room`, { provider: 'meet' });
  assert.equal(form.status, 303, form.text);
  assert.equal(meetCreates.length - before, 1);
  const w = (await current(o, chosen.id)).warRoom;
  assert.equal(w?.providerName, 'Google Meet');
  assert.equal(w?.joinUrl, `https://meet.example.com/abc-${meetCreates.length}`);
  assert.match(section((await t.page(o, 'GET', `/incidents/${chosen.number}`)).text), /Join Google Meet war room/);
});

test('with one connected provider there is nothing to choose; asking for one that is not connected says so', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  const inc = await incident(o, 'Zoom only');
  const s = section((await t.page(o, 'GET', `/incidents/${inc.number}`)).text);
  assert.doesNotMatch(s, /Choose a war room provider/);
  assert.match(s, /<input type="hidden" name="provider" value="zoom"/);
  const r = await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/war-room`, { provider: 'meet' });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error.message, 'Google Meet is not connected — an Owner or Admin can connect it in Integrations Hub.');
  assert.equal((await current(o, inc.id)).warRoom, null);
});
