import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import { buildApp } from '../../src/http/app.tsx';
import { meetingEventHandler } from '../../src/jobs/war-rooms.ts';
import { makeTestApp, PASSWORD, uniqueEmail } from '../support/app.ts';

const t = await makeTestApp();
// The setting as production derives it: an https PUBLIC_URL makes cookies Secure.
const { secureCookies } = loadConfig({ DATA_DIR: mkdtempSync(path.join(tmpdir(), 'rf-secure-')), PUBLIC_URL: 'https://runframe.example.com' });
const app = buildApp({ deps: t.deps, web: { secureCookies }, meetingEvents: meetingEventHandler });

/** Opens a form page and returns its CSRF token and the anonymous CSRF cookie the page set. */
async function formPage(pathname: string) {
  const res = await app.request(pathname, { headers: { accept: 'text/html' } });
  assert.equal(res.status, 200);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1] ?? '';
  const anon = /rf_csrf=([^;]+)/.exec(setCookie)?.[1] ?? '';
  assert.ok(csrf && anon, 'the form carries a CSRF token');
  return { csrf, anon, setCookie };
}

const post = (pathname: string, anon: string, form: Record<string, string>) =>
  app.request(pathname, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', cookie: `rf_csrf=${anon}` },
    body: new URLSearchParams(form).toString(),
  });

/** The attributes of one cookie in a Set-Cookie header, lower-cased. */
const attributesOf = (setCookie: string, name: string): string[] => {
  const cookie = setCookie.split(/,\s*(?=[A-Za-z_]+=)/).find((c) => c.trim().startsWith(`${name}=`));
  assert.ok(cookie, `Set-Cookie carries ${name}: ${setCookie}`);
  return cookie.split(';').slice(1).map((a) => a.trim().toLowerCase());
};

const assertLocked = (setCookie: string, name: string) => {
  const attrs = attributesOf(setCookie, name);
  assert.ok(attrs.includes('secure'), `${name} is Secure: ${attrs.join('; ')}`);
  assert.ok(attrs.includes('httponly'), `${name} is HttpOnly: ${attrs.join('; ')}`);
  assert.ok(attrs.includes('samesite=lax'), `${name} is SameSite=Lax: ${attrs.join('; ')}`);
};

test('with an https PUBLIC_URL the session cookie set on sign-in is Secure, HttpOnly and SameSite=Lax', async () => {
  assert.equal(secureCookies, true);
  const o = await t.owner();
  const { csrf, anon, setCookie: formCookie } = await formPage('/sign-in');
  assertLocked(formCookie, 'rf_csrf');
  const res = await post('/sign-in', anon, { _csrf: csrf, email: o.email, password: PASSWORD });
  assert.equal(res.status, 303);
  assertLocked(res.headers.get('set-cookie') ?? '', 'rf_session');
});

test('with an https PUBLIC_URL sign-up sets no session (signing in follows, with the Secure cookie above)', async () => {
  const { csrf, anon, setCookie } = await formPage('/sign-up');
  assertLocked(setCookie, 'rf_csrf');
  const email = uniqueEmail('sam');
  const res = await post('/sign-up', anon, { _csrf: csrf, name: 'Sam Secure', email, password: PASSWORD, organizationName: 'Secure Co' });
  assert.equal(res.status, 200);
  assert.doesNotMatch(res.headers.get('set-cookie') ?? '', /rf_session=/);
  const signedIn = await post('/sign-in', anon, { _csrf: csrf, email, password: PASSWORD });
  assert.equal(signedIn.status, 303);
  assertLocked(signedIn.headers.get('set-cookie') ?? '', 'rf_session');
});
