import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { CONSUMER, WORKSPACE, api, authorizeUrl, clientCreds, connect, errorOf, startSandbox, tokenRequest, type Running } from './helpers.ts';

const LABEL = /Google sandbox — not Google/;

function assertAccessibleBasics(html: string): void {
  assert.match(html, LABEL);
  assert.match(html, /<html lang="en">/);
  assert.match(html, /<main id="main">/);
  assert.match(html, /:focus-visible\{outline:3px/);
  assert.doesNotMatch(html, /<link [^>]*stylesheet|<script [^>]*src=|https?:\/\/(cdn|fonts)\./, 'no external assets');
  for (const m of html.matchAll(/<(?:select|input) id="([^"]+)"(?! [^>]*type="(?:hidden|checkbox)")/g)) assert.match(html, new RegExp(`<label for="${m[1]}">`), `label for ${m[1]}`);
}

type Space = { name: string; meetingCode: string; meetingUri: string };

describe('Google sandbox pages', () => {
  let s: Running;
  beforeEach(async () => {
    s = await startSandbox();
  });
  afterEach(() => s.close());

  it('the consent page names the app, offers the accounts, fixed identity scopes, an untickable Meet scope, Allow and Cancel', async () => {
    const html = await (await fetch(authorizeUrl(s))).text();
    assertAccessibleBasics(html);
    assert.match(html, /<h1>Runframe wants access to your Google Account<\/h1>/);
    assert.match(html, new RegExp(`<option value="${WORKSPACE}" selected>Alex Oncall &lt;oncall@workspace\\.sandbox\\.google\\.test&gt;`));
    assert.match(html, /casey@gmail\.sandbox\.google\.test&gt; — personal account/);
    assert.match(html, /nomeet@workspace\.sandbox\.google\.test&gt; — Meet turned off by the admin/);
    assert.match(html, /<p class="scope">See your primary Google Account email address <code>email<\/code><\/p>/, 'identity scopes have no checkbox');
    assert.match(html, /<input type="checkbox" id="scope-0" name="scope" value="https:\/\/www\.googleapis\.com\/auth\/meetings\.space\.created" checked/);
    assert.match(html, /<button type="submit" name="decision" value="allow">Allow<\/button>/);
    assert.match(html, /<button type="submit" name="decision" value="cancel" class="secondary">Cancel<\/button>/);
  });

  it('the join URI opens the meeting page; Join starts a conference and the last one to leave ends it', async () => {
    const t = await connect(s);
    const sp = (await api(s, t.access_token, 'POST', '/v2/spaces', { config: { accessType: 'OPEN' } })).json as unknown as Space;
    const page = await (await fetch(sp.meetingUri)).text();
    assertAccessibleBasics(page);
    assert.match(page, new RegExp(`<h1>Meeting ${sp.meetingCode}</h1>`));
    assert.match(page, /Open: anyone with the link can join without asking\./);
    assert.match(page, /No one is in this call yet\./);
    const join = await fetch(`${sp.meetingUri}/join`, { method: 'POST', body: new URLSearchParams({ display_name: 'Ada <SRE>', account: 'guest' }) });
    assert.equal(join.status, 200, 'the 303 lands back on the meeting page');
    const inCall = await join.text();
    assert.match(inCall, /You are in the call as Ada &lt;SRE&gt;\./, 'name shown and escaped');
    assert.match(inCall, />Leave call<\/button>/);
    const live = (await api(s, t.access_token, 'GET', `/v2/${sp.name}`)).json as { activeConference?: { conferenceRecord: string } };
    assert.ok(live.activeConference, 'the API sees the conference');
    const participant = /name="participant" value="([^"]+)"/.exec(inCall)?.[1] ?? '';
    const left = await (await fetch(`${sp.meetingUri}/leave`, { method: 'POST', body: new URLSearchParams({ participant }) })).text();
    assert.match(left, /You left the meeting\./);
    const rec = (await api(s, t.access_token, 'GET', `/v2/conferenceRecords?filter=${encodeURIComponent(`space.name = "${sp.name}"`)}`)).json as { conferenceRecords: Array<{ endTime?: string }> };
    assert.ok(rec.conferenceRecords[0]?.endTime, 'the conference ended when the last person left');
  });

  it('in a TRUSTED space an outsider must knock and waits while no one is inside; an organization member walks in', async () => {
    const t = await connect(s);
    const sp = (await api(s, t.access_token, 'POST', '/v2/spaces', { config: { accessType: 'TRUSTED' } })).json as unknown as Space;
    const knock = await (await fetch(`${sp.meetingUri}/join`, { method: 'POST', body: new URLSearchParams({ display_name: 'Vendor', account: CONSUMER }) })).text();
    assert.match(knock, /You asked to join\. No one in the call can let you in yet/);
    assert.equal(((await api(s, t.access_token, 'GET', `/v2/${sp.name}`)).json as { activeConference?: unknown }).activeConference, undefined);
    const member = await fetch(`${sp.meetingUri}/join`, { method: 'POST', body: new URLSearchParams({ display_name: 'Alex', account: WORKSPACE }) });
    assert.match(await member.text(), /You are in the call as Alex\./);
    const guest = await fetch(`${sp.meetingUri}/join`, { method: 'POST', body: new URLSearchParams({ display_name: 'Vendor', account: 'guest' }) });
    assert.match(await guest.text(), /You are in the call as Vendor\./, 'admitted by someone inside');
  });

  it('an unknown meeting code shows a labelled 404 page', async () => {
    const res = await fetch(`${s.url}/meet/aaa-bbbb-ccc`);
    assert.equal(res.status, 404);
    assert.match(await res.text(), LABEL);
  });

  it('"Third-party apps with account access" lists the app; Remove access ends the grant (invalid_grant, 401)', async () => {
    const t = await connect(s);
    const list = await (await fetch(`${s.url}/myaccount/connections?account=${WORKSPACE}`)).text();
    assertAccessibleBasics(list);
    assert.match(list, /<h1>Third-party apps with account access<\/h1>/);
    assert.match(list, /<h3 id="app-0">Runframe<\/h3>/);
    assert.match(list, /Create, edit, and see information about your Google Meet conferences created by the app\./);
    assert.match(list, /aria-describedby="app-0">Remove access<\/button>/);
    const other = await (await fetch(`${s.url}/myaccount/connections?account=${CONSUMER}`)).text();
    assert.match(other, /No third-party apps have access to this account\./);
    const confirm = await (await fetch(`${s.url}/myaccount/connections/${encodeURIComponent('rf-client.apps.googleusercontent.com')}/remove?account=${WORKSPACE}`)).text();
    assertAccessibleBasics(confirm);
    assert.match(confirm, /<h1>Remove Runframe's access\?<\/h1>/);
    const done = await fetch(`${s.url}/myaccount/connections/${encodeURIComponent('rf-client.apps.googleusercontent.com')}/remove`, { method: 'POST', body: new URLSearchParams({ account: WORKSPACE }) });
    const after = await done.text();
    assert.match(after, /Runframe no longer has access to your account\./);
    assert.match(after, /No third-party apps have access to this account\./);
    const r = await tokenRequest(s, { grant_type: 'refresh_token', refresh_token: t.refresh_token ?? '', ...clientCreds() });
    assert.deepEqual(r.json, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    assert.deepEqual(errorOf((await api(s, t.access_token, 'POST', '/v2/spaces', {})).json), [401, 'UNAUTHENTICATED']);
  });

  it('a Remove access form without an account removes nothing', async () => {
    await connect(s);
    const res = await fetch(`${s.url}/myaccount/connections/${encodeURIComponent('rf-client.apps.googleusercontent.com')}/remove`, { method: 'POST', body: new URLSearchParams({}) });
    assert.equal(res.status, 404);
    const grants = (await s.control<{ grants: Array<{ revokedAt: string | null }> }>('GET', '/grants')).json.grants;
    assert.deepEqual(grants.map((g) => g.revokedAt), [null]);
  });
});

describe('Google sandbox mounted under a base path', () => {
  let s: Running;
  afterEach(() => s.close());

  it('serves OAuth, Meet and pages under the base path, with links that stay under it', async () => {
    s = await startSandbox({ basePath: '/google-sandbox' });
    assert.match(s.url, /\/google-sandbox$/);
    const t = await connect(s);
    const sp = (await api(s, t.access_token, 'POST', '/v2/spaces', {})).json as unknown as Space;
    assert.match(sp.meetingUri, new RegExp(`^${s.url}/meet/`));
    const page = await (await fetch(sp.meetingUri)).text();
    assert.match(page, new RegExp(`action="/google-sandbox/meet/${sp.meetingCode}/join"`));
    const consent = await (await fetch(authorizeUrl(s))).text();
    assert.match(consent, /action="\/google-sandbox\/o\/oauth2\/v2\/auth\/decision"/);
    const outside = await fetch(`${new URL(s.url).origin}/v2/spaces`, { method: 'POST' });
    assert.equal(outside.status, 404);
  });
});
