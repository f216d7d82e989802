import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTestApp, type Member } from '../support/app.ts';
import { connectZoom, startZoom, zoomCard } from '../support/zoom.ts';

// How Create War Room reads Zoom's less usual answers, with the decision 0001 rules: an answer that
// may hide a created meeting is searched for; a missing optional scope never breaks the connection.
const { sandbox, zoom } = await startZoom();
const t = await makeTestApp({ zoom });

const fault = (endpoint: string, f: object, times = 1) => sandbox.control('POST', '/faults', { endpoint, times, fault: f });
const counts = async () => (await sandbox.control<{ counts: Record<string, number> }>('GET', '/calls')).json.counts;
const searches = async () => (await counts())['GET /v2/users/:userId/meetings'] ?? 0;

async function orgWithIncident(): Promise<{ o: Member; id: string }> {
  const o = await t.owner();
  await connectZoom(t, o);
  const inc = (await t.api(o, 'POST', '/api/v1/incidents', { title: 'Card payments failing', severity: 'SEV1' })).json.incident;
  return { o, id: inc.id };
}

test('a missing list scope during the lost-answer search fails this click only: Zoom stays Connected', async () => {
  const { o, id } = await orgWithIncident();
  await fault('POST /v2/users/:userId/meetings', { kind: 'zoom_error', status: 500, code: 500, message: 'Internal Error' }, 3);
  await fault('GET /v2/users/:userId/meetings', { kind: 'zoom_error', status: 400, code: 4711, message: 'Invalid access token, does not contain scopes:[meeting:read:list_meetings, meeting:read:list_meetings:admin].' }, 10);
  const r = await t.api(o, 'POST', `/api/v1/incidents/${id}/war-room`, {});
  assert.equal(r.status, 503, r.text);
  assert.match(r.json.error.message, /Zoom is unavailable right now/);
  assert.equal((await zoomCard(t, o)).status, 'Connected', 'an optional scope does not cost the organization its connection');
  await sandbox.control('DELETE', '/faults');
  assert.equal((await t.api(o, 'POST', `/api/v1/incidents/${id}/war-room`, {})).status, 201, 'the next click works');
});

test('a success answer Runframe cannot read may hide a created meeting: it is searched for before anything else', async () => {
  const { o, id } = await orgWithIncident();
  const before = await searches();
  await fault('POST /v2/users/:userId/meetings', { kind: 'http', status: 201, body: { id: 'not-a-number', join_url: 42 } });
  const r = await t.api(o, 'POST', `/api/v1/incidents/${id}/war-room`, {});
  assert.equal(r.status, 422, r.text);
  assert.match(r.json.error.message, /Zoom answered with something Runframe cannot use/);
  assert.ok((await searches()) > before, 'Zoom was searched for the attempt’s meeting');
  assert.equal((await zoomCard(t, o)).status, 'Connected');
});
