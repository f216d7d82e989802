import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTestApp } from '../support/app.ts';

const t = await makeTestApp();
const o = await t.owner();
const count = async () => (await t.api(o, 'GET', '/api/v1/incidents')).json.total as number;
const first = await t.api(o, 'POST', '/api/v1/incidents', { title: 'Base incident' });
const id = first.json.incident.id as string;

const refused = async (method: string, path: string, body: unknown, field: string, reason: RegExp, headers: Record<string, string> = {}) => {
  const r = await t.api(o, method, path, body, headers);
  assert.equal(r.status, 400, `${method} ${path} ${JSON.stringify(body)} answered ${r.status} ${r.text}`);
  assert.equal(r.json.error.code, 'validation');
  const f = (r.json.error.fields as { field: string; reason: string }[]).find((x) => x.field === field);
  assert.ok(f, `no problem reported for ${field}: ${r.text}`);
  assert.match(f.reason, reason);
  assert.ok(r.json.error.requestId);
  assert.ok(!r.text.includes('    at '), 'no stack trace');
};

test('declaring: every bad field gets a 400 naming the field and the reason, and nothing is written', async () => {
  const before = await count();
  await refused('POST', '/api/v1/incidents', {}, 'title', /required/);
  await refused('POST', '/api/v1/incidents', { title: '   ' }, 'title', /required/);
  await refused('POST', '/api/v1/incidents', { title: 'x'.repeat(201) }, 'title', /at most 200/);
  await refused('POST', '/api/v1/incidents', { title: 42 }, 'title', /required|string/);
  await refused('POST', '/api/v1/incidents', { title: 'ok', severity: 'SEV9' }, 'severity', /SEV0, SEV1, SEV2, SEV3, SEV4/);
  await refused('POST', '/api/v1/incidents', { title: 'ok', summary: 'x'.repeat(10_001) }, 'summary', /at most 10,000/);
  await refused('POST', '/api/v1/incidents', { title: 'ok', leadUserId: 'bob' }, 'leadUserId', /member/);
  await refused('POST', '/api/v1/incidents', '{"title": ', 'body', /not valid JSON/);
  await refused('POST', '/api/v1/incidents', { title: 'ok' }, 'Idempotency-Key', /printable/, { 'idempotency-key': 'has space' });
  const wrongType = await t.api(o, 'POST', '/api/v1/incidents', 'title=Hello', { 'content-type': 'text/plain' });
  assert.equal(wrongType.status, 400);
  assert.equal(wrongType.json.error.fields[0]?.field, 'body');
  assert.equal(await count(), before, 'no incident was half-written');
  const ok = await t.api(o, 'POST', '/api/v1/incidents', { title: 'x'.repeat(200) });
  assert.equal(ok.status, 201, 'exactly 200 characters is fine');
});

test('changes: unknown values and illegal transitions are refused with the field', async () => {
  await refused('POST', `/api/v1/incidents/${id}/status`, { status: 'done' }, 'status', /one of investigating/);
  await refused('POST', `/api/v1/incidents/${id}/status`, { status: 'closed' }, 'status', /cannot change from investigating to closed/);
  await refused('POST', `/api/v1/incidents/${id}/severity`, {}, 'severity', /SEV0/);
  await refused('POST', `/api/v1/incidents/${id}/severity`, { severity: 'SEV2' }, 'severity', /already SEV2/);
  await refused('POST', `/api/v1/incidents/${id}/lead`, { leadUserId: 7 }, 'leadUserId', /member/);
  await refused('POST', `/api/v1/incidents/${id}/notes`, { body: '' }, 'body', /required/);
  await refused('POST', `/api/v1/incidents/${id}/notes`, { body: 'x'.repeat(5001) }, 'body', /at most 5,000/);
  const tl = await t.api(o, 'GET', `/api/v1/incidents/${id}/timeline`);
  assert.equal(tl.json.entries.length, 1, 'only the declaration is on the timeline');
});

