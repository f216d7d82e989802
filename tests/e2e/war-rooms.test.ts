// The war-room journeys of issue 5 in Chromium, following the numbered steps of
// ../shared/spec/zoom-integration-guide.txt: "Create a Zoom war room" (steps 1–5, which also completes
// step 8 of "To add Zoom"), "Join an existing Zoom war room" (steps 1–3, as a second user), the live
// updates of the incident page (the war room appearing, Live, Empty when everyone left, Live again, without reloading) and the
// troubleshooting rows "Create War Room is missing" and "Zoom user cannot create a meeting". Runframe
// runs in demo mode, so "Zoom" is the built-in sandbox at /zoom-sandbox and its meeting page stands in
// for the Zoom client. Every new page state is checked with axe-core and screenshotted
// (test-output/screenshots/war-room-*.png). Keyboard use (Create War Room with Tab and Enter, the focus
// kept across live updates, a visible focus indicator), Copy link without the Clipboard API, and at the
// end a scan of what users and operators could see (pages, API answers, log lines) for Zoom's host link
// (start_url) and Zoom's tokens.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { failOnConsoleError } from '../support/console-guard.ts';
import { launchBrowser, screenshot, type TestBrowser } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import {
  SANDBOX_CREATE_MEETING,
  SANDBOX_HOST,
  SANDBOX_PREFIX,
  acceptInvite,
  assertNotReloaded,
  assertVisibleFocus,
  connectZoom,
  createInviteLink,
  declareIncident,
  escapeRegExp,
  expectCardStatus,
  findSecrets,
  isFocused,
  markDocument,
  openIncident,
  openIntegrationsHub,
  recordZoomSecrets,
  sandboxControl,
  signIn,
  signUpOwner,
  tabTo,
  timelineEntries,
  warRoomApiAnswers,
  warRoomSection,
  RecordingJourney,
  type Person,
  type ZoomSecrets,
} from '../support/journeys.ts';

failOnConsoleError();

const PASSWORD = 'correct horse battery staple';
const OWNER: Person = { name: 'Olivia Owner', email: `olivia-wr-${process.pid}@example.com`, password: PASSWORD };
const RESPONDER: Person = { name: 'Rita Responder', email: `rita-wr-${process.pid}@example.com`, password: PASSWORD };
const VIEWER: Person = { name: 'Victor Viewer', email: `victor-wr-${process.pid}@example.com`, password: PASSWORD };
/** A second organization that has not connected Zoom (then connects a Zoom user who cannot host). */
const OTHER_OWNER: Person = { name: 'Nadia Owner', email: `nadia-wr-${process.pid}@example.com`, password: PASSWORD };
const TITLE = 'Checkout returns 502 for all card payments';
const OTHER_TITLE = 'Label printing stalls in the Leeds warehouse';
/** The incident whose war room a responder creates with the keyboard only. */
const KEYBOARD_TITLE = 'Search results time out for EU customers';
/** An incident without a war room, for the Viewer's "Create War Room is missing" row. */
const VIEWER_TITLE = 'Invoice PDFs render blank';
const BASIC_USER = 'basic@sandbox.zoom.test';

const JOIN = 'Join Zoom war room';
const CREATE = 'Create War Room';
const NOT_CONNECTED = 'Zoom is not connected — an Owner or Admin can connect it in Integrations Hub.';
const CANNOT_HOST = "The connected Zoom user can't host meetings. Check that user's Zoom permissions, then try again.";
/** How long another viewer may wait for a change: pushed at once (server-sent events), with room for a loaded machine. */
const LIVE_UPDATE_MS = 10_000;
/** How long the create may take once the sandbox lets it go. */
const CREATE_MS = 15_000;

let server: TestServer;
let browser: TestBrowser;
const j = new RecordingJourney(
  () => browser,
  () => server.url,
);
/** Every start_url and Zoom token the sandbox handed out, and the server's log lines: for the final scan. */
let zoomSecrets: ZoomSecrets;
let serverLog: string[] = [];
const zoom = sandboxControl(() => server.url, () => server.runframe.sandboxControlToken);
const shot = (page: Page, name: string) => screenshot(page, `war-room-${name}`);

let owner: Page;
let responder: Page;
let viewer: Page;
let other: Page;
/** The sandbox meeting page the Responder opened from the incident page. */
let meetingTab: Page;
/** The sandbox meeting page the Viewer joined from. */
let viewerTab: Page;
let incidentPath = '';
let joinUrl = '';
let meetingId = '';
let providerChooserShown: boolean | null = null;

