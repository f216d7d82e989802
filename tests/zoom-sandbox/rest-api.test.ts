import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { BASIC_ID, HOST_ID, api, connect, manualClock, startSandbox, testApp, tokenRequest, type Running, type Tokens } from './helpers.ts';

describe('Zoom sandbox REST API', () => {
  let s: Running;
  let t: Tokens;
  beforeEach(async () => {
    s = await startSandbox({ clock: manualClock('2026-03-10T12:00:00Z').now });
    await s.sandbox.registerApp(testApp());
    t = await connect(s);
  });
  afterEach(() => s.close());

  const create = (body: unknown = { topic: 'SEV1: checkout down', type: 2, agenda: 'War room for INC-42' }) => api(s, t.access_token, 'POST', '/v2/users/me/meetings', body);

  it('GET /v2/users/me returns the user with Zoom field names and an x-zm-trackingid', async () => {
    const r = await api(s, t.access_token, 'GET', '/v2/users/me');
    assert.equal(r.status, 200);
    assert.ok(r.headers.get('x-zm-trackingid'));
    const u = r.json ?? {};
    assert.equal(u.id, HOST_ID);
    assert.equal(typeof u.id, 'string');
    assert.equal((u.id as string).length, 22);
    assert.equal(typeof u.account_id, 'string');
    assert.equal(u.email, 'host@sandbox.zoom.test');
    assert.equal(u.type, 2);
    assert.equal(u.status, 'active');
    for (const k of ['first_name', 'last_name', 'display_name', 'role_name', 'timezone', 'created_at', 'language']) assert.equal(typeof u[k], 'string', k);
    assert.equal(typeof u.pmi, 'number');
    assert.equal(u.verified, 1);
    assert.equal((await api(s, t.access_token, 'GET', `/v2/users/${HOST_ID}`)).status, 200);
    const other = await api(s, t.access_token, 'GET', '/v2/users/someoneelse');
    assert.equal(other.status, 404);
    assert.deepEqual(other.json, { code: 1001, message: 'User does not exist: someoneelse.' });
  });

  it('POST /v2/users/me/meetings → 201 with the full field set and a join_url to the sandbox meeting page', async () => {
    const r = await create();
    assert.equal(r.status, 201);
    const m = r.json ?? {};
    assert.equal(typeof m.id, 'number');
    assert.match(String(m.id), /^\d{10,11}$/);
    assert.equal(typeof m.uuid, 'string');
    assert.equal(m.host_id, HOST_ID);
    assert.equal(m.host_email, 'host@sandbox.zoom.test');
    assert.equal(m.topic, 'SEV1: checkout down');
    assert.equal(m.type, 2);
    assert.equal(m.status, 'waiting');
    assert.equal(m.start_time, '2026-03-10T12:00:00Z');
    assert.equal(m.duration, 60);
    assert.equal(m.timezone, 'UTC');
    assert.equal(m.agenda, 'War room for INC-42');
    assert.equal(m.created_at, '2026-03-10T12:00:00Z');
    assert.equal(m.pre_schedule, false);
    for (const k of ['password', 'h323_password', 'pstn_password', 'encrypted_password', 'start_url', 'join_url']) assert.equal(typeof m[k], 'string', k);
    assert.ok((m.password as string).length > 0, 'Zoom generates a passcode when none is sent');
    assert.equal(typeof m.settings, 'object');
    const join = new URL(String(m.join_url));
    assert.equal(join.pathname, `/j/${m.id}`);
    assert.ok(join.searchParams.get('pwd'));
    const page = await fetch(String(m.join_url));
    assert.equal(page.status, 200);
    assert.match(await page.text(), /SEV1: checkout down/);
    assert.match(String(m.start_url), new RegExp(`^${s.url}/s/${m.id}\\?zak=`));
    assert.equal((await api(s, t.access_token, 'POST', `/v2/users/${HOST_ID}/meetings`, {})).status, 201);
  });

  it('start_time without Z is local time in the given timezone', async () => {
    const r = await create({ topic: 'tz', start_time: '2026-07-01T09:30:00', timezone: 'America/Los_Angeles' });
    assert.equal(r.json?.start_time, '2026-07-01T16:30:00Z');
    assert.equal(r.json?.timezone, 'America/Los_Angeles');
  });

  it('impossible start_time values → 400/300 with errors[] on create and PATCH, never rolled over', async () => {
    const impossible = [
      '2026-13-45T99:00:00Z', // month 13, day 45, hour 99
      '2026-02-30T10:00:00Z', // 30 February would roll over to 2 March
      '2026-02-29T10:00:00Z', // 2026 is not a leap year
      '2026-04-31T10:00:00Z', // April has 30 days
      '2026-00-10T10:00:00Z', // month 0
      '2026-03-00T10:00:00Z', // day 0
      '2026-03-10T24:00:00Z', // hour 24
      '2026-03-10T10:60:00Z', // minute 60
      '2026-03-10T10:00:60Z', // second 60
      '2026-02-30T10:00:00', // local time, with a timezone
      '0026-03-10T10:00:00Z', // Date.UTC would read the year as 1926
    ];
    const before = (await s.control<{ meetings: unknown[] }>('GET', '/meetings')).json.meetings.length;
    for (const start_time of impossible) {
      const r = await create({ topic: 'bad date', start_time, timezone: 'Europe/Paris' });
      assert.equal(r.status, 400, start_time);
      assert.deepEqual(r.json, { code: 300, message: 'Validation Failed.', errors: [{ field: 'start_time', message: 'Invalid field.' }] }, start_time);
    }
    assert.equal((await s.control<{ meetings: unknown[] }>('GET', '/meetings')).json.meetings.length, before, 'no meeting was created');
    const m = (await create({ topic: 'ok', start_time: '2028-02-29T10:00:00Z' })).json ?? {};
    assert.equal(m.start_time, '2028-02-29T10:00:00Z', 'a real leap day is accepted');
    for (const start_time of ['2026-02-30T10:00:00Z', '2026-13-01T00:00:00']) {
      const p = await api(s, t.access_token, 'PATCH', `/v2/meetings/${m.id}`, { start_time });
      assert.equal(p.status, 400, start_time);
      assert.deepEqual(p.json, { code: 300, message: 'Validation Failed.', errors: [{ field: 'start_time', message: 'Invalid field.' }] });
    }
    assert.equal((await api(s, t.access_token, 'GET', `/v2/meetings/${m.id}`)).json?.start_time, '2028-02-29T10:00:00Z', 'unchanged');
    const edge = await create({ start_time: '2026-12-31T23:59:59Z' });
    assert.equal(edge.json?.start_time, '2026-12-31T23:59:59Z');
  });

  it('pmi (a string) appears on create and GET when the meeting uses the PMI, not otherwise', async () => {
    const me = (await api(s, t.access_token, 'GET', '/v2/users/me')).json ?? {};
    const withPmi = await create({ topic: 'pmi', settings: { use_pmi: true } });
    assert.equal(withPmi.status, 201);
    assert.equal(withPmi.json?.pmi, String(me.pmi));
    assert.equal((await api(s, t.access_token, 'GET', `/v2/meetings/${withPmi.json?.id}`)).json?.pmi, String(me.pmi));
    const plain = (await create()).json ?? {};
    assert.equal('pmi' in plain, false);
    assert.equal('pmi' in ((await api(s, t.access_token, 'GET', `/v2/meetings/${plain.id}`)).json ?? {}), false);
  });

  it('list + GET: the list shows the meeting (agenda truncated to 250), GET shows it fully with status', async () => {
    const long = 'a'.repeat(400);
    const created = (await create({ topic: 'SEV2: latency', agenda: long })).json ?? {};
    const list = await api(s, t.access_token, 'GET', '/v2/users/me/meetings?type=scheduled&page_size=30');
    assert.equal(list.status, 200);
    assert.equal(list.json?.total_records, 1);
    assert.equal(list.json?.next_page_token, '');
    const items = list.json?.meetings as Array<Record<string, unknown>>;
    assert.equal(items[0]?.id, created.id);
    assert.equal(items[0]?.topic, 'SEV2: latency');
    assert.equal((items[0]?.agenda as string).length, 250);
    assert.equal(items[0]?.start_url, undefined, 'list items carry no start_url');
    const upcoming = await api(s, t.access_token, 'GET', '/v2/users/me/meetings?type=upcoming');
    assert.equal((upcoming.json?.meetings as unknown[]).length, 1);
    const got = await api(s, t.access_token, 'GET', `/v2/meetings/${created.id}`);
    assert.equal(got.status, 200);
    assert.equal(got.json?.agenda, long);
    assert.equal(got.json?.status, 'waiting');
    assert.equal(got.json?.join_url, created.join_url);
  });

  it('list paginates with next_page_token', async () => {
    for (let i = 0; i < 3; i++) await create({ topic: `m${i}` });
    const p1 = await api(s, t.access_token, 'GET', '/v2/users/me/meetings?page_size=2');
    assert.equal((p1.json?.meetings as unknown[]).length, 2);
    const token = String(p1.json?.next_page_token);
    assert.ok(token);
    const p2 = await api(s, t.access_token, 'GET', `/v2/users/me/meetings?page_size=2&next_page_token=${token}`);
    assert.equal((p2.json?.meetings as unknown[]).length, 1);
    assert.equal(p2.json?.next_page_token, '');
    const bad = await api(s, t.access_token, 'GET', '/v2/users/me/meetings?type=bogus');
    assert.equal(bad.status, 400);
    assert.equal(bad.json?.code, 300);
  });

  it('a negative, fractional or malformed next_page_token → 400/300, not a slice from a negative offset', async () => {
    for (let i = 0; i < 3; i++) await create({ topic: `m${i}` });
    const enc = (v: string) => Buffer.from(v).toString('base64url');
    for (const token of [enc('-1'), enc('-2'), enc('1.5'), enc('abc'), enc('01'), enc(' 2'), 'not base64!', '%%%', enc('1e3')]) {
      const r = await api(s, t.access_token, 'GET', `/v2/users/me/meetings?page_size=2&next_page_token=${encodeURIComponent(token)}`);
      assert.equal(r.status, 400, token);
      assert.deepEqual(r.json, { code: 300, message: 'Validation Failed.', errors: [{ field: 'next_page_token', message: 'Invalid field.' }] }, token);
    }
    const past = await api(s, t.access_token, 'GET', `/v2/users/me/meetings?page_size=2&next_page_token=${enc('10')}`);
    assert.equal(past.status, 200);
    assert.deepEqual(past.json?.meetings, [], 'a token past the end is an empty page');
  });

  it('GET shows started while running; ending a scheduled meeting returns it to waiting; an ended instant meeting is gone', async () => {
    const m = (await create()).json ?? {};
    await s.control('POST', `/meetings/${m.id}/start`);
    assert.equal((await api(s, t.access_token, 'GET', `/v2/meetings/${m.id}`)).json?.status, 'started');
    const end = await api(s, t.access_token, 'PUT', `/v2/meetings/${m.id}/status`, { action: 'end' });
    assert.equal(end.status, 204);
    assert.equal((await api(s, t.access_token, 'GET', `/v2/meetings/${m.id}`)).json?.status, 'waiting');
    const instant = (await create({ topic: 'instant', type: 1 })).json ?? {};
    await s.control('POST', `/meetings/${instant.id}/start`);
    await api(s, t.access_token, 'PUT', `/v2/meetings/${instant.id}/status`, { action: 'end' });
    const gone = await api(s, t.access_token, 'GET', `/v2/meetings/${instant.id}`);
    assert.equal(gone.status, 404);
    assert.deepEqual(gone.json, { code: 3001, message: `Meeting ${instant.id} is not found or has expired.` });
  });

  it('DELETE → 204, then 404/3001; a running meeting cannot be deleted (3002)', async () => {
    const m = (await create()).json ?? {};
    const del = await api(s, t.access_token, 'DELETE', `/v2/meetings/${m.id}`);
    assert.equal(del.status, 204);
    assert.equal(del.text, '');
    const again = await api(s, t.access_token, 'DELETE', `/v2/meetings/${m.id}`);
    assert.equal(again.status, 404);
    assert.deepEqual(again.json, { code: 3001, message: `Meeting ${m.id} is not found or has expired.` });
    const live = (await create()).json ?? {};
    await s.control('POST', `/meetings/${live.id}/start`);
    const busy = await api(s, t.access_token, 'DELETE', `/v2/meetings/${live.id}`);
    assert.equal(busy.status, 400);
    assert.equal(busy.json?.code, 3002);
  });

  it('PATCH → 204 and the change is visible on GET; status end on a missing meeting → 404/3001', async () => {
    const m = (await create()).json ?? {};
    const r = await api(s, t.access_token, 'PATCH', `/v2/meetings/${m.id}`, { topic: 'SEV1: resolved', settings: { waiting_room: true } });
    assert.equal(r.status, 204);
    const got = (await api(s, t.access_token, 'GET', `/v2/meetings/${m.id}`)).json ?? {};
    assert.equal(got.topic, 'SEV1: resolved');
    assert.equal((got.settings as Record<string, unknown>).waiting_room, true);
    const missing = await api(s, t.access_token, 'PUT', '/v2/meetings/12345678901/status', { action: 'end' });
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json, { code: 3001, message: 'Meeting does not exist: 12345678901.' });
    const badAction = await api(s, t.access_token, 'PUT', `/v2/meetings/${m.id}/status`, { action: 'pause' });
    assert.equal(badAction.status, 400);
    assert.deepEqual(badAction.json, { code: 300, message: 'Validation Failed.', errors: [{ field: 'action', message: 'Invalid field.' }] });
  });

  it('a token in the query string → 401/124 with Zoom\'s message, even with a valid header', async () => {
    const r = await api(s, t.access_token, 'GET', `/v2/users/me?access_token=${t.access_token}`);
    assert.equal(r.status, 401);
    assert.deepEqual(r.json, { code: 124, message: 'Invalid access token, this access token is not supported as query parameter string.' });
  });

  it('missing or garbage bearer → 401/124 Invalid access token', async () => {
    const none = await fetch(`${s.url}/v2/users/me`);
    assert.equal(none.status, 401);
    assert.deepEqual(await none.json(), { code: 124, message: 'Invalid access token.' });
    assert.deepEqual((await api(s, 'garbage', 'GET', '/v2/users/me')).json, { code: 124, message: 'Invalid access token.' });
  });

  it('control expire-tokens → 401/124 Access token is expired.', async () => {
    await s.control('POST', '/expire-tokens', { userId: HOST_ID });
    assert.deepEqual((await api(s, t.access_token, 'GET', '/v2/users/me')).json, { code: 124, message: 'Access token is expired.' });
  });

  it('control clock moves the sandbox time: an hour later the token is expired', async () => {
    const moved = await s.control<{ now: string }>('POST', '/clock', { advanceMs: 60 * 60_000 });
    assert.equal(moved.json.now, '2026-03-10T13:00:00.000Z');
    assert.deepEqual((await api(s, t.access_token, 'GET', '/v2/users/me')).json, { code: 124, message: 'Access token is expired.' });
  });

  it('control revoke-grants → 401/124 and invalid_grant on refresh', async () => {
    // The refresh token works before the revocation (and is rotated by it), so the failure below is the revocation's doing.
    const rotated = await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: t.refresh_token });
    assert.equal(rotated.status, 200);
    const live = rotated.json as unknown as Tokens;
    const r = await s.control<{ revoked: number }>('POST', `/users/${HOST_ID}/revoke-grants`, {});
    assert.equal(r.json.revoked, 1);
    const me = await api(s, live.access_token, 'GET', '/v2/users/me');
    assert.equal(me.status, 401);
    assert.deepEqual(me.json, { code: 124, message: 'Invalid access token.' });
    const refresh = await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: live.refresh_token });
    assert.equal(refresh.status, 400);
    assert.deepEqual(refresh.json, { reason: 'Invalid Token!', error: 'invalid_grant' });
  });

  it('without meeting:write:meeting → 400/4711 listing the acceptable scopes', async () => {
    const limited = await connect(s, { scopes: ['user:read:user', 'meeting:read:meeting'] });
    const r = await api(s, limited.access_token, 'POST', '/v2/users/me/meetings', { topic: 'x' });
    assert.equal(r.status, 400);
    assert.deepEqual(r.json, { code: 4711, message: 'Invalid access token, does not contain scopes:[meeting:write:meeting, meeting:write:meeting:admin].' });
  });

  it('a classic-scope app gets classic names in 4711 and classic scopes are accepted', async () => {
    await s.sandbox.registerApp(testApp({ clientId: 'classic', clientSecret: 'cs', scopes: ['user:read', 'meeting:write'] }));
    const { authorize } = await import('./helpers.ts');
    const { code } = await authorize(s, { clientId: 'classic', scopes: ['user:read'] });
    const res = await fetch(`${s.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('classic:cs').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: 'http://runframe.test/integrations/zoom/callback' }),
    });
    const tok = (await res.json()) as Tokens;
    assert.equal((await api(s, tok.access_token, 'GET', '/v2/users/me')).status, 200);
    const r = await api(s, tok.access_token, 'POST', '/v2/users/me/meetings', {});
    assert.deepEqual(r.json, { code: 4711, message: 'Invalid access token, does not contain scopes:[meeting:write, meeting:write:admin].' });
  });

  it('a Basic user who may not host → 400/3161', async () => {
    const basicTok = await connect(s, { userId: BASIC_ID });
    const r = await api(s, basicTok.access_token, 'POST', '/v2/users/me/meetings', { topic: 'x' });
    assert.equal(r.status, 400);
    assert.deepEqual(r.json, { code: 3161, message: 'Meeting hosting and scheduling capabilities are not allowed for your user account.' });
  });

  it('a control-created user without hosting rights also gets 3161; one with rights can create', async () => {
    const made = await s.control<{ user: { id: string } }>('POST', '/users', { email: 'oncall@sandbox.zoom.test', firstName: 'On', lastName: 'Call', canHost: false });
    assert.equal(made.status, 201);
    const tok = await connect(s, { userId: made.json.user.id });
    assert.equal((await api(s, tok.access_token, 'POST', '/v2/users/me/meetings', {})).json?.code, 3161);
    await s.control('PATCH', `/users/${made.json.user.id}`, { canHost: true });
    assert.equal((await api(s, tok.access_token, 'POST', '/v2/users/me/meetings', {})).status, 201);
  });

  it('creating for another user → 404/1001', async () => {
    const r = await api(s, t.access_token, 'POST', '/v2/users/nobody123/meetings', {});
    assert.equal(r.status, 404);
    assert.deepEqual(r.json, { code: 1001, message: 'User does not exist: nobody123.' });
  });

  it('validation: agenda > 2000, topic > 200, bad type, bad password → 400/300 with errors[]', async () => {
    const r = await create({ topic: 't'.repeat(201), agenda: 'a'.repeat(2001), type: 5, password: 'way-too-long-passcode' });
    assert.equal(r.status, 400);
    assert.equal(r.json?.code, 300);
    assert.equal(r.json?.message, 'Validation Failed.');
    const fields = (r.json?.errors as Array<{ field: string; message: string }>).map((e) => e.field).sort();
    assert.deepEqual(fields, ['agenda', 'password', 'topic', 'type']);
    assert.equal((await create({ agenda: 'a'.repeat(2000), topic: 't'.repeat(200) })).status, 201);
    const tz = await create({ timezone: 'Mars/Olympus' });
    assert.deepEqual(tz.json?.errors, [{ field: 'timezone', message: 'Invalid field.' }]);
    const st = await create({ start_time: 'tomorrow' });
    assert.deepEqual(st.json?.errors, [{ field: 'start_time', message: 'Invalid field.' }]);
  });

  it('malformed JSON and non-object bodies → 400/300 "Request Body should be a valid JSON object."', async () => {
    for (const body of ['{"topic":', '[1,2]', '"text"', 'null']) {
      const r = await api(s, t.access_token, 'POST', '/v2/users/me/meetings', body);
      assert.equal(r.status, 400, body);
      assert.deepEqual(r.json, { code: 300, message: 'Request Body should be a valid JSON object.' });
    }
    const m = (await create()).json ?? {};
    const p = await api(s, t.access_token, 'PATCH', `/v2/meetings/${m.id}`, '{oops');
    assert.deepEqual(p.json, { code: 300, message: 'Request Body should be a valid JSON object.' });
  });

  it('unknown paths → 404 and wrong methods → 405, both {code,message} with a tracking id', async () => {
    const nf = await api(s, t.access_token, 'GET', '/v2/nothing/here');
    assert.equal(nf.status, 404);
    assert.equal(typeof nf.json?.code, 'number');
    assert.equal(typeof nf.json?.message, 'string');
    assert.ok(nf.headers.get('x-zm-trackingid'));
    const wrong = await api(s, t.access_token, 'POST', '/v2/users/me');
    assert.equal(wrong.status, 405);
    assert.deepEqual(Object.keys(wrong.json ?? {}).sort(), ['code', 'message']);
    const wrongToken = await fetch(`${s.url}/oauth/token`);
    assert.equal(wrongToken.status, 405);
    assert.equal(wrongToken.headers.get('allow'), 'POST');
  });

  it('another user\'s meeting is not accessible', async () => {
    const m = (await create()).json ?? {};
    const other = await s.control<{ user: { id: string } }>('POST', '/users', { email: 'peer@sandbox.zoom.test' });
    const tok = await connect(s, { userId: other.json.user.id });
    assert.equal((await api(s, tok.access_token, 'GET', `/v2/meetings/${m.id}`)).json?.code, 3000);
    assert.equal((await api(s, tok.access_token, 'DELETE', `/v2/meetings/${m.id}`)).json?.code, 3003);
  });
});
