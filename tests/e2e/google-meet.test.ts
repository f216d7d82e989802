// The Google Meet journeys of issue 14 in Chromium, in demo mode: "Google" is the built-in Google
// sandbox at /google-sandbox, "Zoom" the Zoom sandbox. Connect Google Meet, the chooser with Zoom also
// connected (each choice makes its own kind of war room), the troubleshooting rows, removal on
// Google's side (Third-party apps with account access › Remove access) and Disconnect.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { failOnConsoleError } from '../support/console-guard.ts';
import { launchBrowser, screenshot, type TestBrowser } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { acceptInvite, connectZoom, createInviteLink, declareIncident, openIntegrationsHub, signIn, signUpOwner, warRoomSection, Journey, type Person } from '../support/journeys.ts';

failOnConsoleError();

const PASSWORD = 'correct horse battery staple';
const OWNER: Person = { name: 'Gwen Owner', email: `gwen-meet-${process.pid}@example.com`, password: PASSWORD };
const RESPONDER: Person = { name: 'Rory Responder', email: `rory-meet-${process.pid}@example.com`, password: PASSWORD };
const MEET_SCOPE = 'https://www.googleapis.com/auth/meetings.space.created';
const WORKSPACE_EMAIL = 'oncall@workspace.sandbox.google.test';
const NO_MEET_SUB = '100000000000000000003';
const SANDBOX = '/google-sandbox';

let server: TestServer;
let browser: TestBrowser;
const j = new Journey(
  () => browser,
  () => server.url,
);
let owner: Page;
const shot = (page: Page, name: string) => screenshot(page, `google-meet-${name}`);

const meetCard = (page: Page): Locator => page.getByRole('region', { name: 'Communication' }).getByRole('article', { name: 'Google Meet' });
const banner = (page: Page, text: string) => page.getByRole('main').locator('.alert').filter({ hasText: text });
const isHub = (u: URL) => u.pathname === '/organization/integrations';
const isConsent = (u: URL) => u.pathname === `${SANDBOX}/o/oauth2/v2/auth`;

async function status(page: Page): Promise<string> {
  const card = meetCard(page);
  await card.waitFor();
  return (await card.getAttribute('data-status')) ?? '';
}

