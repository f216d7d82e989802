import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTestApp } from '../support/app.ts';

const t = await makeTestApp();
const o = await t.owner();

test('a form posted without the CSRF token, or with a wrong one, changes nothing', async () => {
  for (const csrf of [null, 'forged-token-value']) {
    const r = await t.page(o, 'POST', '/incidents', { title: 'CSRF attempt' }, { csrf });
    assert.equal(r.status, 403);
    assert.match(r.text, /did not come from Runframe/);
  }
  const list = await t.api(o, 'GET', '/api/v1/incidents');
  assert.equal(list.json.total, 0);
});

test('cookie-authenticated API calls need the x-csrf-token header; bearer tokens do not', async () => {
  const body = JSON.stringify({ title: 'Via cookie' });
  const base = { 'content-type': 'application/json', cookie: `rf_session=${o.cookie}` };
  const without = await t.app.request('/api/v1/incidents', { method: 'POST', headers: base, body });
  assert.equal(without.status, 403);
  const withHeader = await t.app.request('/api/v1/incidents', { method: 'POST', headers: { ...base, 'x-csrf-token': o.csrf }, body });
  assert.equal(withHeader.status, 201);
  const bearer = await t.api(o, 'POST', '/api/v1/incidents', { title: 'Via token' });
  assert.equal(bearer.status, 201);
});

test('sign-in forms are CSRF-protected too (double-submit cookie)', async () => {
  const r = await t.app.request('/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    body: new URLSearchParams({ email: o.email, password: 'correct horse battery' }).toString(),
  });
  assert.equal(r.status, 403);
  assert.equal(r.headers.get('set-cookie')?.includes('rf_session='), false);
});

test('session cookies are httpOnly and SameSite=Lax; signing out ends the session', async () => {
  const page = await t.page(null, 'GET', '/sign-in');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  const anon = /rf_csrf=([^;]+)/.exec(page.headers.get('set-cookie') ?? '')?.[1] ?? '';
  const r = await t.app.request('/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `rf_csrf=${anon}` },
    body: new URLSearchParams({ _csrf: csrf, email: o.email, password: 'correct horse battery' }).toString(),
  });
  assert.equal(r.status, 303);
  const setCookie = r.headers.get('set-cookie') ?? '';
  assert.match(setCookie, /rf_session=/);
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Lax/);
  assert.doesNotMatch(setCookie, /Secure/, 'not Secure on a plain-http PUBLIC_URL');
  const cookie = /rf_session=([^;]+)/.exec(setCookie)?.[1] ?? '';
  const incidents = await t.app.request('/incidents', { headers: { cookie: `rf_session=${cookie}` } });
  assert.equal(incidents.status, 200);
  const html = await incidents.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const out = await t.app.request('/sign-out', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `rf_session=${cookie}` },
    body: new URLSearchParams({ _csrf: token }).toString(),
  });
  assert.equal(out.status, 303);
  const after = await t.app.request('/incidents', { headers: { cookie: `rf_session=${cookie}` } });
  assert.equal(after.status, 303);
  assert.match(after.headers.get('location') ?? '', /^\/sign-in/);
});

test('an expired session sends pages to sign-in and API calls get 401', async () => {
  const m = await t.member(o, 'responder');
  t.clock.advance(73 * 3_600_000);
  const page = await t.page(m, 'GET', '/incidents');
  assert.equal(page.status, 303);
  const api = await t.app.request('/api/v1/incidents', { headers: { cookie: `rf_session=${m.cookie}` } });
  assert.equal(api.status, 401);
  t.clock.advance(-73 * 3_600_000);
});

test('API tokens: shown once, stored hashed, revocable; a bad token is a clear 401', async () => {
  const m = await t.member(o, 'responder');
  const created = await t.page(m, 'POST', '/settings/api-tokens', { name: 'pager' });
  assert.equal(created.status, 200);
  const token = /(rf_[A-Za-z0-9_-]{30,})/.exec(created.text)?.[1] ?? '';
  assert.ok(token, 'the new token is shown once');
  const again = await t.page(m, 'GET', '/settings/api-tokens');
  assert.ok(!again.text.includes(token), 'and never again');
  const me = await t.app.request('/api/v1/me', { headers: { authorization: `Bearer ${token}` } });
  assert.equal(me.status, 200);
  const rows = await t.deps.db.query.apiTokens.findMany();
  assert.ok(rows.every((r) => r.tokenHash !== token && !JSON.stringify(r).includes(token)));
  const id = rows.find((r) => r.name === 'pager')?.id ?? '';
  const confirm = await t.page(m, 'GET', `/settings/api-tokens/${id}/revoke`);
  assert.match(confirm.text, /Revoke “pager”\?/);
  await t.page(m, 'POST', `/settings/api-tokens/${id}/revoke`, {});
  const dead = await t.app.request('/api/v1/me', { headers: { authorization: `Bearer ${token}` } });
  assert.equal(dead.status, 401);
  const body = (await dead.json()) as { error: { message: string; hint: string } };
  assert.match(body.error.message, /not valid/);
  const none = await t.app.request('/api/v1/incidents');
  assert.equal(none.status, 401);
  const noneWrite = await t.api(null, 'POST', '/api/v1/incidents', { title: 'Anonymous' });
  assert.equal(noneWrite.status, 401, 'a write with no credentials is unauthenticated, not "form expired"');
  assert.equal(noneWrite.json.error.code, 'unauthenticated');
  const audit = await t.api(o, 'GET', '/api/v1/audit-log?action=api_token.');
  assert.deepEqual(audit.json.entries.map((e: { action: string }) => e.action).slice(0, 2), ['api_token.revoked', 'api_token.created']);
  assert.ok(!audit.text.includes(token));
});

