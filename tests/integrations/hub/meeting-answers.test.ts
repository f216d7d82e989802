import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../../src/platform/db/client.ts';
import { createZoomClient, isZoomError } from '../../../src/integrations/zoom/index.ts';
import { systemMeta } from '../../../src/domain/context.ts';
import { checkConnection } from '../../../src/integrations/hub/health-check.ts';
import { makeTestApp, type Member } from '../../support/app.ts';
import { connectZoom, startZoom, zoomCard, HOST_ID, ownerWithZoom } from '../../support/zoom.ts';
import { connect as sandboxConnect } from '../../zoom-sandbox/helpers.ts';

const { sandbox, zoom } = await startZoom();
const t = await makeTestApp({ zoom });

const counts = async () => (await sandbox.control<{ counts: Record<string, number> }>('GET', '/calls')).json.counts;
const revokes = async () => (await counts())['POST /oauth/revoke'] ?? 0;
const fault = (f: object, endpoint = 'POST /v2/users/:userId/meetings') => sandbox.control('POST', '/faults', { endpoint, times: 1, fault: f });

const orgWithZoom = () => ownerWithZoom(t);
const incident = async (o: Member, title = 'Checkout errors') => (await t.api(o, 'POST', '/api/v1/incidents', { title, severity: 'SEV1' })).json.incident;
const create = (m: Member, id: string) => t.api(m, 'POST', `/api/v1/incidents/${id}/war-room`, {});
const warRoomOf = async (m: Member, id: string) => ((await t.api(m, 'GET', `/api/v1/incidents/${id}/war-room`)).json as unknown as { warRoom: { joinUrl: string } | null }).warRoom;
const audit = async (o: Member, action: string) => (await t.api(o, 'GET', `/api/v1/audit-log?action=${action}&perPage=100`)).json.entries;

test('a join_url that is not a web address (javascript:) is refused as an unusable Zoom answer: nothing stored or rendered', async () => {
  const o = await orgWithZoom();
  const inc = await incident(o);
  const bad = 'javascript:alert(document.cookie)//';
  await fault({ kind: 'http', status: 201, body: { id: 85012345678, uuid: 'u1==', host_id: HOST_ID, topic: 'x', type: 2, status: 'waiting', join_url: bad, password: 'abc123' } });
  const r = await create(o, inc.id);
  assert.equal(r.status, 422, r.text);
  assert.match(r.json.error.message, /Zoom answered with something Runframe cannot use/);
  assert.equal(await warRoomOf(o, inc.id), null);
  const page = await t.page(o, 'GET', `/incidents/${inc.number}`);
  assert.ok(!page.text.includes('javascript:alert'), 'never rendered');
  assert.match(page.text, /Create War Room/, 'offered again');
  const stored = JSON.stringify(await queryRows(t.deps.db, sql`select * from war_rooms where incident_id = ${inc.id}`));
  assert.ok(!stored.includes('javascript:'), 'never stored');
  assert.equal((await create(o, inc.id)).status, 201, 'a retry with a proper answer works');
});

