import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../../src/platform/db/client.ts';
import { getAccessToken } from '../../../src/integrations/hub/token-getter.ts';
import { makeTestApp } from '../../support/app.ts';
import { connectZoom, recordingFetch, startZoom, WEBHOOK_SECRET, zoomCard, HOST_ID } from '../../support/zoom.ts';
import { AppError } from '../../../src/shared/errors.ts';

const { sandbox, zoom } = await startZoom();
const recorder = recordingFetch();
const t = await makeTestApp({ zoom, fetch: recorder.fetch });

const calls = async () => (await sandbox.control<{ counts: Record<string, number> }>('GET', '/calls')).json.counts;
const refreshes = async () => (await calls())['POST /oauth/token:refresh_token'] ?? 0;
const audit = async (o: Parameters<typeof t.api>[0], prefix: string) =>
  (await t.api(o, 'GET', `/api/v1/audit-log?action=${prefix}&perPage=100`)).json.entries;

test('To add Zoom: Connect, authorize in Zoom, and the card shows Connected with the account and scopes', async () => {
  const o = await t.owner();
  assert.equal((await zoomCard(t, o)).status, 'Not connected');
  const { authorizeUrl, result } = await connectZoom(t, o);
  assert.equal(authorizeUrl.pathname, '/oauth/authorize');
  assert.equal(authorizeUrl.searchParams.get('client_id'), 'rf-client');
  assert.equal(authorizeUrl.searchParams.get('redirect_uri'), 'http://runframe.test/integrations/zoom/callback');
  assert.equal(authorizeUrl.searchParams.get('code_challenge_method'), 'S256');
  assert.ok(authorizeUrl.searchParams.get('code_challenge'));
  assert.ok(authorizeUrl.searchParams.get('state'));
  assert.equal(authorizeUrl.searchParams.has('scope'), false, 'no scope parameter');
  assert.equal(result, 'connected');
  const card = await zoomCard(t, o);
  assert.equal(card.status, 'Connected');
  assert.match(card.html, /host@sandbox\.zoom\.test/);
  assert.match(card.html, /meeting:write:meeting/);
  assert.match(card.html, /Ready for war rooms · checked just now/);
  assert.match(card.html, /Olivia Owner on/);
  const entries = await audit(o, 'integration.');
  assert.equal(entries[0]?.action, 'integration.connected');
  assert.match(String(entries[0]?.metadata['credential_fingerprint']), /^sha256:[0-9a-f]{12}$/);
});

test('the callback refuses a forged, replayed, expired or foreign state before anything else', async () => {
  const o = await t.owner();
  const other = await t.member(o, 'admin');
  // Forged: the signature does not match.
  const forged = await connectZoom(t, o, { stopAtCallback: true });
  const bad = new URL(forged.callback);
  bad.searchParams.set('state', `${bad.searchParams.get('state')?.split('.')[0]}.deadbeefdeadbeefdeadbeefdeadbeef`);
  assert.match((await t.page(o, 'GET', bad.pathname + bad.search)).headers.get('location') ?? '', /result=state/);
  // Another user's session cannot complete my flow.
  const mine = await connectZoom(t, o, { stopAtCallback: true });
  assert.match((await t.page(other, 'GET', mine.callback.pathname + mine.callback.search)).headers.get('location') ?? '', /result=state/);
  // Another browser session of the same user cannot either.
  const second = await t.sessionFor(o.userId, o.orgId);
  assert.match((await t.page({ ...o, ...second }, 'GET', mine.callback.pathname + mine.callback.search)).headers.get('location') ?? '', /result=state/);
  // Used once, it cannot be replayed.
  assert.match((await t.page(o, 'GET', mine.callback.pathname + mine.callback.search)).headers.get('location') ?? '', /result=connected/);
  assert.match((await t.page(o, 'GET', mine.callback.pathname + mine.callback.search)).headers.get('location') ?? '', /result=state/);
  // Expired after 10 minutes.
  const late = await connectZoom(t, o, { stopAtCallback: true });
  t.clock.advance(11 * 60_000);
  assert.match((await t.page(o, 'GET', late.callback.pathname + late.callback.search)).headers.get('location') ?? '', /result=state/);
  t.clock.advance(-11 * 60_000);
  const card = await zoomCard(t, o);
  assert.equal(card.status, 'Connected', 'only the legitimate flow connected');
  const page = await t.page(o, 'GET', '/organization/integrations?provider=zoom&result=state');
  assert.match(page.text, /could not be matched to a Connect click of yours/);
});

test('Zoom did not grant the required scope: nothing is connected, the card says so, and connecting again works', async () => {
  const o = await t.owner();
  const r = await connectZoom(t, o, { scopes: ['user:read:user', 'meeting:read:meeting'] });
  assert.equal(r.result, 'missing_scope');
  assert.equal((await zoomCard(t, o)).status, 'Not connected');
  const page = await t.page(o, 'GET', '/organization/integrations?provider=zoom&result=missing_scope');
  assert.match(page.text, /Zoom did not grant the meeting scope: connect again and approve it/);
  assert.equal((await connectZoom(t, o)).result, 'connected');
});

