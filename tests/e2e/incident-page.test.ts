// The incident page a responder lives on during a SEV, at 1280 px and on a 390 px phone (issue 13):
// Join Zoom war room is the one primary action, each Change control stays on one line with its
// button, the join link is shown whole, the meeting ID reads as Zoom shows it and copies as digits,
// the note form has its own place, and an Owner without Zoom gets a Connect Zoom link right there.
// Screenshots: test-output/screenshots/incident-page-*.png; axe on each width.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { failOnConsoleError } from '../support/console-guard.ts';
import { launchBrowser, screenshot, type TestBrowser } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { connectZoom, declareIncident, RecordingJourney, signIn, signUpOwner, warRoomSection, type Person } from '../support/journeys.ts';

failOnConsoleError();

const OWNER: Person = { name: 'Paula Owner', email: `paula-inc-${process.pid}@example.com`, password: 'correct horse battery staple' };
const WIDTHS = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;

let server: TestServer;
let browser: TestBrowser;
const j = new RecordingJourney(
  () => browser,
  () => server.url,
);
let owner: Page;
let incidentPath = '';

/** The visible buttons and button-styled links of the page's main area that are not secondary: the primary actions. */
const primaryActions = (page: Page) =>
  page.locator('main').evaluate((main) =>
    [...main.querySelectorAll<HTMLElement>('button, a.button')]
      .filter((el) => !el.classList.contains('secondary') && !el.classList.contains('link') && !el.classList.contains('danger') && el.offsetParent !== null)
      .map((el) => (el.textContent ?? '').trim()),
  );

describe('The incident page at 1280 and 390 px (Chromium)', { timeout: 300_000 }, () => {
  before(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    owner = await j.newPage();
    await signUpOwner(j, owner, OWNER, 'Umbrella Ops');
    await signIn(j, owner, OWNER);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('without Zoom, an Owner gets a Connect Zoom link in the War room section, which leads to the Integrations Hub', async (t) => {
    await j.step(t, async () => {
      incidentPath = await declareIncident(j, owner, { title: 'Card payments declined in the EU', severity: 'SEV1' });
      const connect = warRoomSection(owner).getByRole('link', { name: 'Connect Zoom' });
      await connect.waitFor();
      await connect.click();
      await owner.getByRole('heading', { level: 1, name: 'Integrations Hub' }).waitFor();
      await connectZoom(j, owner);
      await j.visit(owner, incidentPath);
      await warRoomSection(owner).getByRole('button', { name: 'Create War Room' }).click();
      await warRoomSection(owner).getByRole('link', { name: 'Join Zoom war room' }).waitFor();
    });
  });

  for (const size of WIDTHS) {
    it(`${size.name} (${size.width} px): one primary action, controls on one line, the whole link, the meeting ID in groups, no sideways scroll`, async (t) => {
      await j.step(t, async () => {
        await owner.setViewportSize({ width: size.width, height: size.height });
        await j.visit(owner, incidentPath);
        const section = warRoomSection(owner);
        await section.getByRole('link', { name: 'Join Zoom war room' }).waitFor();

        assert.deepEqual(await primaryActions(owner), ['Join Zoom war room'], 'Join is the one primary action');

        for (const [label, button] of [
          ['Status', 'Change status'],
          ['Severity', 'Change severity'],
          ['Incident lead', 'Set lead'],
        ] as const) {
          const select = await owner.getByLabel(label, { exact: true }).boundingBox();
          const btn = await owner.getByRole('button', { name: button }).boundingBox();
          assert.ok(select && btn, `${label} and ${button} are shown`);
          assert.ok(Math.abs(select.y + select.height / 2 - (btn.y + btn.height / 2)) < 6, `${label} and ${button} share one line at ${size.width} px`);
        }

        const link = section.getByLabel('War room join link');
        const joinUrl = await section.getByRole('link', { name: 'Join Zoom war room' }).getAttribute('href');
        assert.equal(await link.inputValue(), joinUrl);
        const fits = await link.evaluate((el: HTMLTextAreaElement) => el.scrollWidth <= el.clientWidth + 1 && el.scrollHeight <= el.clientHeight + 1);
        assert.ok(fits, `the whole join link is visible at ${size.width} px`);

        const id = section.locator('#war-room-meeting-id');
        const digits = (await id.getAttribute('data-digits')) ?? '';
        assert.match(digits, /^\d{10,11}$/);
        assert.match((await id.getAttribute('aria-label')) ?? '', /^\d{3} \d{3,4} \d{4}$/, 'grouped as Zoom shows it');
        assert.equal((await id.locator('span').count()), 3);
        assert.equal((await id.innerText()).trim(), digits, 'copying the ID gives its digits');

        const note = owner.locator('form.note-form');
        const lastEntry = await owner.getByRole('region', { name: 'Timeline' }).getByRole('listitem').last().boundingBox();
        const form = await note.boundingBox();
        assert.ok(lastEntry && form && form.y >= lastEntry.y + lastEntry.height + 8, 'the note form sits apart from the last timeline entry');

        assert.ok(await owner.evaluate(() => (document.scrollingElement?.scrollWidth ?? 0) <= window.innerWidth), `no sideways scroll at ${size.width} px`);
        await j.a11y(owner, `incident page (${size.name})`);
        await screenshot(owner, `incident-page-${size.width}`);
      });
    });
  }

  it('the other pages a responder uses (incident list, declare form, sign-in) fit both widths with no sideways scroll', async (t) => {
    await j.step(t, async () => {
      for (const path of ['/incidents', '/incidents/new']) {
        for (const size of WIDTHS) {
          await owner.setViewportSize({ width: size.width, height: size.height });
          await j.visit(owner, path);
          assert.ok(await owner.evaluate(() => (document.scrollingElement?.scrollWidth ?? 0) <= window.innerWidth), `no sideways scroll on ${path} at ${size.width} px`);
          await j.a11y(owner, `${path} (${size.name})`);
          await screenshot(owner, `page${path.replace(/\//g, '-')}-${size.width}`);
        }
      }
      const visitor = await j.newPage();
      for (const size of WIDTHS) {
        await visitor.setViewportSize({ width: size.width, height: size.height });
        await j.visit(visitor, '/sign-in');
        assert.ok(await visitor.evaluate(() => (document.scrollingElement?.scrollWidth ?? 0) <= window.innerWidth), `no sideways scroll on /sign-in at ${size.width} px`);
        await j.a11y(visitor, `/sign-in (${size.name})`);
        await screenshot(visitor, `page-sign-in-${size.width}`);
      }
      await visitor.context().close();
    });
  });

  it('no page logged a console error, threw, or answered 4xx/5xx unexpectedly', (t) => {
    for (const line of j.minorA11y) t.diagnostic(`axe (minor/moderate, not failing): ${line}`);
    assert.deepEqual(j.allErrors(), []);
  });
});