test('queries: bad filters and pages are 400s, unknown ids are 404s', async () => {
  await refused('GET', '/api/v1/incidents?status=sleeping', undefined, 'status', /active, inactive or a status/);
  await refused('GET', '/api/v1/incidents?severity=high', undefined, 'severity', /SEV0/);
  await refused('GET', '/api/v1/incidents?page=0', undefined, 'page', /1 or more/);
  await refused('GET', '/api/v1/incidents?perPage=1000', undefined, 'perPage', /at most 100/);
  await refused('GET', '/api/v1/incidents?page=abc', undefined, 'page', /number/);
  await refused('GET', '/api/v1/audit-log?action=DROP%20TABLE', undefined, 'action', /entity\.verb/);
  for (const ref of ['INC-999', '00000000-0000-4000-8000-000000000000', 'nonsense', "1'or'1"]) {
    const r = await t.api(o, 'GET', `/api/v1/incidents/${encodeURIComponent(ref)}`);
    assert.equal(r.status, 404, ref);
  }
  const missing = await t.api(o, 'GET', '/api/v1/nothing-here');
  assert.equal(missing.status, 404);
  assert.equal(missing.json.error.code, 'not_found');
});

test('forms show the field and the reason, keep what was typed, and write nothing', async () => {
  const before = await count();
  const r = await t.page(o, 'POST', '/incidents', { title: '', severity: 'SEV1', summary: 'keep me' });
  assert.equal(r.status, 400);
  assert.match(r.text, /<li>Title is required<\/li>/);
  assert.match(r.text, /keep me/);
  const sev = await t.page(o, 'POST', '/incidents', { title: 'x', severity: 'SEV7' });
  assert.equal(sev.status, 400);
  assert.match(sev.text, /<li>Severity must be one of SEV0/);
  const tr = await t.page(o, 'POST', `/incidents/1/status`, { status: 'closed' });
  assert.equal(tr.status, 400);
  assert.match(tr.text, /INC-1 cannot go from Investigating to Closed/);
  assert.equal(await count(), before);
  const signUp = await t.page(null, 'GET', '/sign-up');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(signUp.text)?.[1] ?? '';
  const cookie = /rf_csrf=([^;]+)/.exec(signUp.headers.get('set-cookie') ?? '')?.[1] ?? '';
  const res = await t.app.request('/sign-up', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `rf_csrf=${cookie}`, accept: 'text/html' },
    body: new URLSearchParams({ _csrf: csrf, name: 'Sam', email: 'sam@example.com', password: 'short', organizationName: 'S' }).toString(),
  });
  assert.equal(res.status, 400);
  const text = await res.text();
  assert.match(text, /must be at least 12 characters/);
  assert.match(text, /value="sam@example.com"/);
});

/** Posts the sign-up form as a browser would (anonymous CSRF cookie and field). */
async function postSignUp(fields: Record<string, string>) {
  const form = await t.page(null, 'GET', '/sign-up');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1] ?? '';
  const cookie = /rf_csrf=([^;]+)/.exec(form.headers.get('set-cookie') ?? '')?.[1] ?? '';
  const res = await t.app.request('/sign-up', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `rf_csrf=${cookie}`, accept: 'text/html' },
    body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
  });
  return { status: res.status, text: (await res.text()).replace(/&#39;|&rsquo;/g, "'") };
}
const alertOf = (html: string) => /<div class="alert error" role="alert">([\s\S]*?)<\/div>/.exec(html)?.[1] ?? '';
const items = (html: string) => [...alertOf(html).matchAll(/<li>(?:<a href="#([^"]+)">)?([^<]*)/g)].map((m) => [m[1] ?? '', m[2] ?? '']);

test('sign-up checks every field in one round, names them as the form labels do, and the heading does not repeat the list', async () => {
  const empty = await postSignUp({ name: '', email: '', password: '', organizationName: '' });
  assert.equal(empty.status, 400);
  assert.deepEqual(items(empty.text), [
    ['name', 'Your name is required'],
    ['email', 'Work email is required'],
    ['password', 'Password must be at least 12 characters'],
    ['organizationName', 'Organization name is required'],
  ]);
  assert.match(alertOf(empty.text), /<strong>There are 4 problems with the form<\/strong>/);
  assert.doesNotMatch(empty.text, /organizationName:|name: is required/, 'no field names from the code');

  // The organization name is reported with the others, not only once they pass.
  const two = await postSignUp({ name: 'Sam', email: 'not-an-email', password: 'correct horse battery', organizationName: '  ' });
  assert.deepEqual(items(two.text).map(([f]) => f), ['email', 'organizationName']);
  const one = await postSignUp({ name: 'Sam', email: 'sam2@example.com', password: 'correct horse battery', organizationName: '' });
  assert.match(alertOf(one.text), /<strong>There is a problem with the form<\/strong>/);
  assert.match(one.text, /class="err" id="organizationName-err">Organization name is required</, 'the field says it too');
});