test('declining at Zoom leaves the card Not connected with the reason; Connect works again', async () => {
  const o = await t.owner();
  const r = await connectZoom(t, o, { decision: 'decline' });
  assert.equal(r.callback.searchParams.get('error'), 'access_denied');
  assert.equal(r.result, 'denied');
  assert.equal((await zoomCard(t, o)).status, 'Not connected');
  const page = await t.page(o, 'GET', '/organization/integrations?provider=zoom&result=denied');
  assert.match(page.text, /Click Connect again and complete the Zoom authorization flow/);
  assert.equal((await connectZoom(t, o)).result, 'connected');
});

test('members who cannot manage integrations see the card read-only, with the reason and who can act', async () => {
  const o = await t.owner();
  for (const role of ['responder', 'viewer'] as const) {
    const m = await t.member(o, role);
    const card = await zoomCard(t, m);
    assert.match(card.html, /Your role can't manage integrations\. Ask an Owner or Admin\./);
    assert.match(card.html, /Olivia Owner \(Owner\)/);
    assert.doesNotMatch(card.html, />Connect</);
    const refused = await t.page(m, 'POST', '/integrations/zoom/connect', {});
    assert.equal(refused.status, 403);
    assert.equal((await t.page(m, 'POST', '/integrations/zoom/disconnect', {})).status, 403);
  }
});

test('ten concurrent token requests on an expired token make exactly one refresh', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  t.clock.advance(3_600_000);
  const before = await refreshes();
  const tokens = await Promise.all(Array.from({ length: 10 }, () => getAccessToken(t.deps, o.orgId, 'zoom')));
  assert.equal(new Set(tokens).size, 1);
  assert.equal((await refreshes()) - before, 1);
  t.clock.advance(-3_600_000);
});

test('a 401/124 answer gets one refresh and one retry; invalid_grant flips the card to Reconnect required', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  await sandbox.control('POST', '/faults', { endpoint: 'GET /v2/users/me', times: 1, fault: { kind: 'zoom_error', status: 401, code: 124, message: 'Invalid access token.' } });
  const before = await refreshes();
  const ok = await t.page(o, 'POST', '/integrations/zoom/test', {});
  assert.equal(ok.status, 303);
  assert.equal((await refreshes()) - before, 1);
  assert.equal((await zoomCard(t, o)).status, 'Connected');

  await sandbox.control('POST', `/users/${HOST_ID}/revoke-grants`, { notify: false });
  t.clock.advance(3_600_000);
  await assert.rejects(getAccessToken(t.deps, o.orgId, 'zoom'), (e: unknown) => e instanceof AppError && e.code === 'needs_reconnect');
  t.clock.advance(-3_600_000);
  const card = await zoomCard(t, o);
  assert.equal(card.status, 'Reconnect required');
  assert.match(card.html, /no longer accepts Runframe/);
  const entries = await audit(o, 'integration.reconnect_required');
  assert.equal(entries.length, 1);
  assert.equal(entries[0]?.actor, 'Zoom');
});

test('a second organization authorizing the same Zoom user: the first card shows Reconnect required, explained', async () => {
  const a = await t.owner('First org');
  const b = await t.owner('Second org');
  await connectZoom(t, a);
  await connectZoom(t, b);
  const card = await zoomCard(t, a);
  assert.equal(card.status, 'Reconnect required');
  assert.match(card.html, /authorized Runframe for another organization/);
  assert.equal((await zoomCard(t, b)).status, 'Connected');
  const page = await t.page(a, 'GET', '/organization/integrations');
  assert.equal(page.status, 200, 'a card, not an error page');
});

const signed = (body: string, ts = Math.floor(t.clock.now().getTime() / 1000), secret = WEBHOOK_SECRET) => ({
  'content-type': 'application/json',
  'x-zm-request-timestamp': String(ts),
  'x-zm-signature': `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`,
});
const post = (body: string, headers: Record<string, string>) => t.app.request('/webhooks/zoom', { method: 'POST', headers, body });

