import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../../src/platform/db/client.ts';
import { getAccessToken } from '../../../src/integrations/hub/token-getter.ts';
import { makeTestApp } from '../../support/app.ts';
import { connectZoom, issuedCodes, recordingFetch, startZoom, WEBHOOK_SECRET, zoomCard, HOST_ID } from '../../support/zoom.ts';
import { AppError } from '../../../src/shared/errors.ts';
import { missingScopeNames } from '../../../src/integrations/zoom/index.ts';

const { sandbox, zoom } = await startZoom();
const recorder = recordingFetch();
const t = await makeTestApp({ zoom, fetch: recorder.fetch });

const calls = async () => (await sandbox.control<{ counts: Record<string, number> }>('GET', '/calls')).json.counts;
const refreshes = async () => (await calls())['POST /oauth/token:refresh_token'] ?? 0;
const codeExchanges = async () => (await calls())['POST /oauth/token:authorization_code'] ?? 0;
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
  // Each refused callback must stop before the code reaches Zoom's token endpoint.
  const refusedWithoutExchange = async (m: typeof o, url: URL, what: string) => {
    const before = await codeExchanges();
    assert.match((await t.page(m, 'GET', url.pathname + url.search)).headers.get('location') ?? '', /result=state/, what);
    assert.equal((await codeExchanges()) - before, 0, `${what}: the code was not exchanged at Zoom`);
  };
  // Forged: the signature does not match.
  const forged = await connectZoom(t, o, { stopAtCallback: true });
  const bad = new URL(forged.callback);
  bad.searchParams.set('state', `${bad.searchParams.get('state')?.split('.')[0]}.deadbeefdeadbeefdeadbeefdeadbeef`);
  await refusedWithoutExchange(o, bad, 'forged signature');
  const invented = new URL(forged.callback);
  invented.searchParams.set('state', 'no-such-state.deadbeefdeadbeefdeadbeefdeadbeef');
  await refusedWithoutExchange(o, invented, 'invented state');
  // Another user's session cannot complete my flow.
  const mine = await connectZoom(t, o, { stopAtCallback: true });
  await refusedWithoutExchange(other, mine.callback, "another user's session");
  // Another browser session of the same user cannot either.
  const second = await t.sessionFor(o.userId, o.orgId);
  await refusedWithoutExchange({ ...o, ...second }, mine.callback, 'another browser session');
  // Used once, it cannot be replayed.
  assert.match((await t.page(o, 'GET', mine.callback.pathname + mine.callback.search)).headers.get('location') ?? '', /result=connected/);
  await refusedWithoutExchange(o, mine.callback, 'replay');
  // Expired after 10 minutes.
  const late = await connectZoom(t, o, { stopAtCallback: true });
  t.clock.advance(11 * 60_000);
  await refusedWithoutExchange(o, late.callback, 'expired');
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
  // The page Runframe's own callback sends the browser to names the scope to approve.
  const page = await t.page(o, 'GET', r.back?.headers.get('location') ?? '');
  assert.match(page.text, /Zoom did not grant the meeting scope: connect again and approve it/);
  assert.match(page.text, /Missing: meeting:write:meeting\./);
  assert.equal((await connectZoom(t, o)).result, 'connected');
});

test('the missing scopes are named as Zoom names them, in the style of the app: granular, or classic for a classic app', () => {
  assert.deepEqual(missingScopeNames(['user:read:user', 'meeting:read:meeting']), ['meeting:write:meeting']);
  assert.deepEqual(missingScopeNames(['user:read', 'meeting:read']), ['meeting:write']);
  assert.deepEqual(missingScopeNames(['meeting:write:meeting:admin', 'user:read:user']), []);
  assert.deepEqual(missingScopeNames([]), ['meeting:write:meeting', 'user:read:user']);
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
  const members = [await t.member(o, 'responder'), await t.member(o, 'viewer')];
  for (const state of ['Not connected', 'Connected'] as const) {
    if (state === 'Connected') await connectZoom(t, o);
    for (const m of members) {
      const card = await zoomCard(t, m);
      assert.equal(card.status, state);
      // "You cannot click Connect": the button is there but disabled, described by the guide's cause and fix.
      const buttons = [...card.html.matchAll(/<button([^>]*)>Connect<\/button>/g)];
      assert.equal(buttons.length, 1, `${m.role}, ${state}: one Connect button`);
      const attrs = buttons[0]?.[1] ?? '';
      assert.match(attrs, /\bdisabled\b/, `${m.role}, ${state}: Connect cannot be clicked`);
      const describedBy = /aria-describedby="([^"]+)"/.exec(attrs)?.[1] ?? '';
      const reason = new RegExp(`id="${describedBy}"[^>]*>([^<]*)<`).exec(card.html)?.[1];
      assert.equal(
        reason,
        'Your Runframe role cannot manage integrations. Ask a Runframe admin to grant integration management permission or connect Zoom for the organization.',
        `${m.role}, ${state}: the button is described by the reason`,
      );
      assert.match(card.html, /Owners and Admins here: Olivia Owner \(Owner\)\./);
      for (const hidden of ['Reconnect', 'Test connection']) assert.doesNotMatch(card.html, new RegExp(`>${hidden}<`), `${m.role}: no ${hidden}`);
      assert.doesNotMatch(card.html, /aria-label="Disconnect Zoom"/, `${m.role}: no trash icon`);
      const refused = await t.page(m, 'POST', '/integrations/zoom/connect', {});
      assert.equal(refused.status, 403);
      assert.equal((await t.page(m, 'POST', '/integrations/zoom/disconnect', {})).status, 403);
    }
  }
  assert.equal((await zoomCard(t, o)).status, 'Connected', 'the refused attempts changed nothing');
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

