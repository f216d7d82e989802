import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { BASIC_ID, HOST_ID, REDIRECT, api, connect, startSandbox, testApp, type Running } from './helpers.ts';

const SANDBOX_LABEL = /Zoom sandbox — not Zoom/;

function assertAccessibleBasics(html: string): void {
  assert.match(html, SANDBOX_LABEL);
  assert.match(html, /<html lang="en">/);
  assert.match(html, /<main id="main">/);
  assert.match(html, /:focus-visible\{outline:3px/);
  assert.doesNotMatch(html, /<link [^>]*stylesheet|<script [^>]*src=|https?:\/\/(cdn|fonts)\./, 'no external assets');
  // Every form control has a label: checkboxes are wrapped in <label>, selects use for=.
  for (const m of html.matchAll(/<select id="([^"]+)"/g)) assert.match(html, new RegExp(`<label for="${m[1]}">`));
}

describe('Zoom sandbox pages', () => {
  let s: Running;
  beforeEach(async () => {
    s = await startSandbox();
    await s.sandbox.registerApp(testApp());
  });
  afterEach(() => s.close());

  const consent = async () => {
    const q = new URLSearchParams({ response_type: 'code', client_id: 'rf-client', redirect_uri: REDIRECT, state: 's' });
    const res = await fetch(`${s.url}/oauth/authorize?${q}`);
    assert.equal(res.status, 200);
    return res.text();
  };

  it('the consent page names the app, lists tickable scopes, the signing-in user, Allow and Decline', async () => {
    const html = await consent();
    assertAccessibleBasics(html);
    assert.match(html, /<h1>Authorize Runframe<\/h1>/);
    assert.match(html, /<option value="sandboxHostUser0000001" selected>Sandy Host &lt;host@sandbox\.zoom\.test&gt;/);
    assert.match(html, /basic@sandbox\.zoom\.test&gt; — cannot host meetings/);
    const writeBox = /<label class="scope"><input type="checkbox" id="scope-\d" name="scope" value="meeting:write:meeting" checked aria-describedby="scope-hint">/;
    assert.match(html, writeBox, 'meeting:write:meeting is pre-ticked and can be unticked');
    assert.doesNotMatch(html, /<input [^>]*disabled/);
    assert.match(html, /<button type="submit" name="decision" value="allow">Allow<\/button>/);
    assert.match(html, /<button type="submit" name="decision" value="decline" class="secondary">Decline<\/button>/);
  });

  it('required scopes are shown ticked and cannot be unticked', async () => {
    await s.sandbox.registerApp(testApp({ scopes: ['user:read:user'], optionalScopes: ['meeting:write:meeting'] }));
    const html = await consent();
    assert.match(html, /checked disabled aria-describedby="scope-hint"> View your user information <code>user:read:user<\/code> \(required\)/);
    assert.match(html, /name="scope" value="meeting:write:meeting" checked aria-describedby/);
  });

  it('the meeting page shows the topic, lets a participant join, and offers host controls', async () => {
    const t = await connect(s);
    const m = (await api(s, t.access_token, 'POST', '/v2/users/me/meetings', { topic: 'SEV0 <all hands>' })).json ?? {};
    const page = await (await fetch(String(m.join_url))).text();
    assertAccessibleBasics(page);
    assert.match(page, /<h1>SEV0 &lt;all hands&gt;<\/h1>/, 'topic shown and escaped');
    assert.match(page, />Join as participant<\/button>/);
    assert.match(page, />Start meeting<\/button>/);
    assert.match(page, /Waiting for the host/);
    const pwd = new URL(String(m.join_url)).searchParams.get('pwd') ?? '';
    // Created without join before host: a participant waits for the host.
    const waiting = await (await fetch(`${s.url}/j/${m.id}/join`, { method: 'POST', body: new URLSearchParams({ pwd }) })).text();
    assert.match(waiting, /The host has not started this meeting yet, and it does not allow joining before the host\./);
    const started = await fetch(`${s.url}/j/${m.id}/start`, { method: 'POST', body: new URLSearchParams({ pwd }) });
    assert.equal(started.status, 200, 'the redirect lands back on the meeting page');
    const after = await started.text();
    assert.match(after, /In progress · 1 participant/);
    assert.match(after, /You are in the meeting as Host\./);
    assert.match(after, />Leave meeting</);
    assert.match(after, /<button type="submit" disabled>Start meeting<\/button>/);
    const host = await fetch(String(m.start_url));
    assert.match(await host.text(), /You opened the host link/);
  });

  it('an unknown meeting link shows a sandbox 404 page', async () => {
    const res = await fetch(`${s.url}/j/99999999999`);
    assert.equal(res.status, 404);
    assert.match(await res.text(), SANDBOX_LABEL);
  });

  it('the Marketplace has Manage, then Added Apps (two steps, as the guide says), with a user picker that lists only that user\'s apps', async () => {
    const home = await (await fetch(`${s.url}/marketplace`)).text();
    assertAccessibleBasics(home);
    assert.match(home, /href="\/marketplace\/manage">Manage</);
    assert.doesNotMatch(home, /added-apps/, 'Added Apps is under Manage, not on the Marketplace home');
    const manage = await (await fetch(`${s.url}/marketplace/manage`)).text();
    assertAccessibleBasics(manage);
    assert.match(manage, /<h1>Manage<\/h1>/);
    assert.match(manage, /href="\/marketplace\/manage\/added-apps">Added Apps</);
    await connect(s);
    const hostView = await (await fetch(`${s.url}/marketplace/manage/added-apps`)).text();
    assertAccessibleBasics(hostView);
    assert.match(hostView, /<h1>Added Apps<\/h1>/);
    assert.match(hostView, /<h3 id="app-0">Runframe<\/h3>/);
    assert.match(hostView, /aria-describedby="app-0">Remove<\/button>/);
    const basicView = await (await fetch(`${s.url}/marketplace/manage/added-apps?user=${BASIC_ID}`)).text();
    assert.match(basicView, /No apps added\./);
    assert.match(basicView, new RegExp(`<option value="${BASIC_ID}" selected>`));
    assert.doesNotMatch(basicView, new RegExp(`<option value="${HOST_ID}" selected>`));
  });

  it('the consent page redirects to the exact registered URI with query parameters kept', async () => {
    const withQuery = 'http://runframe.test/cb?org=42';
    await s.sandbox.registerApp(testApp({ redirectUris: [withQuery] }));
    const form = new URLSearchParams({ client_id: 'rf-client', redirect_uri: withQuery, state: 'abc', user_id: HOST_ID, decision: 'allow' });
    const res = await fetch(`${s.url}/oauth/authorize/decision`, { method: 'POST', body: form, redirect: 'manual' });
    const loc = new URL(res.headers.get('location') ?? '');
    assert.equal(loc.searchParams.get('org'), '42');
    assert.equal(loc.searchParams.get('state'), 'abc');
    assert.ok(loc.searchParams.get('code'));
  });

  it('a forged decision with an unregistered redirect_uri is refused', async () => {
    const form = new URLSearchParams({ client_id: 'rf-client', redirect_uri: 'http://evil.test/cb', user_id: HOST_ID, decision: 'allow' });
    const res = await fetch(`${s.url}/oauth/authorize/decision`, { method: 'POST', body: form, redirect: 'manual' });
    assert.equal(res.status, 400);
    const missing = await fetch(`${s.url}/oauth/authorize/decision`, { method: 'POST', body: new URLSearchParams({}), redirect: 'manual' });
    assert.equal(missing.status, 400);
    assert.match(await missing.text(), SANDBOX_LABEL);
  });
});

describe('Zoom sandbox mounted under a base path', () => {
  let s: Running;
  beforeEach(async () => {
    s = await startSandbox({ basePath: '/zoom-sandbox' });
    await s.sandbox.registerApp(testApp());
  });
  afterEach(() => s.close());

  it('serves OAuth, REST and pages under the base path, with links that stay under it', async () => {
    assert.match(s.url, /\/zoom-sandbox$/);
    const t = await connect(s);
    assert.equal(t.api_url, s.url);
    const m = (await api(s, t.access_token, 'POST', '/v2/users/me/meetings', { topic: 'mounted' })).json ?? {};
    assert.match(String(m.join_url), new RegExp(`^${s.url}/j/`));
    const page = await (await fetch(String(m.join_url))).text();
    assert.match(page, new RegExp(`action="/zoom-sandbox/j/${m.id}/join"`));
    const market = await (await fetch(`${s.url}/marketplace/manage/added-apps`)).text();
    assert.match(market, /action="\/zoom-sandbox\/marketplace\/manage\/added-apps\/rf-client\/remove"/);
    const root = new URL(s.url);
    const outside = await fetch(`${root.origin}/v2/users/me`);
    assert.equal(outside.status, 404);
  });
});