const joinLink = (page: Page) => warRoomSection(page).getByRole('link', { name: JOIN });
const createButton = (page: Page) => warRoomSection(page).getByRole('button', { name: CREATE });
const copyButton = (page: Page) => warRoomSection(page).getByRole('button', { name: 'Copy link' });
const copyStatus = (page: Page, text: string) => warRoomSection(page).getByRole('status').filter({ hasText: text });
const badge = (page: Page, status: 'Not started' | 'Live' | 'Empty') => warRoomSection(page).locator('#war-room-body').getByText(`Meeting status: ${status}`, { exact: true });

/** Waits for the incident page's own polling to bring a change, and proves the page did not reload. */
async function waitForLiveUpdate(page: Page, what: string, locator: Locator): Promise<void> {
  await locator.waitFor({ timeout: LIVE_UPDATE_MS }).catch((err: Error) => {
    throw new Error(`${what}: not shown within ${LIVE_UPDATE_MS} ms without reloading (${err.message.split('\n')[0]})`);
  });
  await assertNotReloaded(page, what);
}

interface ProgressSeen {
  button: string;
  disabled: boolean;
  statusRole: string | null;
  statusVisible: boolean;
  statusText: string;
}

/**
 * While the create form's request is pending, Chromium's DevTools defers every query of the page
 * (Playwright's and axe's included) until the next document commits. So the page records what it shows
 * at the moment the button turns busy, in sessionStorage, which survives the form's navigation.
 */
