import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildApp } from '../../src/http/app.tsx';
import { CONTENT_SECURITY_POLICY } from '../../src/http/middleware.ts';
import { meetingEventHandler } from '../../src/jobs/war-rooms.ts';
import { createZoomSandbox } from '../../src/zoom-sandbox/index.ts';
import { makeTestApp, PASSWORD, uniqueEmail } from '../support/app.ts';

const t = await makeTestApp();
const o = await t.owner();
const sandbox = createZoomSandbox({ basePath: '/zoom-sandbox', publicUrl: 'http://runframe.test/zoom-sandbox' });
// As production mounts it (demo mode), and with an https PUBLIC_URL.
const https = buildApp({ deps: t.deps, web: { secureCookies: true }, meetingEvents: meetingEventHandler, mounts: [{ prefix: '/zoom-sandbox', fetch: (req, env) => sandbox.app.fetch(req, env) }] });

const asOwner = { cookie: `rf_session=${o.cookie}`, accept: 'text/html' };

test('every answer carries the security headers: pages, API, errors, static assets, /healthz and /readyz', async () => {
  const answers: [string, Response][] = [
    ['/healthz', await t.app.request('/healthz')],
    ['/readyz', await t.app.request('/readyz')],
    ['/assets/app.css', await t.app.request('/assets/app.css')],
    ['/assets/war-room.js', await t.app.request('/assets/war-room.js')],
    ['/sign-in', await t.app.request('/sign-in', { headers: { accept: 'text/html' } })],
    ['/incidents', await t.app.request('/incidents', { headers: asOwner })],
    ['API', await t.app.request('/api/v1/incidents', { headers: { authorization: `Bearer ${o.token}` } })],
    ['404', await t.app.request('/nowhere', { headers: { accept: 'text/html' } })],
    ['405', await t.app.request('/healthz', { method: 'DELETE' })],
  ];
  for (const [name, res] of answers) {
    assert.equal(res.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY, name);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', name);
    assert.equal(res.headers.get('x-frame-options'), 'DENY', name);
    assert.equal(res.headers.get('referrer-policy'), 'same-origin', name);
    assert.equal(res.headers.get('strict-transport-security'), null, `${name}: no HSTS on an http PUBLIC_URL`);
  }
  assert.match(CONTENT_SECURITY_POLICY, /default-src 'self'/);
  assert.match(CONTENT_SECURITY_POLICY, /frame-ancestors 'none'/);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-inline|unsafe-eval/);
});

test('authenticated pages and API answers are never stored by a cache; static assets still are', async () => {
  for (const [name, res] of [
    ['incident list', await t.app.request('/incidents', { headers: asOwner })],
    ['API tokens page', await t.app.request('/settings/api-tokens', { headers: asOwner })],
    ['members page (invite links)', await t.app.request('/organization/members', { headers: asOwner })],
    ['API', await t.app.request('/api/v1/incidents', { headers: { authorization: `Bearer ${o.token}` } })],
    ['API error', await t.app.request('/api/v1/incidents/INC-999', { headers: { authorization: `Bearer ${o.token}` } })],
  ] as const) {
    assert.notEqual(res.status, 500, name);
    assert.equal(res.headers.get('cache-control'), 'no-store', name);
  }
  assert.equal((await t.app.request('/assets/app.css')).headers.get('cache-control'), 'public, max-age=300');
});

test('with an https PUBLIC_URL every answer carries Strict-Transport-Security, the sandbox’s included', async () => {
  for (const path of ['/healthz', '/assets/app.css', '/sign-in', '/zoom-sandbox/marketplace']) {
    const res = await https.request(path, { headers: { accept: 'text/html' } });
    assert.equal(res.headers.get('strict-transport-security'), 'max-age=31536000', path);
  }
});

test('the sandbox pages have a policy of their own: no script at all, their one stylesheet by hash, no framing', async () => {
  const res = await https.request('/zoom-sandbox/marketplace', { headers: { accept: 'text/html' } });
  assert.equal(res.status, 200);
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'none'/);
  assert.match(csp, /style-src 'sha256-[A-Za-z0-9+/=]+'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
});

test('Runframe’s pages hold no inline script and no inline style that the policy would block', async () => {
  const incident = await t.api(o, 'POST', '/api/v1/incidents', { title: 'Checkout is down', severity: 'SEV1', summary: 'Payments fail' });
  assert.equal(incident.status, 201);
  for (const path of ['/sign-in', '/sign-up', '/incidents', '/incidents/new', `/incidents/${incident.json.incident.number}`, '/organization/members', '/organization/integrations', '/organization/audit', '/settings/api-tokens']) {
    const res = await t.app.request(path, { headers: path.startsWith('/sign') ? { accept: 'text/html' } : asOwner });
    assert.equal(res.status, 200, path);
    const html = await res.text();
    assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/, `${path}: inline script`);
    assert.doesNotMatch(html, /\sstyle="/, `${path}: inline style attribute`);
    assert.doesNotMatch(html, /<style/, `${path}: inline stylesheet`);
    assert.doesNotMatch(html, /\son[a-z]+="/, `${path}: inline event handler`);
  }
});

test('sign-up answers a taken email exactly as a new one: no account is revealed, no session is set', async () => {
  const form = await t.app.request('/sign-up', { headers: { accept: 'text/html' } });
  const anon = /rf_csrf=([^;]+)/.exec(form.headers.get('set-cookie') ?? '')?.[1] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const signUp = (email: string) =>
    t.app.request('/sign-up', {
      method: 'POST',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', cookie: `rf_csrf=${anon}` },
      body: new URLSearchParams({ _csrf: csrf, name: 'Mallory', email, password: 'a long password!', organizationName: 'Probe Co' }).toString(),
    });
  const fresh = uniqueEmail('fresh');
  const [taken, created] = [await signUp(o.email), await signUp(fresh)];
  assert.equal(taken.status, created.status);
  assert.equal(taken.status, 200);
  assert.equal(taken.headers.get('set-cookie'), created.headers.get('set-cookie'));
  const [takenHtml, createdHtml] = [await taken.text(), await created.text()];
  assert.equal(takenHtml.replace(o.email, 'EMAIL'), createdHtml.replace(fresh, 'EMAIL'));
  assert.match(createdHtml, /Sign in to Runframe/);
  // The taken account is untouched; the new one works.
  assert.equal((await t.page(null, 'GET', '/')).status, 303);
  const owner = await t.app.request('/sign-in', {
    method: 'POST',
    headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', cookie: `rf_csrf=${anon}` },
    body: new URLSearchParams({ _csrf: csrf, email: o.email, password: PASSWORD }).toString(),
  });
  assert.equal(owner.status, 303, 'the owner’s password still works');
});