test('two 401/124 answers in a row: one refresh, one retry, then Reconnect required because Zoom rejected the token even after a refresh', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  await sandbox.control('POST', '/faults', { endpoint: 'GET /v2/users/me', times: 2, fault: { kind: 'zoom_error', status: 401, code: 124, message: 'Invalid access token.' } });
  const before = await calls();
  const r = await t.page(o, 'POST', '/integrations/zoom/test', {});
  assert.match(r.headers.get('location') ?? '', /result=check_failed/);
  const after = await calls();
  const delta = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
  assert.equal(delta('POST /oauth/token:refresh_token'), 1, 'exactly one refresh');
  assert.equal(delta('GET /v2/users/me'), 2, 'the call and exactly one retry');
  const card = await zoomCard(t, o);
  assert.equal(card.status, 'Reconnect required');
  assert.match(card.html, /Zoom rejected Runframe’s access token even after a refresh\./);
  const entries = await audit(o, 'integration.reconnect_required');
  assert.equal(entries.length, 1);
  assert.equal(entries[0]?.metadata['reason'], 'Zoom rejected Runframe’s access token even after a refresh.');
  assert.equal((await connectZoom(t, o)).result, 'connected', 'Connect works again');
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
  const deauthorized = await audit(o, 'integration.deauthorized');
  assert.equal(deauthorized.length, 1);
  assert.equal(deauthorized[0]?.actor, 'Zoom', 'the source of the entry is Zoom, not a member');
  assert.equal(deauthorized[0]?.metadata['reason'], 'Runframe was removed from your Zoom account.');
  assert.match(String(deauthorized[0]?.metadata['credential_fingerprint']), /^sha256:[0-9a-f]{12}$/);

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

const stamp = (d: Date) => `${d.toISOString().replace('T', ' ').slice(0, 16)} UTC`;

test('a Connect abandoned at Zoom (tab closed, Back pressed): the card says what happened, until a newer attempt settles it', async () => {
  const o = await t.owner();
  const admin = await t.member(o, 'admin', 'Adam Admin');
  const start = t.clock.now();
  try {
    // Adam clicks Connect and reaches Zoom, but the callback never comes.
    const click = await t.page(admin, 'POST', '/integrations/zoom/connect', {});
    assert.equal(click.status, 303);
    assert.equal((await fetch(click.headers.get('location') ?? '')).status, 200, 'the consent page was shown');
    let card = await zoomCard(t, o);
    assert.equal(card.status, 'Not connected');
    assert.ok(
      card.html.includes(`A connection to Zoom was started by Adam Admin at ${stamp(start)} but not completed in Zoom, so nothing was connected. Click Connect to try again.`),
      'the card says who started it, when, and what to do',
    );
    const viewer = await t.member(o, 'viewer');
    assert.doesNotMatch((await zoomCard(t, viewer)).html, /was started by/, 'only people who can click Connect are told to');

    // A newer attempt that came back (here: declined) settles it.
    t.clock.advance(60_000);
    assert.equal((await connectZoom(t, o, { decision: 'decline' })).result, 'denied');
    assert.doesNotMatch((await zoomCard(t, o)).html, /was started by/);

    // Abandoned again, then connected: the note is gone once connecting worked.
    t.clock.advance(60_000);
    await t.page(o, 'POST', '/integrations/zoom/connect', {});
    assert.ok((await zoomCard(t, o)).html.includes(`A connection to Zoom was started by Olivia Owner at ${stamp(t.clock.now())}`));
    t.clock.advance(60_000);
    assert.equal((await connectZoom(t, o)).result, 'connected');
    card = await zoomCard(t, o);
    assert.equal(card.status, 'Connected');
    assert.doesNotMatch(card.html, /was started by/);

    // A Reconnect abandoned at Zoom leaves the connection as it was, and says so.
    t.clock.advance(60_000);
    await t.page(admin, 'POST', '/integrations/zoom/connect', {});
    card = await zoomCard(t, o);
    assert.equal(card.status, 'Connected');
    assert.ok(
      card.html.includes(`A reconnection to Zoom was started by Adam Admin at ${stamp(t.clock.now())} but not completed in Zoom, so the connection was not changed. Click Reconnect to try again.`),
    );
  } finally {
    t.clock.set(start);
  }
});

test('disconnecting with an active war room keeps its join link on the incident and deletes no Zoom meeting; the audit names who did it, without secrets', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  const incident = (await t.api(o, 'POST', '/api/v1/incidents', { title: 'Payments failing', severity: 'SEV1' })).json.incident;
  const created = await t.api(o, 'POST', `/api/v1/incidents/${incident.id}/war-room`, {});
  assert.equal(created.status, 201, created.text);
  const { joinUrl, meetingId } = created.json.warRoom;
  const before = await calls();
  const gone = await t.page(o, 'POST', '/integrations/zoom/disconnect', {});
  assert.match(gone.headers.get('location') ?? '', /result=disconnected/);
  const after = await calls();
  assert.equal((after['DELETE /v2/meetings/:meetingId'] ?? 0) - (before['DELETE /v2/meetings/:meetingId'] ?? 0), 0, 'Zoom received no meeting DELETE');
  assert.equal((after['PUT /v2/meetings/:meetingId/status'] ?? 0) - (before['PUT /v2/meetings/:meetingId/status'] ?? 0), 0, 'nor an end-meeting request');
  assert.equal((await zoomCard(t, o)).status, 'Not connected');

  const room = await t.api(o, 'GET', `/api/v1/incidents/${incident.id}/war-room`);
  assert.equal(room.json.warRoom.joinUrl, joinUrl, 'the join link stays on the incident');
  const page = await t.page(o, 'GET', `/incidents/${incident.number}`);
  assert.ok(page.text.replace(/&amp;/g, '&').includes(joinUrl), 'and on its page');
  const meetings = (await sandbox.control<{ meetings: { id: number | string; deleted: boolean }[] }>('GET', '/meetings')).json.meetings;
  assert.equal(meetings.find((m) => String(m.id) === meetingId)?.deleted, false, 'the meeting still exists at Zoom');

  const entries = await audit(o, 'integration.disconnected');
  assert.equal(entries.length, 1);
  assert.equal(entries[0]?.actor, `Olivia Owner (${o.email})`);
  const meta = entries[0]?.metadata ?? {};
  assert.deepEqual(Object.keys(meta).sort(), ['account', 'credential_fingerprint', 'external_user', 'provider']);
  assert.equal(meta['provider'], 'zoom');
  assert.equal(meta['account'], 'host@sandbox.zoom.test');
  assert.match(String(meta['credential_fingerprint']), /^sha256:[0-9a-f]{12}$/);
  const text = JSON.stringify(entries);
  for (const r of recorder.requests) {
    for (const m of (r.answer ?? '').matchAll(/"(access_token|refresh_token)":"([^"]+)"/g)) assert.ok(!text.includes(m[2] ?? '-'), `no ${m[1]} in the audit entry`);
  }
});

