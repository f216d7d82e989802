import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTestApp, type Member } from '../support/app.ts';
import { connectZoom, startZoom } from '../support/zoom.ts';
import { connectGoogle, startGoogle } from '../support/google.ts';
import { runOneJob } from '../../src/platform/jobs/queue.ts';
import { warRoomJobs } from '../../src/jobs/war-rooms.ts';

// The guide's "Choose Zoom if Runframe asks you to select a war room provider", with the two real
// providers: Zoom and Google Meet, each talking to its sandbox over HTTP.
const { zoom } = await startZoom();
const { sandbox: googleSandbox, google } = await startGoogle();
const t = await makeTestApp({ zoom, google });

async function incident(o: Member, title: string) {
  return (await t.api(o, 'POST', '/api/v1/incidents', { title, severity: 'SEV1' })).json.incident;
}
const section = (html: string) => html.slice(html.indexOf('id="war-room"'), html.indexOf('aria-labelledby="timeline-h"'));
const current = async (m: Member, id: string) =>
  (await t.api(m, 'GET', `/api/v1/incidents/${id}/war-room`)).json as unknown as { warRoom: { provider: string; providerName: string; meetingId: string; meetingCode: string | null; joinUrl: string } | null };
const radios = (s: string) => [...s.matchAll(/<input type="radio" id="provider-([a-z_]+)" name="provider" value="\1"( checked)?/g)].map((m) => ({ id: m[1], checked: m[2] !== undefined }));
const googleSpaces = async () => (await googleSandbox.control<{ spaces: { name: string }[] }>('GET', '/spaces')).json.spaces.length;

async function bothConnected(): Promise<Member> {
  const o = await t.owner();
  await connectZoom(t, o);
  assert.equal((await connectGoogle(t, o)).result, 'connected');
  return o;
}

test('with both providers connected the form asks "Select a war room provider", the organization default preselected', async () => {
  const o = await bothConnected();
  const inc = await incident(o, 'Two providers');
  let s = section((await t.page(o, 'GET', `/incidents/${inc.number}`)).text);
  assert.match(s, /<legend>Select a war room provider<\/legend>/);
  assert.deepEqual(radios(s), [
    { id: 'zoom', checked: true },
    { id: 'google_meet', checked: false },
  ]);
  // The organization's default is remembered and preselected.
  const saved = await t.page(o, 'POST', '/organization/war-room-settings', { defaultProvider: 'google_meet' });
  assert.equal(saved.status, 303, saved.text);
  s = section((await t.page(o, 'GET', `/incidents/${inc.number}`)).text);
  assert.deepEqual(radios(s), [
    { id: 'zoom', checked: false },
    { id: 'google_meet', checked: true },
  ]);
  const hub = await t.page(o, 'GET', '/organization/integrations');
  assert.match(hub.text, /<input type="radio" id="default-provider-google_meet" name="defaultProvider" value="google_meet" checked/);
});

test('each choice creates its own kind of war room; no choice uses the organization default', async () => {
  const o = await bothConnected();
  const viaZoom = await incident(o, 'Chosen Zoom');
  assert.equal((await t.page(o, 'POST', `/incidents/${viaZoom.number}/war-room`, { provider: 'zoom' })).status, 303);
  assert.equal((await current(o, viaZoom.id)).warRoom?.providerName, 'Zoom');

  const viaMeet = await incident(o, 'Chosen Meet');
  const before = await googleSpaces();
  assert.equal((await t.page(o, 'POST', `/incidents/${viaMeet.number}/war-room`, { provider: 'google_meet' })).status, 303);
  assert.equal((await googleSpaces()) - before, 1);
  const w = (await current(o, viaMeet.id)).warRoom;
  assert.equal(w?.providerName, 'Google Meet');
  assert.match(w?.meetingCode ?? '', /^[a-z]+-[a-z]+-[a-z]+$/);
  const page = section((await t.page(o, 'GET', `/incidents/${viaMeet.number}`)).text);
  assert.match(page, /Join Google Meet war room/);
  assert.match(page, new RegExp(`<dt>Meeting code</dt>[\\s\\S]*${w?.meetingCode}`));

  // No provider in the request: the organization default (Zoom until changed, then Google Meet).
  const byDefault = await incident(o, 'Default provider');
  let r = await t.api(o, 'POST', `/api/v1/incidents/${byDefault.id}/war-room`, {});
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.warRoom.providerName, 'Zoom');
  await t.page(o, 'POST', '/organization/war-room-settings', { defaultProvider: 'google_meet' });
  const second = await incident(o, 'Default provider changed');
  r = await t.api(o, 'POST', `/api/v1/incidents/${second.id}/war-room`);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.warRoom.providerName, 'Google Meet');
});

test('with one connected provider there is nothing to choose; an unknown provider is 400, an unconnected one 409', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  const inc = await incident(o, 'Zoom only');
  const s = section((await t.page(o, 'GET', `/incidents/${inc.number}`)).text);
  assert.doesNotMatch(s, /Select a war room provider/);
  assert.match(s, /<input type="hidden" name="provider" value="zoom"/);
  let r = await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/war-room`, { provider: 'teams' });
  assert.equal(r.status, 400, r.text);
  assert.deepEqual(r.json.error.fields, [{ field: 'provider', reason: 'must be one of: zoom, google_meet' }]);
  r = await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/war-room`, { provider: 'google_meet' });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error.message, 'Google Meet is not connected — an Owner or Admin can connect it in Integrations Hub.');
  assert.equal((await current(o, inc.id)).warRoom, null);
  // A default provider that is not offered is refused with its field.
  const bad = await t.page(o, 'POST', '/organization/war-room-settings', { defaultProvider: 'teams' });
  assert.equal(bad.status, 400);
});

test('the automation by severity uses the organization default provider', async () => {
  const o = await bothConnected();
  const saved = await t.page(o, 'POST', '/organization/war-room-settings', { autoCreateSeverities: 'SEV1', defaultProvider: 'google_meet' });
  assert.equal(saved.status, 303, saved.text);
  const inc = await incident(o, 'Automatic Meet');
  while (await runOneJob(t.deps.db, t.deps.clock, t.deps.log, warRoomJobs(t.deps))) {
    // run what is due
  }
  const w = (await current(o, inc.id)).warRoom;
  assert.equal(w?.providerName, 'Google Meet');
  assert.equal(w?.provider, 'google_meet');
});