test('join_url must be https when the Zoom API is https; http is accepted only from an http (sandbox) API base', async () => {
  const tokens = await sandboxConnect(sandbox);
  // The same sandbox, addressed as if it were https://api.zoom.us: the request is routed to it unchanged.
  const viaHttps = createZoomClient({ apiBaseUrl: 'https://api.zoom.test/v2', fetch: (input, init) => fetch(String(input).replace('https://api.zoom.test', sandbox.url), init) });
  const input = { topic: 't', agenda: 'a', startTime: new Date(), durationMinutes: 60 };
  const answer = (joinUrl: string) => fault({ kind: 'http', status: 201, body: { id: 85012345679, uuid: 'u2==', topic: 't', type: 2, status: 'waiting', join_url: joinUrl } });

  await answer('http://zoom.example/j/85012345679');
  await assert.rejects(viaHttps.createMeeting(tokens.access_token, input), (e: unknown) => isZoomError(e) && e.failure.kind === 'rejected');
  await answer('https://us02web.zoom.us/j/85012345679?pwd=x');
  assert.equal((await viaHttps.createMeeting(tokens.access_token, input)).joinUrl, 'https://us02web.zoom.us/j/85012345679?pwd=x');
  for (const scheme of ['data:text/html,<script>alert(1)</script>', 'javascript:alert(1)']) {
    await answer(scheme);
    await assert.rejects(viaHttps.createMeeting(tokens.access_token, input), (e: unknown) => isZoomError(e) && e.failure.kind === 'rejected');
  }
  const viaHttp = createZoomClient({ apiBaseUrl: `${sandbox.url}/v2` });
  assert.match((await viaHttp.createMeeting(tokens.access_token, input)).joinUrl, /^http:\/\/127\.0\.0\.1:\d+\/j\//);
});

test('a grant without the meeting scope (4711) is revoked at Zoom before Runframe forgets it', async () => {
  const o = await orgWithZoom();
  const inc = await incident(o);
  const before = await revokes();
  await fault({ kind: 'zoom_error', status: 400, code: 4711, message: 'Invalid access token, does not contain scopes:[meeting:write:meeting, meeting:write:meeting:admin].' });
  const r = await create(o, inc.id);
  assert.equal(r.status, 409);
  assert.match(r.json.error.message, /Zoom did not grant the meeting scope: connect again and approve it/);
  assert.equal((await revokes()) - before, 1, 'Zoom saw the revoke');
  const revoked = await t.api(o, 'GET', '/api/v1/audit-log?action=integration.revoke_failed');
  assert.equal(revoked.json.entries.length, 0);
  assert.equal((await zoomCard(t, o)).status, 'Reconnect required');
  assert.equal((await connectZoom(t, o)).result, 'connected', 'Connect works again');
});

test('a failed revoke does not change what the user is told: Reconnect required, and the failure is audited', async () => {
  const o = await orgWithZoom();
  const inc = await incident(o);
  await fault({ kind: 'zoom_error', status: 400, code: 4711, message: 'Invalid access token, does not contain scopes:[meeting:write:meeting].' });
  await fault({ kind: 'http', status: 500 }, 'POST /oauth/revoke');
  const r = await create(o, inc.id);
  assert.equal(r.status, 409);
  assert.match(r.json.error.message, /Zoom did not grant the meeting scope/);
  assert.equal((await zoomCard(t, o)).status, 'Reconnect required');
  assert.equal((await audit(o, 'integration.revoke_failed')).length, 1);
  const dropped = await queryRows(t.deps.db, sql`select sealed_credentials from integration_connections where org_id = ${o.orgId}`);
  assert.equal(dropped[0]?.['sealed_credentials'], null, 'the credentials are forgotten anyway');
});

test('the health check that finds the Zoom user can no longer host keeps the grant: nothing is revoked and the card stays Connected with the warning', async () => {
  const o = await orgWithZoom();
  const before = await revokes();
  await sandbox.control('PATCH', `/users/${HOST_ID}`, { status: 'inactive' });
  try {
    await checkConnection(t.deps, systemMeta('t'), o.orgId, 'zoom', { userId: null, label: 'Runframe health check' });
  } finally {
    await sandbox.control('PATCH', `/users/${HOST_ID}`, { status: 'active' });
  }
  assert.equal((await revokes()) - before, 0, 'the fix is in Zoom: the grant is kept');
  const card = await zoomCard(t, o);
  assert.equal(card.status, 'Connected');
  assert.match(card.html, /can't host meetings/);
  // Hosting allowed again in Zoom: creating a war room works with the same connection.
  assert.equal((await create(o, (await incident(o)).id)).status, 201);
});

test('an access token Zoom no longer accepts is not revoked again (nothing to give back)', async () => {
  const o = await orgWithZoom();
  const inc = await incident(o);
  await sandbox.control('POST', `/users/${HOST_ID}/revoke-grants`, { notify: false });
  const before = await revokes();
  t.clock.advance(3_600_000);
  try {
    assert.equal((await create(o, inc.id)).status, 409);
  } finally {
    t.clock.advance(-3_600_000);
  }
  assert.equal((await revokes()) - before, 0);
  assert.equal((await zoomCard(t, o)).status, 'Reconnect required');
});

test('Zoom 429s are rate_limited (HTTP 429) with Retry-After: the next second for per-second limits, 00:00 UTC for the daily limit', async () => {
  const o = await orgWithZoom();
  // Zoom's clock and Runframe's agree, as they do in production.
  const align = () => sandbox.control('POST', '/clock', { now: t.clock.now().toISOString() });
  const cases = [
    { name: 'per second', inject: () => fault({ kind: 'rate_limit', type: 'QPS' }), retryAfter: (s: number) => s >= 1 && s <= 2, message: /^Zoom is rate limiting Runframe; try again in \d seconds?\.$/ },
    // 2026-11-26 12:00 UTC to 00:00 UTC: twelve hours.
    { name: 'daily, with Retry-After', inject: () => fault({ kind: 'rate_limit', type: 'Daily-limit' }), retryAfter: (s: number) => s === 43_200, message: /daily limit for creating meetings\. Try again after 2026-11-27 00:00 UTC\./ },
    {
      name: 'daily, without Retry-After (seen at Zoom)',
      inject: () => fault({ kind: 'zoom_error', status: 429, code: 429, message: 'You have exceeded the daily rate limit (100) of Meeting Create/Update API requests permitted for this particular user. You may resume these requests at GMT 00:00:00.' }),
      retryAfter: (s: number) => s === 43_200,
      message: /daily limit for creating meetings\. Try again after 2026-11-27 00:00 UTC\./,
    },
  ];
  try {
    for (const c of cases) {
      const inc = await incident(o, `Rate limit ${c.name}`);
      await align();
      await c.inject();
      const r = await create(o, inc.id);
      assert.equal(r.status, 429, `${c.name}: ${r.text}`);
      assert.equal(r.json.error.code, 'rate_limited', c.name);
      assert.match(r.json.error.message, c.message, c.name);
      const seconds = Number(r.headers.get('retry-after'));
      assert.ok(c.retryAfter(seconds), `${c.name}: Retry-After ${seconds}`);
      assert.equal(await warRoomOf(o, inc.id), null, c.name);
      assert.equal((await create(o, inc.id)).status, 201, `${c.name}: retry works`);
    }
  } finally {
    await sandbox.control('POST', '/clock', { reset: true });
  }
  assert.equal((await zoomCard(t, o)).status, 'Connected', 'a rate limit does not touch the connection');
});