test('disconnecting after the access token expired renews it first and revokes with the fresh token; if renewing fails, it still disconnects', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  t.clock.advance(3_600_000);
  try {
    const sent = recorder.requests.length;
    await t.page(o, 'POST', '/integrations/zoom/disconnect', {});
    const mine = recorder.requests.slice(sent);
    const refresh = mine.find((r) => r.url.endsWith('/oauth/token') && r.body.includes('grant_type=refresh_token'));
    const revoke = mine.find((r) => r.url.endsWith('/oauth/revoke'));
    assert.ok(refresh && revoke && mine.indexOf(refresh) < mine.indexOf(revoke), 'a refresh, then the revoke');
    const fresh = (JSON.parse(refresh.answer ?? '{}') as { access_token?: string }).access_token;
    assert.ok(fresh);
    assert.equal(new URLSearchParams(revoke.body).get('token'), fresh, 'the revoke carries the renewed access token');
    assert.deepEqual(JSON.parse(revoke.answer ?? '{}'), { status: 'success' });
    assert.equal((await audit(o, 'integration.revoke_failed')).length, 0);
    assert.equal((await zoomCard(t, o)).status, 'Not connected');

    // Zoom is down when the token is renewed: the credentials are dropped anyway, and that is recorded.
    t.clock.advance(-3_600_000);
    await connectZoom(t, o);
    t.clock.advance(3_600_000);
    await sandbox.control('POST', '/faults', { endpoint: 'POST /oauth/token:refresh_token', times: 1, fault: { kind: 'http', status: 503 } });
    const before = (await calls())['POST /oauth/revoke'] ?? 0;
    await t.page(o, 'POST', '/integrations/zoom/disconnect', {});
    assert.equal((await zoomCard(t, o)).status, 'Not connected');
    assert.equal(((await calls())['POST /oauth/revoke'] ?? 0) - before, 0, 'no revoke with a token Zoom may not know any more');
    const failed = await audit(o, 'integration.revoke_failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0]?.metadata['step'], 'refresh');
    assert.equal(failed[0]?.metadata['failure'], 'provider_unavailable');
  } finally {
    t.clock.advance(-3_600_000);
  }
});