test('idempotent declare over HTTP: 201 first, 200 with the same incident on retry', async () => {
  const a = await t.api(o, 'POST', '/api/v1/incidents', { title: 'Once' }, { 'idempotency-key': 'abc-123' });
  const b = await t.api(o, 'POST', '/api/v1/incidents', { title: 'Once' }, { 'idempotency-key': 'abc-123' });
  assert.equal(a.status, 201);
  assert.equal(b.status, 200);
  assert.equal(a.json.incident.id, b.json.incident.id);
  const c = await t.api(o, 'POST', '/api/v1/incidents', { title: 'Twice' }, { 'idempotency-key': 'abc-123' });
  assert.equal(c.status, 409);
});

test('the OpenAPI document describes the API from the validating schemas; health endpoints answer', async () => {
  const doc = await t.app.request('/api/openapi.json');
  const json = (await doc.json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, { maxLength?: number; enum?: string[] }> } }> } }>> };
  assert.equal(json.openapi, '3.1.0');
  const declare = json.paths['/incidents']?.['post']?.requestBody?.content['application/json']?.schema;
  assert.equal(declare?.properties['title']?.maxLength, 200);
  assert.deepEqual(declare?.properties['severity']?.enum, ['SEV0', 'SEV1', 'SEV2', 'SEV3', 'SEV4']);
  for (const p of ['/incidents/{id}', '/incidents/{id}/status', '/incidents/{id}/severity', '/incidents/{id}/lead', '/incidents/{id}/notes', '/incidents/{id}/timeline', '/audit-log']) {
    assert.ok(json.paths[p], p);
  }
  type Op = { requestBody?: { required: boolean }; responses: Record<string, { headers?: Record<string, unknown> }> };
  const create = json.paths['/incidents/{id}/war-room']?.['post'] as unknown as Op | undefined;
  assert.ok(create, 'Create War Room is documented');
  assert.equal(create.requestBody?.required, false, 'the body may be left out');
  for (const s of ['200', '201', '400', '401', '403', '404', '409', '422', '429', '503']) assert.ok(create.responses[s], `Create War Room documents ${s}`);
  assert.ok(create.responses['429']?.headers?.['Retry-After'] && create.responses['503']?.headers?.['Retry-After'], 'and when to try again');
  assert.ok(json.paths['/incidents/{id}/war-room']?.['get'], 'reading the war room is documented');
  // As documented: a Create War Room with no body at all is fine (here: the incident has no Zoom to use).
  const inc = await t.api(o, 'POST', '/api/v1/incidents', { title: 'Bodiless' });
  const bare = await t.app.request(`/api/v1/incidents/${inc.json.incident.id}/war-room`, { method: 'POST', headers: { authorization: `Bearer ${o.token}` } });
  assert.notEqual(bare.status, 400, 'no "body must be JSON" for a body that is not there');
  assert.equal((await t.app.request('/healthz')).status, 200);
  const ready = await t.app.request('/readyz');
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { status: 'ready' });
});

test('repeated failed sign-ins on the page: 429 with the wait in words and a Retry-After header', async () => {
  const victim = await t.owner();
  const form = await t.app.request('/sign-in', { headers: { accept: 'text/html' } });
  const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  let last = new Response();
  for (let i = 0; i < 11; i++) {
    last = await t.app.request('/sign-in', {
      method: 'POST',
      headers: { accept: 'text/html', cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: victim.email, password: 'not the password at all', _csrf: csrf }).toString(),
    });
  }
  assert.equal(last.status, 429);
  assert.match(await last.text(), /Too many failed sign-ins/);
  const wait = Number(last.headers.get('retry-after'));
  assert.ok(wait > 0 && wait <= 15 * 60, `Retry-After ${last.headers.get('retry-after')}`);
});