async function googleControl(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${server.url}${SANDBOX}/_control${path}`, {
    method,
    headers: { 'x-google-sandbox-control-token': server.runframe.googleSandboxControlToken ?? '', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return text ? (JSON.parse(text) as unknown) : null;
}

/** Connect (or Reconnect) on the Google Meet card, to the sandbox's consent page. */
async function clickConnect(page: Page, button: 'Connect' | 'Reconnect' = 'Connect'): Promise<void> {
  await meetCard(page).getByRole('button', { name: button, exact: true }).click();
  await page.waitForURL(isConsent);
  await page.getByRole('heading', { level: 1, name: 'Runframe wants access to your Google Account' }).waitFor();
  assert.match(await page.getByRole('banner').innerText(), /Google sandbox — not Google/);
}

/** Google's consent page: an account, the Meet permission kept or unticked, Allow or Cancel; back on the hub. */
async function consent(page: Page, o: { account?: string; untickMeet?: boolean; decision?: 'Allow' | 'Cancel' } = {}): Promise<void> {
  if (o.account) await page.getByLabel('Sandbox Google account').selectOption(o.account);
  const meet = page.getByRole('checkbox', { name: new RegExp(MEET_SCOPE.replace(/[./]/g, '\\$&')) });
  assert.ok(await meet.isChecked(), 'the Meet permission is requested and ticked');
  if (o.untickMeet) await meet.uncheck();
  await page.getByRole('button', { name: o.decision ?? 'Allow', exact: true }).click();
  await page.waitForURL(isHub);
  await page.getByRole('heading', { level: 1, name: 'Integrations Hub' }).waitFor();
}

describe('Google Meet journeys (issue 14) in Chromium', { timeout: 300_000 }, () => {
  before(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const setup = await j.newPage();
    await signUpOwner(j, setup, OWNER, 'Globex');
    await setup.context().close();
    owner = await j.newPage();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the Google Meet card sits in Communication beside Zoom, Not connected', async (t) => {
    await j.step(t, async () => {
      await signIn(j, owner, OWNER);
      await openIntegrationsHub(j, owner);
      const section = owner.getByRole('region', { name: 'Communication' });
      assert.ok(await section.getByRole('article', { name: 'Zoom' }).isVisible());
      assert.equal(await status(owner), 'Not connected');
      await j.a11y(owner, 'Integrations Hub with two providers');
    });
  });

  it('troubleshooting: Cancel on Google’s consent page → authorization not completed, nothing connected', async (t) => {
    await j.step(t, async () => {
      await clickConnect(owner);
      const url = new URL(owner.url());
      assert.equal(url.searchParams.get('scope'), `openid email ${MEET_SCOPE}`);
      assert.equal(url.searchParams.get('access_type'), 'offline');
      assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
      await j.a11y(owner, 'Google sandbox consent page');
      await shot(owner, '01-consent');
      await consent(owner, { decision: 'Cancel' });
      assert.ok(await banner(owner, 'Google Meet authorization was declined or not completed, so Google Meet is not connected.').isVisible());
      assert.equal(await status(owner), 'Not connected');
    });
  });

  it('troubleshooting: the Meet permission unticked → scope not granted, nothing connected', async (t) => {
    await j.step(t, async () => {
      await clickConnect(owner);
      await consent(owner, { untickMeet: true });
      assert.ok(await banner(owner, 'Google Meet did not grant the meeting scope: connect again and approve it.').isVisible());
      assert.ok(await banner(owner, `Missing: ${MEET_SCOPE}.`).isVisible(), 'the missing permission is named');
      assert.equal(await status(owner), 'Not connected');
    });
  });

  it('Connect Google Meet through the sandbox: Connected with the account’s email and the last check', async (t) => {
    await j.step(t, async () => {
      await clickConnect(owner);
      await consent(owner);
      assert.ok(await banner(owner, 'Google Meet is connected.').isVisible());
      assert.equal(await status(owner), 'Connected');
      const card = meetCard(owner);
      assert.ok(await card.getByText(WORKSPACE_EMAIL).first().isVisible(), 'the card names the Google account');
      assert.ok(await card.getByText(/Ready for war rooms · checked/).isVisible());
      assert.ok(await card.getByRole('button', { name: 'Test connection' }).isVisible());
      assert.ok(await card.getByRole('button', { name: 'Reconnect' }).isVisible());
      assert.ok(await card.getByRole('link', { name: 'Disconnect Google Meet' }).isVisible(), 'the trash icon has an accessible name');
      await j.a11y(owner, 'Integrations Hub (Google Meet connected)');
      await shot(owner, '02-connected');
    });
  });

  it('troubleshooting: a missing or tampered state → not matched to a Connect click', async (t) => {
    await j.step(t, async () => {
      await j.visit(owner, '/integrations/google_meet/callback?state=tampered&code=4%2F0Aforged');
      assert.ok(isHub(new URL(owner.url())));
      assert.ok(await banner(owner, 'That Google Meet authorization could not be matched to a Connect click of yours').isVisible());
      assert.equal(await status(owner), 'Connected', 'the connection is unchanged');
    });
  });

  it('troubleshooting: Google sends no refresh token → nothing stored, the connection unchanged', async (t) => {
    await j.step(t, async () => {
      await googleControl('POST', '/faults', {
        endpoint: 'POST /token:authorization_code',
        fault: { kind: 'http', status: 200, body: { access_token: 'ya29.no-refresh', expires_in: 3599, scope: `openid https://www.googleapis.com/auth/userinfo.email ${MEET_SCOPE}`, token_type: 'Bearer' } },
      });
      await clickConnect(owner, 'Reconnect');
      await consent(owner);
      assert.ok(await banner(owner, 'Google Meet did not send a refresh token, so nothing was connected').isVisible());
      assert.equal(await status(owner), 'Connected');
    });
  });

  it('troubleshooting: a role that cannot manage integrations is told why', async (t) => {
    await j.step(t, async () => {
      const invite = await createInviteLink(owner, 'Responder');
      const responder = await j.newPage();
      await acceptInvite(j, responder, invite, RESPONDER);
      await openIntegrationsHub(j, responder);
      const card = meetCard(responder);
      assert.ok(await card.getByRole('button', { name: 'Connect' }).isDisabled());
      assert.ok(
        await card.getByText('Your Runframe role cannot manage integrations. Ask a Runframe admin to grant integration management permission or connect Google Meet for the organization.').isVisible(),
      );
      await responder.context().close();
    });
  });

  it('with Zoom also connected, Create War Room asks to select a war room provider; each choice makes its own kind of war room', async (t) => {
    await j.step(t, async () => {
      await openIntegrationsHub(j, owner);
      await connectZoom(j, owner);
      await declareIncident(j, owner, { title: 'Checkout on Meet', severity: 'SEV2' });
      const section = warRoomSection(owner);
      const chooser = section.getByRole('group', { name: 'Select a war room provider' });
      await chooser.waitFor();
      const zoomRadio = chooser.getByRole('radio', { name: 'Zoom' });
      const meetRadio = chooser.getByRole('radio', { name: 'Google Meet' });
      assert.ok(await zoomRadio.isChecked(), 'the organization default (the first provider) is preselected');
      await j.a11y(owner, 'incident page with the provider chooser');
      await shot(owner, '03-chooser');
      // By keyboard: arrow keys move the choice within the group.
      await zoomRadio.focus();
      await owner.keyboard.press('ArrowDown');
      assert.ok(await meetRadio.isChecked(), 'ArrowDown selects Google Meet');
      await section.getByRole('button', { name: 'Create War Room' }).click();
      const join = section.getByRole('link', { name: 'Join Google Meet war room' });
      await join.waitFor();
      const href = (await join.getAttribute('href')) ?? '';
      assert.match(href, new RegExp(`^${server.url}${SANDBOX}/meet/[a-z]+-[a-z]+-[a-z]+$`));
      assert.ok(await section.getByText('Meeting code').isVisible());
      assert.ok(await section.getByText(href.split('/').pop() ?? '-').first().isVisible(), 'the meeting code is shown');
      await shot(owner, '04-meet-war-room');

      await declareIncident(j, owner, { title: 'Checkout on Zoom', severity: 'SEV2' });
      await warRoomSection(owner).getByRole('group', { name: 'Select a war room provider' }).getByRole('radio', { name: 'Zoom' }).check();
      await warRoomSection(owner).getByRole('button', { name: 'Create War Room' }).click();
      await warRoomSection(owner).getByRole('link', { name: 'Join Zoom war room' }).waitFor();
      assert.match((await warRoomSection(owner).getByRole('link', { name: 'Join Zoom war room' }).getAttribute('href')) ?? '', /\/zoom-sandbox\/j\/\d+/);
    });
  });

  it('troubleshooting: an account with Meet turned off → "cannot create meetings" on the incident and the card', async (t) => {
    await j.step(t, async () => {
      await openIntegrationsHub(j, owner);
      await clickConnect(owner, 'Reconnect');
      await consent(owner, { account: NO_MEET_SUB });
      assert.equal(await status(owner), 'Connected');
      await declareIncident(j, owner, { title: 'No Meet here', severity: 'SEV3' });
      const section = warRoomSection(owner);
      await section.getByRole('group', { name: 'Select a war room provider' }).getByRole('radio', { name: 'Google Meet' }).check();
      await section.getByRole('button', { name: 'Create War Room' }).click();
      await section.getByText('The connected Google account cannot create meetings').first().waitFor();
      await openIntegrationsHub(j, owner);
      assert.ok(await meetCard(owner).getByText('Google Meet user cannot create a meeting.').isVisible());
      // Back to the Workspace account that can.
      await clickConnect(owner, 'Reconnect');
      await consent(owner, { account: '100000000000000000001' });
      assert.equal(await status(owner), 'Connected');
    });
  });

  it('removal on Google’s side (Third-party apps with account access › Remove access) → Reconnect required, explained', async (t) => {
    await j.step(t, async () => {
      const google = await j.newPage();
      await j.visit(google, `${SANDBOX}/myaccount/connections?account=100000000000000000001`);
      await google.getByRole('heading', { level: 1, name: 'Third-party apps with account access' }).waitFor();
      await j.a11y(google, 'Google sandbox third-party access page');
      await google.getByRole('button', { name: 'Remove access' }).first().click();
      await google.getByRole('heading', { level: 1, name: /Remove Runframe's access\?/ }).waitFor();
      await google.getByRole('button', { name: 'Confirm' }).click();
      await google.getByText('Runframe no longer has access to your account.').waitFor();
      await google.context().close();

      await openIntegrationsHub(j, owner);
      await meetCard(owner).getByRole('button', { name: 'Test connection' }).click();
      await owner.waitForURL(isHub);
      assert.equal(await status(owner), 'Reconnect required');
      const card = meetCard(owner);
      assert.ok(await card.getByText(/Google no longer accepts Runframe’s authorization: it was removed in the Google account/).isVisible());
      assert.ok(await card.getByText(/Testing” publishing status, whose authorizations expire after 7 days/).isVisible(), 'the card explains the 7-day expiry of Testing apps');
      await j.a11y(owner, 'Integrations Hub (Google Meet reconnect required)');
      await shot(owner, '05-reconnect-required');
      await clickConnect(owner, 'Reconnect');
      await consent(owner);
      assert.equal(await status(owner), 'Connected');
    });
  });

  it('Disconnect: the trash icon, "Yes, Disconnect" → Not connected, access revoked at Google', async (t) => {
    await j.step(t, async () => {
      await meetCard(owner).getByRole('link', { name: 'Disconnect Google Meet' }).click();
      await owner.waitForURL(j.url('/organization/integrations/google_meet/disconnect'));
      const dialog = owner.getByRole('dialog', { name: 'Disconnect Google Meet?' });
      await j.a11y(owner, 'Disconnect Google Meet?');
      await dialog.getByRole('button', { name: 'Yes, Disconnect' }).click();
      await owner.waitForURL(isHub);
      assert.ok(await banner(owner, 'Google Meet is disconnected.').isVisible());
      assert.equal(await status(owner), 'Not connected');
      const grants = (await googleControl('GET', '/grants')) as { grants: { sub: string; revokedAt: string | null }[] };
      assert.equal(grants.grants.filter((g) => g.sub === '100000000000000000001' && g.revokedAt === null).length, 0, 'nothing stays authorized at Google');
    });
  });

  it('no page error and no serious accessibility finding along the way', () => {
    assert.deepEqual(j.allErrors(), []);
  });
});
