import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTestApp, type Member } from '../support/app.ts';
import { connectZoom, startZoom } from '../support/zoom.ts';

// The War room section of the incident page, as served: what each person is told, and where a
// failed Create War Room leaves the browser.
const { sandbox, zoom } = await startZoom();
const t = await makeTestApp({ zoom });

const fault = (f: object, times = 1) => sandbox.control('POST', '/faults', { endpoint: 'POST /v2/users/:userId/meetings', times, fault: f });
async function declare(o: Member, title: string) {
  return (await t.api(o, 'POST', '/api/v1/incidents', { title, severity: 'SEV1' })).json.incident;
}
const section = (html: string) => html.slice(html.indexOf('id="war-room"'), html.indexOf('aria-labelledby="timeline-h"'));

test('a Create War Room that fails at Zoom goes back to the incident page, explained once in the War room section', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  const inc = await declare(o, 'Queue backlog');
  await fault({ kind: 'zoom_error', status: 400, code: 3000, message: 'Cannot create meeting.' });
  const r = await t.page(o, 'POST', `/incidents/${inc.number}/war-room`, { provider: 'zoom' });
  assert.equal(r.status, 303, 'a redirect, so reloading the page does not post again');
  assert.equal(r.headers.get('location'), `/incidents/${inc.number}#war-room`);
  const page = await t.page(o, 'GET', `/incidents/${inc.number}`);
  assert.equal(page.status, 200);
  const alerts = page.text.match(/role="alert"/g) ?? [];
  assert.equal(alerts.length, 1, 'one alert, not a page banner and a section alert');
  assert.match(section(page.text), /role="alert"/);
  assert.match(section(page.text), />Create War Room</, 'and the button is offered again');
});

test('a Create War Room refused before Zoom is called is shown in place with its status', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  const inc = await declare(o, 'Resolved already');
  await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/status`, { status: 'resolved' });
  const r = await t.page(o, 'POST', `/incidents/${inc.number}/war-room`, { provider: 'zoom' });
  assert.equal(r.status, 409);
  assert.match(r.text, /war rooms are for active incidents/);
});

test('the War room section tells a Viewer their role is why, and an editor whether Zoom needs connecting or reconnecting', async () => {
  const o = await t.owner();
  const inc = await declare(o, 'DNS flapping');
  const viewer = await t.member(o, 'viewer');
  const v = section((await t.page(viewer, 'GET', `/incidents/${inc.number}`)).text);
  assert.match(v, /Your role can&#39;t edit incidents, so Create War Room is not offered to you: an Owner, Admin or Responder can create one\./);
  assert.doesNotMatch(v, />Create War Room</);

  const notConnected = section((await t.page(o, 'GET', `/incidents/${inc.number}`)).text);
  assert.match(notConnected, /Zoom is not connected — an Owner or Admin can connect it in/);

  await connectZoom(t, o);
  await fault({ kind: 'zoom_error', status: 400, code: 4711, message: 'Invalid access token, does not contain scopes:[meeting:write:meeting, meeting:write:meeting:admin].' });
  await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/war-room`, {});
  const reconnect = section((await t.page(o, 'GET', `/incidents/${inc.number}`)).text);
  assert.match(reconnect, /Zoom needs to be reconnected before a war room can be created — an Owner or Admin can reconnect it in/);
  assert.doesNotMatch(reconnect, /Zoom is not connected/);
});

test('the meeting status badge reads as "Meeting status: …" to screen readers, and changes are announced in a live region', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  const inc = await declare(o, 'Payments slow');
  assert.equal((await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/war-room`, {})).status, 201);
  const page = await t.page(o, 'GET', `/incidents/${inc.number}`);
  assert.match(section(page.text), /<span class="sr-only">Meeting status: <\/span>Not started/);
  assert.match(page.text, /<p class="sr-only" role="status" id="war-room-announcer"><\/p>/);
  assert.doesNotMatch(page.text, /aria-label="Meeting status/, 'no aria-label on a span, which screen readers may ignore');
});

test('one organization’s Zoom connection is invisible and unusable to another', async () => {
  const theirs = await t.owner('Theirs');
  await connectZoom(t, theirs);
  const mine = await t.owner('Mine');
  const card = (await t.page(mine, 'GET', '/organization/integrations')).text;
  assert.match(card, /data-status="Not connected"/);
  const inc = await declare(mine, 'My outage');
  const r = await t.api(mine, 'POST', `/api/v1/incidents/${inc.id}/war-room`, {});
  assert.equal(r.status, 409, 'my Create War Room does not borrow their Zoom');
  assert.match(r.json.error.message, /Zoom is not connected/);
  await t.page(mine, 'POST', '/integrations/zoom/disconnect', {});
  assert.match((await t.page(theirs, 'GET', '/organization/integrations')).text, /data-status="Connected"/, 'my Disconnect leaves theirs connected');
  const theirInc = await declare(theirs, 'Their outage');
  assert.equal((await t.api(theirs, 'POST', `/api/v1/incidents/${theirInc.id}/war-room`, {})).status, 201);
});

test('Zoom down during Create War Room: the section says so and what to do, without claiming nothing happened (the attempt is on the timeline)', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  const inc = await declare(o, 'Zoom outage too');
  await fault({ kind: 'zoom_error', status: 500, code: 500, message: 'Internal Error' }, 3);
  const r = await t.page(o, 'POST', `/incidents/${inc.number}/war-room`, { provider: 'zoom' });
  assert.equal(r.status, 303);
  const page = (await t.page(o, 'GET', `/incidents/${inc.number}`)).text;
  assert.match(section(page), /Zoom is unavailable right now — try again\./);
  assert.match(section(page), /Try again in a minute\. If it persists, check Zoom&#39;s status page\./);
  assert.doesNotMatch(page, /Nothing was changed/);
  assert.match(page, /Zoom war room could not be created: Zoom is unavailable right now/);
});