test('webhooks: URL validation, signature and timestamp checks, app_deauthorized once despite retries', async () => {
  const challenge = JSON.stringify({ event: 'endpoint.url_validation', event_ts: 1, payload: { plainToken: 'abc123' } });
  const v = await post(challenge, signed(challenge));
  assert.equal(v.status, 200);
  assert.deepEqual(await v.json(), { plainToken: 'abc123', encryptedToken: createHmac('sha256', WEBHOOK_SECRET).update('abc123').digest('hex') });

  const o = await t.owner();
  await connectZoom(t, o);
  const users = (await sandbox.control<{ users: { id: string; account_id?: string; accountId?: string }[] }>('GET', '/users')).json.users;
  const host = users.find((u) => u.id === HOST_ID);
  const accountId = host?.account_id ?? host?.accountId ?? '';
  const body = JSON.stringify({
    event: 'app_deauthorized',
    event_ts: 1795000000000,
    payload: { account_id: accountId, user_id: HOST_ID, signature: 'x', deauthorization_time: new Date(t.clock.now().getTime() + 1000).toISOString(), client_id: 'rf-client' },
  });
  assert.equal((await post(body, { 'content-type': 'application/json' })).status, 401, 'unsigned');
  assert.equal((await post(body, signed(body, undefined, 'wrong-secret'))).status, 401, 'wrong secret');
  assert.equal((await post(body, signed(body, Math.floor(t.clock.now().getTime() / 1000) - 600))).status, 401, 'stale timestamp');
  assert.equal((await post(body.replace('x', 'y'), signed(body))).status, 401, 'tampered body');
  assert.equal((await zoomCard(t, o)).status, 'Connected', 'no effect from rejected deliveries');
  const first = await post(body, signed(body));
  assert.equal(first.status, 200);
  const again = await post(body, signed(body));
  assert.deepEqual(await again.json(), { status: 'duplicate' });
  const card = await zoomCard(t, o);
  assert.equal(card.status, 'Reconnect required');
  assert.match(card.html, /Runframe was removed from your Zoom account/);
  assert.equal((await audit(o, 'integration.deauthorized')).length, 1);

  // A late delivery about a grant older than the current connection changes nothing.
  await connectZoom(t, o);
  const late = body.replace('1795000000000', '1795000000001').replace(/"deauthorization_time":"[^"]+"/, '"deauthorization_time":"2020-01-01T00:00:00Z"');
  assert.equal((await post(late, signed(late))).status, 200);
  assert.equal((await zoomCard(t, o)).status, 'Connected');
});

test('reconnecting without the meeting scope: the old grant is gone too, so the card says Reconnect required', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  const before = (await calls())['POST /oauth/revoke'] ?? 0;
  assert.equal((await connectZoom(t, o, { scopes: ['user:read:user'] })).result, 'missing_scope');
  const card = await zoomCard(t, o);
  assert.equal(card.status, 'Reconnect required');
  assert.match(card.html, /did not grant the meeting scope/);
  assert.doesNotMatch(card.html, /Ready for war rooms/);
  assert.equal(((await calls())['POST /oauth/revoke'] ?? 0) - before, 1, 'the incomplete grant is revoked, not kept');
});

test('Remove Zoom from Runframe: revoke at Zoom, credentials gone, history kept; a failed revoke does not block', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  const incident = await t.api(o, 'POST', '/api/v1/incidents', { title: 'Kept after disconnect' });
  const confirm = await t.page(o, 'GET', '/organization/integrations/zoom/disconnect');
  assert.match(confirm.text, /Disconnect Zoom\?/);
  assert.match(confirm.text, /Yes, Disconnect/);
  const before = (await calls())['POST /oauth/revoke'] ?? 0;
  await t.page(o, 'POST', '/integrations/zoom/disconnect', {});
  assert.equal(((await calls())['POST /oauth/revoke'] ?? 0) - before, 1);
  assert.equal((await zoomCard(t, o)).status, 'Not connected');
  assert.equal((await t.api(o, 'GET', `/api/v1/incidents/${incident.json.incident.id}`)).status, 200);

  await connectZoom(t, o);
  await sandbox.control('POST', '/faults', { endpoint: 'POST /oauth/revoke', times: 1, fault: { kind: 'http', status: 500 } });
  await t.page(o, 'POST', '/integrations/zoom/disconnect', {});
  assert.equal((await zoomCard(t, o)).status, 'Not connected');
  assert.equal((await audit(o, 'integration.revoke_failed')).length, 1);
  assert.equal((await connectZoom(t, o)).result, 'connected', 'Connect works again');
});

test('leak scan: no token, code or secret in the database, audit metadata, pages or logs', async () => {
  const secrets = new Set<string>();
  for (const body of recorder.bodies) {
    try {
      const j = JSON.parse(body) as Record<string, unknown>;
      for (const k of ['access_token', 'refresh_token']) if (typeof j[k] === 'string') secrets.add(j[k] as string);
    } catch {
      // not JSON
    }
  }
  secrets.add('rf-secret');
  secrets.add(WEBHOOK_SECRET);
  const grants = await sandbox.control<unknown>('GET', '/grants');
  for (const m of JSON.stringify(grants.json).matchAll(/"code":"([^"]{8,})"/g)) if (m[1]) secrets.add(m[1]);
  assert.ok(secrets.size > 4, 'the flows above produced tokens to look for');
  const tables = ['integration_connections', 'audit_log', 'timeline_entries', 'oauth_states', 'jobs', 'webhook_events', 'users', 'sessions'];
  let dump = '';
  for (const table of tables) dump += JSON.stringify(await queryRows(t.deps.db, sql.raw(`select * from ${table}`)));
  const o = await t.owner();
  dump += (await t.page(o, 'GET', '/organization/integrations')).text;
  dump += (await t.api(o, 'GET', '/api/v1/audit-log?perPage=100')).text;
  dump += t.logLines.join('\n');
  for (const s of secrets) assert.ok(!dump.includes(s), `a secret leaked (${s.slice(0, 6)}…)`);
});
