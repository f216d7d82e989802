import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTestApp, type Member } from '../support/app.ts';

// Every route the app serves is walked with hostile input: path parameters that are not ids, text
// with NUL characters, broken multipart bodies, broken JSON. Whatever the route, the answer must be
// a 4xx that says what was wrong — never a 500 with "Something went wrong on our side".
const t = await makeTestApp();
const o = await t.owner();
const inc = await t.api(o, 'POST', '/api/v1/incidents', { title: 'Fuzz target' });
assert.equal(inc.status, 201);

const routes = t.app.routes.filter((r) => r.method !== 'ALL' && !r.path.includes('*'));
const PARAMS = ['abc', '1', '00000000-0000-4000-8000-000000000000', 'INC-1', '%00', "x'or'1"];
const FIELDS = ['title', 'summary', 'severity', 'status', 'body', 'name', 'email', 'password', 'role', 'leadUserId', 'organizationName', 'orgId', 'next', 'confirm', 'enabled', 'autoCreate', 'ttlHours', 'endOnResolve'];

const paths = (pattern: string): string[] => {
  if (!pattern.includes(':')) return [pattern];
  return PARAMS.map((p) => pattern.replace(/:\w+/g, p));
};

async function send(m: Member, method: string, path: string, init: { body?: string; type?: string; accept?: string } = {}) {
  const headers: Record<string, string> = { cookie: `rf_session=${m.cookie}`, 'x-csrf-token': m.csrf, accept: init.accept ?? 'text/html' };
  if (init.type) headers['content-type'] = init.type;
  const res = await t.app.request(path, { method, headers, ...(init.body === undefined ? {} : { body: init.body }) });
  // A live-update stream never ends by itself: its status and first event are the answer.
  if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    const reader = res.body?.getReader();
    const first = await reader?.read();
    await reader?.cancel();
    return { status: res.status, text: new TextDecoder().decode(first?.value) };
  }
  return { status: res.status, text: await res.text() };
}

const nul = 'a\u0000b';
const bodies: { label: string; type: string; body: string }[] = [
  { label: 'form with NUL', type: 'application/x-www-form-urlencoded', body: new URLSearchParams(Object.fromEntries(FIELDS.map((f) => [f, nul]))).toString() },
  { label: 'JSON with NUL', type: 'application/json', body: JSON.stringify(Object.fromEntries(FIELDS.map((f) => [f, nul]))) },
  { label: 'broken multipart', type: 'multipart/form-data; boundary=zzz', body: '--zzz\r\nContent-Disposition: form-data; name="title"\r\n\r\nunterminated' },
  { label: 'multipart without boundary', type: 'multipart/form-data', body: 'title=x' },
  { label: 'broken JSON', type: 'application/json', body: '{"title": ' },
];

test('no route answers 500 to hostile path parameters, NUL characters or broken bodies', async () => {
  assert.ok(routes.length > 30, `the walk covers the app's routes (${routes.length})`);
  const failures: string[] = [];
  for (const r of routes) {
    for (const path of paths(r.path)) {
      if (path === '/sign-out' || path.endsWith('/disconnect')) continue; // would end the session or the connection mid-walk; covered below
      if (r.method === 'GET') {
        for (const accept of ['text/html', 'application/json']) {
          const res = await send(o, 'GET', path, { accept });
          if (res.status >= 500) failures.push(`GET ${path} (${accept}) → ${res.status}`);
        }
        continue;
      }
      for (const b of bodies) {
        const res = await send(o, r.method, path, { body: b.body, type: b.type, accept: path.startsWith('/api/') ? 'application/json' : 'text/html' });
        if (res.status >= 500) failures.push(`${r.method} ${path} (${b.label}) → ${res.status}`);
      }
    }
  }
  assert.deepEqual(failures, []);
});

test('the walk also leaves the data intact: the incident is still there and readable', async () => {
  const r = await t.api(o, 'GET', `/api/v1/incidents/${inc.json.incident.id}`);
  assert.equal(r.status, 200);
  assert.equal(r.json.incident.title, 'Fuzz target');
});

test('NUL characters are refused with the field and the reason', async () => {
  const r = await t.api(o, 'POST', '/api/v1/incidents', { title: 'bad\u0000title' });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, 'validation');
  assert.deepEqual(r.json.error.fields[0], { field: 'title', reason: 'must not contain NUL characters' });
  const form = await t.page(o, 'POST', '/incidents', { title: 'bad\u0000title' });
  assert.equal(form.status, 400);
  assert.match(form.text, /Title must not contain NUL characters/);
});

test('a broken multipart form is a 400 that says the form could not be read', async () => {
  const r = await send(o, 'POST', '/incidents', { type: 'multipart/form-data; boundary=zzz', body: '--zzz\r\ngarbage' });
  assert.equal(r.status, 400);
  assert.match(r.text, /form could not be read/);
});

test('ids that are not ids are "not found" or a field error, not a crash', async () => {
  const sw = await t.page(o, 'POST', '/organization/switch', { orgId: 'abc' });
  assert.equal(sw.status, 404);
  assert.match(sw.text, /That organization was not found|organization/);
  const rev = await t.page(o, 'POST', '/organization/invites/abc/revoke', {});
  assert.equal(rev.status, 404);
});

test('a method an address does not take is a 405 that names the ones it does, in the usual error format', async () => {
  const r = await t.api(o, 'PUT', '/api/v1/incidents', { title: 'x' });
  assert.equal(r.status, 405);
  assert.equal(r.json.error.code, 'method_not_allowed');
  assert.match(r.headers.get('allow') ?? '', /GET/);
  assert.match(r.headers.get('allow') ?? '', /POST/);
  const page = await t.page(o, 'GET', '/sign-out');
  assert.equal(page.status, 405);
  assert.match(page.text, /does not accept GET requests/);
  const unknown = await t.api(null, 'GET', '/api/v1/no-such-thing');
  assert.equal(unknown.status, 404, 'an address that does not exist at all is still a 404');
});

test('oversized bodies are refused with 413 before they are read: 1 MB for forms and the API, 64 KB for webhooks', async () => {
  const before = (await t.api(o, 'GET', '/api/v1/incidents')).json.total;
  const big = await t.api(o, 'POST', '/api/v1/incidents', { title: 'x', summary: 'y'.repeat(1024 * 1024) });
  assert.equal(big.status, 413);
  assert.equal(big.json.error.code, 'too_large');
  assert.equal(big.json.error.fields[0]?.field, 'body');
  const hook = await t.api(null, 'POST', '/webhooks/zoom', { event: 'meeting.ended', payload: { pad: 'z'.repeat(70 * 1024) } });
  assert.equal(hook.status, 413);
  assert.equal(hook.json.error.code, 'too_large');
  assert.equal((await t.api(o, 'GET', '/api/v1/incidents')).json.total, before, 'nothing was declared');
});

test('a webhook for an integration Runframe does not have is a 404 in the usual error format', async () => {
  const r = await t.api(null, 'POST', '/webhooks/slack', { event: 'x' });
  assert.equal(r.status, 404);
  assert.equal(r.json.error.code, 'not_found');
  assert.ok(r.json.error.requestId);
});