async function recordProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    sessionStorage.removeItem('journey:progress');
    const body = document.getElementById('war-room-body');
    if (!body) return;
    const observer = new MutationObserver(() => {
      const button = body.querySelector<HTMLButtonElement>('button[type=submit]');
      const status = body.querySelector<HTMLElement>('[data-progress]');
      if (!button || button.textContent === 'Create War Room') return;
      const seen = {
        button: (button.textContent ?? '').trim(),
        disabled: button.disabled,
        statusRole: status?.getAttribute('role') ?? null,
        statusVisible: !!status && !status.hidden && status.getClientRects().length > 0,
        statusText: (status?.textContent ?? '').trim(),
      };
      sessionStorage.setItem('journey:progress', JSON.stringify(seen));
    });
    observer.observe(body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

async function recordedProgress(page: Page): Promise<ProgressSeen | null> {
  const raw = await page.evaluate(() => sessionStorage.getItem('journey:progress'));
  return raw ? (JSON.parse(raw) as ProgressSeen) : null;
}

/** The sandbox meeting page a click on "Join Zoom war room" opened in a new tab. */
async function followJoinLink(page: Page): Promise<Page> {
  const link = joinLink(page);
  const [tab] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
  j.track(tab);
  await tab.waitForLoadState('load');
  assert.equal(tab.url(), joinUrl, 'the new tab opens the join URL stored on the incident');
  await tab.getByRole('heading', { level: 1, name: `[SEV1] INC-1 ${TITLE}` }).waitFor();
  assert.ok(await tab.getByRole('banner').getByText('Zoom sandbox — not Zoom.').isVisible(), 'the meeting page says it is the Zoom sandbox');
  assert.equal((await tab.locator('dt:has-text("Meeting ID") + dd').innerText()).replace(/\s+/g, ''), meetingId, 'the meeting page is the war room’s meeting');
  assert.equal((await tab.locator('dt:has-text("Host") + dd').innerText()).trim(), SANDBOX_HOST.name, 'the connected licensed Zoom user hosts it');
  return tab;
}

describe('War-room journeys (issue 5) in Chromium', { timeout: 300_000 }, () => {
  before(async () => {
    // Before the server starts: its Zoom client takes this process's fetch when it is built.
    zoomSecrets = recordZoomSecrets();
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    serverLog = server.logLines;
    const setup = await j.newPage();
    await signUpOwner(j, setup, OWNER, 'Acme Payments');
    await signUpOwner(j, setup, OTHER_OWNER, 'Globex Logistics');
    await setup.context().close();
    [owner, responder, viewer, other] = await Promise.all([j.newPage(), j.newPage(), j.newPage(), j.newPage()]);
  });

  after(async () => {
    // Browser first: its keep-alive connections would otherwise hold the server open.
    await browser?.close();
    await server?.stop();
    zoomSecrets?.restore();
  });

  describe('Setup', () => {
    it('the Owner signs in and connects Zoom (To add Zoom, steps 1–7)', async (t) => {
      await j.step(t, async () => {
        await signIn(j, owner, OWNER);
        await openIntegrationsHub(j, owner);
        await connectZoom(j, owner);
      });
    });

    it('a Responder and a Viewer join the organization by invite, each in a browser of their own', async (t) => {
      await j.step(t, async () => {
        const responderInvite = await createInviteLink(owner, 'Responder');
        const viewerInvite = await createInviteLink(owner, 'Viewer');
        await acceptInvite(j, responder, responderInvite, RESPONDER);
        await acceptInvite(j, viewer, viewerInvite, VIEWER);
      });
    });

    it('the Owner declares a SEV1 incident', async (t) => {
      await j.step(t, async () => {
        incidentPath = await declareIncident(j, owner, { title: TITLE, severity: 'SEV1' });
        assert.equal(incidentPath, '/incidents/1');
      });
    });
  });

  describe('Create a Zoom war room', () => {
    it('1. Open the incident in Runframe.', async (t) => {
      await j.step(t, async () => {
        // The Responder already has the incident open: what follows must reach them without a reload.
        await openIncident(j, responder, TITLE);
        await markDocument(responder);
        assert.ok(await createButton(responder).isVisible(), 'a Responder may create the war room too');

        await openIncident(j, owner, TITLE);
        const section = warRoomSection(owner);
        await section.getByRole('heading', { level: 2, name: 'War room' }).waitFor();
        assert.ok(await createButton(owner).isVisible(), 'an active incident with Zoom connected offers Create War Room');
        assert.equal(await joinLink(owner).count(), 0, 'no war room yet');
        await j.a11y(owner, 'incident page (no war room)');
        await shot(owner, '01-incident-no-war-room');
      });
    });

    it('2. Click Create War Room.', async (t) => {
      await j.step(t, async () => {
        providerChooserShown =
          (await warRoomSection(owner).getByRole('group', { name: 'Choose a war room provider' }).count()) > 0 ||
          (await warRoomSection(owner).getByRole('radio').count()) > 0;
        // The sandbox holds the create call until both pages have shown the progress state.
        const held = await zoom.hold(SANDBOX_CREATE_MEETING);
        await recordProgress(owner);
        const posted = owner.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `${incidentPath}/war-room`, { timeout: LIVE_UPDATE_MS + CREATE_MS });
        const landed = owner.waitForEvent('load', { timeout: LIVE_UPDATE_MS + CREATE_MS });
        try {
          // The click posts the form; its answer waits for Zoom, which the sandbox holds.
          await createButton(owner).click({ noWaitAfter: true });
          await held.reached();
          // Everyone else viewing the incident sees the progress too, by a live update.
          const status = warRoomSection(responder).getByRole('status').filter({ hasText: /Creating the Zoom meeting… .*the join link appears here/ });
          await waitForLiveUpdate(responder, 'the progress state on the Responder’s page', status);
          await j.a11y(responder, 'incident page (creating, another viewer)');
          await shot(responder, '02-creating-seen-by-responder');
        } finally {
          await held.release();
        }
        assert.equal((await posted).status(), 303, 'the create form answers with a redirect back to the incident');
        await landed;

        // While Zoom was called, the one who clicked saw a busy, disabled button and a status saying what happens.
        const seen = await recordedProgress(owner);
        assert.ok(seen, 'the page showed a progress state while the meeting was created');
        assert.equal(seen.button, 'Creating War Room…');
        assert.equal(seen.disabled, true, 'the button cannot be clicked twice while the meeting is created');
        assert.equal(seen.statusRole, 'status', 'the progress message is announced (role=status)');
        assert.equal(seen.statusVisible, true);
        assert.equal(seen.statusText, 'Creating the Zoom meeting…');
      });
    });

    it('3. Choose Zoom if Runframe asks you to select a war room provider — with only Zoom connected, it does not ask.', async (t) => {
      await j.step(t, async () => {
        assert.equal(providerChooserShown, false, 'no provider chooser when Zoom is the only connected provider');
      });
    });

    it('4. Runframe creates the Zoom meeting and attaches the join URL to the incident.', async (t) => {
      await j.step(t, async () => {
        await owner.waitForURL((u) => u.pathname === incidentPath);
        const link = joinLink(owner);
        await link.waitFor();
        assert.equal(await link.getAttribute('target'), '_blank', 'the join link opens in a new tab');
        assert.match((await link.getAttribute('rel')) ?? '', /noopener/, 'and does not give Zoom a handle on the incident page');
        joinUrl = (await link.getAttribute('href')) ?? '';
        const m = new RegExp(`^${escapeRegExp(server.url)}/zoom-sandbox/j/(\\d{9,11})(\\?pwd=[^&#]+)?$`).exec(joinUrl);
        assert.ok(m, `the join URL is a sandbox meeting link, got ${joinUrl}`);
        meetingId = m[1] ?? '';

        const section = warRoomSection(owner);
        const facts = (term: string) => section.locator(`dt:has-text("${term}") + dd`);
        assert.equal((await facts('Meeting ID').innerText()).trim(), meetingId, 'the meeting ID is shown');
        assert.match((await facts('Created').innerText()).trim(), new RegExp(`^by ${OWNER.name}, \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC$`), 'who created it and when');
        assert.ok(await badge(owner, 'Not started').isVisible(), 'the live badge says Not started');
        assert.match((await badge(owner, 'Not started').innerText()).trim(), /Not started$/);
        assert.equal(await section.getByLabel('War room join link').inputValue(), joinUrl, 'the link can be selected and copied by hand');
        assert.equal(await createButton(owner).count(), 0, 'no second Create War Room while one is active');

        // Copy link puts the join URL on the clipboard and says so.
        await owner.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
        await section.getByRole('button', { name: 'Copy link' }).click();
        await section.getByRole('status').filter({ hasText: 'Link copied' }).waitFor();
        assert.equal(await owner.evaluate(() => navigator.clipboard.readText()), joinUrl, 'the clipboard holds the join URL');

        const created = timelineEntries(owner).filter({ hasText: `Zoom war room created (meeting ID ${meetingId})` });
        assert.equal(await created.count(), 1, 'the timeline records the war room once');
        assert.match(await created.innerText(), new RegExp(OWNER.name), 'with who created it');

        // One meeting in Zoom, made by Runframe, with the incident in its topic; the host link is not on the page.
        const meetings = await zoom.meetings();
        assert.equal(meetings.length, 1, 'exactly one Zoom meeting was created');
        assert.equal(String(meetings[0]?.id), meetingId);
        assert.equal(meetings[0]?.join_url, joinUrl, 'the incident stores the join URL Zoom returned');
        assert.equal(meetings[0]?.topic, `[SEV1] INC-1 ${TITLE}`);
        const html = await owner.content();
        assert.ok(!html.includes(meetings[0]?.start_url ?? '\u0000') && !html.includes('/zoom-sandbox/s/'), 'the host start_url is never shown');

        await j.a11y(owner, 'incident page (war room created)');
        await shot(owner, '03-created');
      });
    });

    it('To add Zoom, 8. Open an active incident and create a Zoom war room to confirm the connection works.', async (t) => {
      await j.step(t, async () => {
        const [meeting] = await zoom.meetings();
        assert.equal(meeting?.host_email, SANDBOX_HOST.email, 'the meeting belongs to the Zoom user who authorized Runframe');
        await openIntegrationsHub(j, owner);
        await expectCardStatus(owner, 'Connected');
        await openIncident(j, owner, TITLE);
        await joinLink(owner).waitFor();
      });
    });

    it('5. Responders join the meeting from the incident page.', async (t) => {
      await j.step(t, async () => {
        // The Responder's page, open since step 1, shows the war room without a reload.
        await waitForLiveUpdate(responder, 'the Join Zoom war room link on the Responder’s page', joinLink(responder));
        assert.equal(await joinLink(responder).getAttribute('href'), joinUrl, 'everyone gets the same link');
        assert.ok(await badge(responder, 'Not started').isVisible());
        await j.a11y(responder, 'incident page (war room appeared by polling)');
        await shot(responder, '04-appeared-for-responder');

        meetingTab = await followJoinLink(responder);
        assert.equal((await meetingTab.locator('#meeting-status').innerText()).trim(), 'Not started: the first participant to join starts it');
        await j.a11y(meetingTab, 'sandbox meeting page');
        await shot(meetingTab, '05-sandbox-meeting');
      });
    });
  });

  describe('Live updates on the incident page', () => {
    it('the first responder joins the call: the badge becomes Live without reloading', async (t) => {
      await j.step(t, async () => {
        await markDocument(owner);
        // Keyboard users: the Owner's focus is on Join, the Responder's on Copy link, when the section updates.
        await tabTo(owner, joinLink(owner), 'Join Zoom war room (Owner)');
        await tabTo(responder, copyButton(responder), 'Copy link (Responder)');
        await meetingTab.getByLabel('Your name').fill(RESPONDER.name);
        await meetingTab.getByRole('button', { name: 'Join as participant' }).click();
        await meetingTab.getByRole('status').getByText(`You are in the meeting as ${RESPONDER.name}.`).waitFor();
        assert.equal(await meetingTab.getByRole('button', { name: 'Join as participant' }).count(), 0, 'joined: no second Join');
        await meetingTab.locator('#meeting-status').getByText('In progress · 1 participant').waitFor();
        await j.a11y(meetingTab, 'sandbox meeting page (joined)');
        await shot(meetingTab, '06-sandbox-joined');

        await waitForLiveUpdate(owner, 'the Live badge (meeting.started)', badge(owner, 'Live'));
        assert.match((await badge(owner, 'Live').innerText()).trim(), /Live$/);
        assert.equal(await owner.getByRole('status').filter({ hasText: 'Meeting status: Live' }).and(owner.locator('#war-room-announcer')).textContent(), 'Meeting status: Live', 'screen readers hear the change');
        await waitForLiveUpdate(responder, 'the Live badge on the Responder’s page', badge(responder, 'Live'));
        assert.ok(await joinLink(owner).isVisible(), 'a live war room can still be joined');
        assert.ok(await isFocused(joinLink(owner)), 'the keyboard focus stays on Join Zoom war room through the update');
        assert.ok(await isFocused(copyButton(responder)), 'the keyboard focus stays on Copy link through the update');
        await owner.keyboard.press('Shift+Tab');
        await owner.keyboard.press('Tab');
        assert.ok(await isFocused(joinLink(owner)), 'and Tab goes on from there, not from the top of the page');
        await j.a11y(owner, 'incident page (war room Live)');
        await shot(owner, '08-live');
      });
    });
  });

  describe('Join an existing Zoom war room', () => {
    it('1. Open the incident in Runframe.', async (t) => {
      await j.step(t, async () => {
        // A second user, a Viewer: can see the incident, cannot edit it.
        await openIncident(j, viewer, TITLE);
        assert.ok(await viewer.getByRole('note').getByText("Your role can't edit incidents.").isVisible(), 'signed in as a Viewer');
      });
    });

    it('2. Find the war room link on the incident.', async (t) => {
      await j.step(t, async () => {
        const link = joinLink(viewer);
        await link.waitFor();
        assert.equal(await link.getAttribute('href'), joinUrl, 'the Viewer gets the same link');
        assert.equal(await link.getAttribute('target'), '_blank');
        assert.ok(await badge(viewer, 'Live').isVisible(), 'and sees the meeting is live');
        assert.equal(await createButton(viewer).count(), 0);
        assert.ok((await timelineEntries(viewer).filter({ hasText: 'Zoom war room is live.' }).count()) === 1, 'the timeline records that the meeting went live');
        await j.a11y(viewer, 'incident page (Viewer, live war room)');
        await shot(viewer, '09-viewer-finds-link');
      });
    });

    it('3. Click the Zoom join link.', async (t) => {
      await j.step(t, async () => {
        await markDocument(viewer);
        viewerTab = await followJoinLink(viewer);
        assert.equal((await viewerTab.locator('#meeting-status').innerText()).trim(), 'In progress · 1 participant');
        await viewerTab.getByLabel('Your name').fill(VIEWER.name);
        await viewerTab.getByRole('button', { name: 'Join as participant' }).click();
        await viewerTab.getByRole('status').getByText(`You are in the meeting as ${VIEWER.name}.`).waitFor();
        await viewerTab.locator('#meeting-status').getByText('In progress · 2 participants').waitFor();
        await j.a11y(viewerTab, 'sandbox meeting page (Viewer joined a live meeting)');
        await shot(viewerTab, '10-viewer-joined');
      });
    });
  });

  describe('Copy link without the Clipboard API', () => {
    it('on a page with no navigator.clipboard (plain http), Copy link selects and copies the link, or says which keys to press', async (t) => {
      await j.step(t, async () => {
        const page = await j.newPage();
        await page.addInitScript(() => {
          // As on a plain-http page: no Clipboard API at all.
          delete (Navigator.prototype as { clipboard?: unknown }).clipboard;
          // What the copy command took: the selected part of the focused field.
          document.addEventListener('copy', () => {
            const el = document.activeElement as HTMLInputElement | null;
            (window as unknown as { __copied?: string }).__copied = el?.value?.slice(el.selectionStart ?? 0, el.selectionEnd ?? 0) ?? '';
          });
        });
        await signIn(j, page, VIEWER);
        await openIncident(j, page, TITLE);
        assert.equal(await page.evaluate(() => typeof navigator.clipboard), 'undefined', 'the page has no Clipboard API');

        await copyButton(page).click();
        await copyStatus(page, 'Link copied').waitFor();
        assert.equal(await page.evaluate(() => (window as unknown as { __copied?: string }).__copied), joinUrl, 'the join link was copied');
        assert.ok(await isFocused(copyButton(page)), 'the focus is back on Copy link');
        await shot(page, '10a-copied-without-clipboard-api');

        // When the browser refuses to copy too, the link stays selected and the page says what to press.
        await page.evaluate(() => {
          document.execCommand = () => false;
        });
        await copyButton(page).click();
        await copyStatus(page, 'Press Ctrl+C to copy').waitFor();
        const field = warRoomSection(page).getByLabel('War room join link');
        assert.ok(await isFocused(field), 'the link field has the focus');
        assert.deepEqual(
          await field.evaluate((el: HTMLInputElement) => [el.selectionStart, el.selectionEnd, el.value.length]),
          [0, joinUrl.length, joinUrl.length],
          'the whole link is selected, ready for Ctrl+C',
        );
        // A live update (the Owner adds a note elsewhere) refreshes the section: what it says, and the selection, outlast it.
        const fragment = `${incidentPath}/war-room/fragment`;
        const refreshed = page.waitForRequest((r) => new URL(r.url()).pathname === fragment, { timeout: LIVE_UPDATE_MS });
        await owner.evaluate(async (path) => {
          const csrf = document.querySelector<HTMLInputElement>('input[name=_csrf]')?.value ?? '';
          await fetch(`${path}/notes`, { method: 'POST', body: new URLSearchParams({ _csrf: csrf, body: 'Copy link check' }), credentials: 'same-origin', redirect: 'manual' });
        }, incidentPath);
        await refreshed;
        await page.getByText('Copy link check').waitFor({ timeout: LIVE_UPDATE_MS });
        assert.equal(await copyStatus(page, 'Press Ctrl+C to copy').count(), 1, 'a live update does not wipe what Copy link said');
        assert.ok(await isFocused(field), 'nor the focus');
        assert.deepEqual(await field.evaluate((el: HTMLInputElement) => [el.selectionStart, el.selectionEnd]), [0, joinUrl.length], 'nor the selection');
        await j.a11y(page, 'incident page (Copy link, copy refused)');
        await shot(page, '10b-press-ctrl-c');
        await page.context().close();
      });
    });
  });

  describe('Live updates on the incident page (continued)', () => {
    it('both responders leave: Zoom ends the emptied meeting, yet the incident keeps the same join link with the Empty badge; the next to join makes it Live again', async (t) => {
      await j.step(t, async () => {
        await meetingTab.getByRole('button', { name: 'Leave meeting' }).click();
        await meetingTab.getByRole('button', { name: 'Join as participant' }).waitFor();
        await viewerTab.getByRole('button', { name: 'Leave meeting' }).click();
        await viewerTab.locator('#meeting-status').getByText('Not started: the first participant to join starts it').waitFor();
        await shot(viewerTab, '11-sandbox-emptied');

        await waitForLiveUpdate(owner, 'the Empty badge (meeting.ended)', badge(owner, 'Empty'));
        assert.equal(await joinLink(owner).getAttribute('href'), joinUrl, 'the same join link is still offered');
        assert.equal(await createButton(owner).count(), 0, 'no Create War Room: the war room is still open');
        assert.match(await warRoomSection(owner).locator('#war-room-live-note').innerText(), /Everyone left the call\. The war room stays open: rejoin anytime with the same link\./);
        await waitForLiveUpdate(owner, 'the timeline entry for the emptied call', timelineEntries(owner).filter({ hasText: 'Zoom call is empty' }));
        await j.a11y(owner, 'incident page (call empty)');
        await shot(owner, '12-empty');

        // A third responder (the Owner) joins with the same link: the call is live again.
        const ownerTab = await followJoinLink(owner);
        await ownerTab.getByRole('button', { name: 'Join as participant' }).click();
        await ownerTab.locator('#meeting-status').getByText('In progress · 1 participant').waitFor();
        await waitForLiveUpdate(owner, 'the Live badge again (meeting.started)', badge(owner, 'Live'));
        await waitForLiveUpdate(owner, 'the timeline entry for the call live again', timelineEntries(owner).filter({ hasText: 'Zoom call is live again.' }));
        assert.equal(await createButton(owner).count(), 0);
        assert.equal((await zoom.meetings()).length, 1, 'still one Zoom meeting for the incident: nobody split onto a second bridge');
        await shot(owner, '12a-live-again');
        await ownerTab.getByRole('button', { name: 'Leave meeting' }).click();
        await ownerTab.getByRole('button', { name: 'Join as participant' }).waitFor();
        await ownerTab.close();
        await viewerTab.close();
      });
    });
  });

  describe('Create a Zoom war room with the keyboard only', () => {
    it('a responder tabs to Create War Room, presses Enter, sees the progress, then tabs to Join and Copy link and copies with Enter', async (t) => {
      await j.step(t, async () => {
        const path = await declareIncident(j, owner, { title: KEYBOARD_TITLE, severity: 'SEV2' });
        assert.ok(await createButton(owner).isVisible(), 'the new incident has no war room yet');

        await tabTo(owner, createButton(owner), 'Create War Room');
        await assertVisibleFocus(owner, 'Create War Room');
        const held = await zoom.hold(SANDBOX_CREATE_MEETING);
        await recordProgress(owner);
        const posted = owner.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `${path}/war-room`, { timeout: LIVE_UPDATE_MS + CREATE_MS });
        // The form posts, then lands back on the incident page (the same URL): wait for that document.
        const landed = owner.waitForEvent('load', { timeout: LIVE_UPDATE_MS + CREATE_MS });
        try {
          await owner.keyboard.press('Enter');
          await held.reached();
        } finally {
          await held.release();
        }
        assert.equal((await posted).status(), 303);
        await landed;
        assert.equal(new URL(owner.url()).pathname, path);

        const seen = await recordedProgress(owner);
        assert.ok(seen, 'Enter on Create War Room showed the progress state');
        assert.equal(seen.button, 'Creating War Room…');
        assert.equal(seen.disabled, true);
        assert.equal(seen.statusRole, 'status');
        assert.equal(seen.statusVisible, true);
        assert.equal(seen.statusText, 'Creating the Zoom meeting…');

        const link = joinLink(owner);
        await link.waitFor();
        const keyboardJoinUrl = (await link.getAttribute('href')) ?? '';
        assert.notEqual(keyboardJoinUrl, joinUrl, 'a war room of its own');
        await tabTo(owner, link, 'Join Zoom war room');
        await assertVisibleFocus(owner, 'Join Zoom war room');
        // From Join, the next stops are the link field and Copy link: nothing else in between.
        assert.ok((await tabTo(owner, copyButton(owner), 'Copy link', 3)) <= 3);
        await assertVisibleFocus(owner, 'Copy link');
        await owner.keyboard.press('Enter');
        await copyStatus(owner, 'Link copied').waitFor();
        assert.equal(await owner.evaluate(() => navigator.clipboard.readText()), keyboardJoinUrl, 'the clipboard holds this war room’s join URL');
        await j.a11y(owner, 'incident page (war room created with the keyboard)');
        await shot(owner, '12a-keyboard-created');
      });
    });
  });

  describe('Troubleshooting', () => {
    it('Create War Room is missing: you do not have incident edit permission (Viewer)', async (t) => {
      await j.step(t, async () => {
        // An incident with no war room yet (the first one keeps its war room while it is active).
        await declareIncident(j, owner, { title: VIEWER_TITLE, severity: 'SEV3' });
        await openIncident(j, viewer, VIEWER_TITLE);
        const section = warRoomSection(viewer);
        await section.getByText(/No war room yet\./).waitFor();
        assert.equal(await createButton(viewer).count(), 0, 'a Viewer is not offered Create War Room');
        assert.match(await section.innerText(), /Your role can't edit incidents, so Create War Room is not offered to you: an Owner, Admin or Responder can create one\./, 'the War room section says why');
        assert.ok(await viewer.getByRole('note').getByText("Your role can't edit incidents. Ask an Owner or Admin.").isVisible(), 'and the page says what to do');
        await j.a11y(viewer, 'incident page (Viewer, no war room)');
        await shot(viewer, '13-missing-viewer');
      });
    });

    it('Create War Room is missing: Zoom is not connected', async (t) => {
      await j.step(t, async () => {
        await signIn(j, other, OTHER_OWNER);
        await declareIncident(j, other, { title: OTHER_TITLE, severity: 'SEV1' });
        const section = warRoomSection(other);
        await section.getByText(NOT_CONNECTED).waitFor();
        assert.equal(await createButton(other).count(), 0, 'no Create War Room without a connected provider');
        await j.a11y(other, 'incident page (Zoom not connected)');
        await shot(other, '14-missing-not-connected');

        // The fix: "Confirm Zoom is connected in Integrations Hub" — the message links there.
        await section.getByRole('link', { name: 'Integrations Hub' }).click();
        await other.waitForURL(j.url('/organization/integrations'));
        await expectCardStatus(other, 'Not connected');
      });
    });

    it("Zoom user cannot create a meeting: the selected Zoom user may not have permission to host meetings; check the user's Zoom account permissions, then try again", async (t) => {
      await j.step(t, async () => {
        const basicId = await zoom.userId(BASIC_USER);
        await connectZoom(j, other, { sandboxUserId: basicId, a11yLabel: 'sandbox consent page' });
        const meetingsBefore = (await zoom.meetings()).length;

        await openIncident(j, other, OTHER_TITLE);
        const path = new URL(other.url()).pathname;
        await createButton(other).click();

        const section = warRoomSection(other);
        const alert = section.getByRole('alert').filter({ hasText: CANNOT_HOST });
        await alert.waitFor();
        assert.ok(await createButton(other).isVisible(), 'Create War Room is offered again');
        assert.equal(await joinLink(other).count(), 0, 'no join link for a failed attempt');
        const failed = timelineEntries(other).filter({ hasText: `Zoom war room could not be created: ${CANNOT_HOST}` });
        assert.equal(await failed.count(), 1, 'the timeline records the failure');
        assert.equal((await zoom.meetings()).length, meetingsBefore, 'no meeting was created in Zoom');
        assert.ok(await other.getByRole('heading', { level: 1, name: `INC-1 ${OTHER_TITLE}` }).isVisible(), 'the incident itself is untouched');
        assert.ok(await other.getByText('Active · Investigating').isVisible());
        assert.equal(await other.getByRole('alert').filter({ hasText: CANNOT_HOST }).count(), 1, 'the failure is explained once, in the War room section');
        assert.equal(new URL(other.url()).pathname, path, 'the browser is back on the incident page: reloading it does not post again');
        await j.a11y(other, 'incident page (Zoom user cannot host)');
        await shot(other, '15-cannot-host');
      });
    });
  });

  describe('A scan after the journeys', () => {
    it('no start_url and no Zoom token appears in any page, API answer or log line', async (t) => {
      await j.step(t, async () => {
        await zoomSecrets.settled();
        const meetings = await zoom.meetings();
        for (const m of meetings) zoomSecrets.startUrls.add(m.start_url);
        // The scan is only worth something if it had secrets to look for.
        assert.ok(meetings.length >= 2 && zoomSecrets.startUrls.size >= meetings.length, `start_urls to look for: ${zoomSecrets.startUrls.size}`);
        assert.ok(zoomSecrets.accessTokens.size >= 2 && zoomSecrets.refreshTokens.size >= 2, 'both organizations’ Zoom tokens were seen');

        const pages = await j.recorded();
        const api = [...(await warRoomApiAnswers(j, owner)), ...(await warRoomApiAnswers(j, other))];
        const logs = serverLog.map((line, i) => ({ where: `server log line ${i + 1}`, text: line }));
        assert.ok(pages.some((p) => p.text.includes(joinUrl)), 'the recorded pages include the war room’s');
        assert.ok(api.some((a) => a.text.includes(joinUrl)), 'the API answers include the war room’s');
        assert.ok(serverLog.some((l) => l.includes('meeting call failed at the provider')), 'the server’s log lines were captured');
        t.diagnostic(`scanned ${pages.length} page answers and DOM snapshots, ${api.length} API answers, ${serverLog.length} log lines for ${zoomSecrets.startUrls.size} start_urls, ${zoomSecrets.accessTokens.size} access and ${zoomSecrets.refreshTokens.size} refresh tokens`);

        const secrets = [
          ...[...zoomSecrets.startUrls].map((value, i) => ({ name: `start_url #${i + 1}`, value })),
          ...[...zoomSecrets.accessTokens].map((value, i) => ({ name: `Zoom access token #${i + 1}`, value })),
          ...[...zoomSecrets.refreshTokens].map((value, i) => ({ name: `Zoom refresh token #${i + 1}`, value })),
          { name: 'a sandbox host link', value: new RegExp(`${SANDBOX_PREFIX}/s/`) },
        ];
        assert.deepEqual(findSecrets([...pages, ...api, ...logs], secrets), []);
        assert.deepEqual(findSecrets(api, [{ name: 'a start_url field', value: /start_?url/i }]), []);
      });
    });
  });

  it('no page logged a console error, threw, or answered 4xx/5xx unexpectedly', (t) => {
    for (const line of j.minorA11y) t.diagnostic(`axe (minor/moderate, not failing): ${line}`);
    assert.deepEqual(j.allErrors(), []);
  });
});