test('two Admins completing the callback at the same moment: no error page, one connection, and the later one is the one kept', async () => {
  // A second Zoom user, so both grants stay valid at Zoom whichever is kept.
  const email = `second-host-${process.pid}@sandbox.zoom.test`;
  const second = (await sandbox.control<{ user: { id: string } }>('POST', '/users', { email, firstName: 'Second', lastName: 'Host' })).json.user;
  for (let round = 0; round < 4; round++) {
    const o = await t.owner(`Race ${round}`);
    const admin = await t.member(o, 'admin', 'Adam Admin');
    const a = await connectZoom(t, o, { stopAtCallback: true });
    const b = await connectZoom(t, admin, { stopAtCallback: true, userId: second.id });
    const [ra, rb] = await Promise.all([t.page(o, 'GET', a.callback.pathname + a.callback.search), t.page(admin, 'GET', b.callback.pathname + b.callback.search)]);
    for (const r of [ra, rb]) {
      assert.equal(r.status, 303, `round ${round}: ${r.text.slice(0, 200)}`);
      assert.match(r.headers.get('location') ?? '', /result=connected/);
    }
    const rows = await queryRows(t.deps.db, sql`select account_email, credential_fingerprint from integration_connections where org_id = ${o.orgId}`);
    assert.equal(rows.length, 1, 'one connection per organization');
    const connected = await audit(o, 'integration.connected');
    assert.equal(connected.length, 2, 'both completions are on record');
    // The row is wholly one of the two completions (the one that committed last), not a mix.
    const kept = connected.find((e) => e.metadata['credential_fingerprint'] === rows[0]?.['credential_fingerprint']);
    assert.ok(kept, 'the kept credentials are one of the two grants');
    assert.equal(rows[0]?.['account_email'], kept.metadata['account']);
    // The credentials kept can be opened and used (sealed for the row that holds them).
    const check = await t.page(o, 'POST', '/integrations/zoom/test', {});
    assert.match(check.headers.get('location') ?? '', /result=checked/, `round ${round}`);
    assert.equal((await zoomCard(t, o)).status, 'Connected');
  }
});

test('leak scan: no token, code, PKCE verifier or secret in the database, audit metadata, pages or logs', async () => {
  const secrets = new Set<string>();
  for (const r of recorder.requests) {
    try {
      const j = JSON.parse(r.answer ?? '') as Record<string, unknown>;
      for (const k of ['access_token', 'refresh_token']) if (typeof j[k] === 'string') secrets.add(j[k] as string);
    } catch {
      // not JSON
    }
    // What Runframe itself sent: codes, PKCE verifiers, refresh and revoked tokens.
    const form = new URLSearchParams(r.body);
    for (const k of ['code', 'code_verifier', 'refresh_token', 'token']) {
      const v = form.get(k);
      if (v) secrets.add(v);
    }
  }
  const verifiers = recorder.requests.filter((r) => new URLSearchParams(r.body).get('code_verifier')).length;
  assert.ok(verifiers > 5, 'the flows above exchanged codes with PKCE verifiers');
  // Codes as the sandbox handed them to the browser, including those of callbacks Runframe refused.
  assert.ok(issuedCodes.size > 5, 'the flows above produced authorization codes');
  for (const c of issuedCodes) secrets.add(c);
  secrets.add('rf-secret');
  secrets.add(WEBHOOK_SECRET);
  const tables = ['integration_connections', 'audit_log', 'timeline_entries', 'oauth_states', 'jobs', 'webhook_events', 'users', 'sessions', 'war_rooms', 'incidents'];
  let dump = '';
  for (const table of tables) {
    const rows = await queryRows(t.deps.db, sql.raw(`select * from ${table}`));
    if (table === 'war_rooms' || table === 'incidents') assert.ok(rows.length > 0, `${table} has rows to scan`);
    dump += JSON.stringify(rows);
  }
  const o = await t.owner();
  dump += (await t.page(o, 'GET', '/organization/integrations')).text;
  dump += (await t.api(o, 'GET', '/api/v1/audit-log?perPage=100')).text;
  dump += t.logLines.join('\n');
  for (const s of secrets) assert.ok(!dump.includes(s), `a secret leaked (${s.slice(0, 6)}…)`);
});
