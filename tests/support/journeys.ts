// Shared steps of the browser journeys: the guide's words ("Sign in to Runframe", "Navigate to
// Organization then Integrations Hub", …) as functions, plus the Zoom sandbox's control API and the
// bookkeeping every journey repeats (page-error tracking, axe findings, step chaining).
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { checkA11y, trackPageErrors, type TestBrowser } from './browser.ts';
import { until } from './until.ts';

export interface Person {
  name: string;
  email: string;
  password: string;
}

/**
 * Per-journey bookkeeping: pages with their collected errors, axe findings below "serious" (listed, not
 * failing), and step chaining (after the first failure the rest are skipped rather than reported as noise).
 */
export class Journey {
  readonly pageErrors = new Map<Page, string[]>();
  readonly minorA11y: string[] = [];
  broken = false;

  constructor(
    private readonly browser: () => TestBrowser,
    readonly baseUrl: () => string,
  ) {}

  /** A page in a new browser context: its own cookies, as a second person on another machine would have. */
  async newPage(): Promise<Page> {
    const context = await this.browser().newContext();
    // Tabs the page opens later (a link with target=_blank) are tracked from their first request.
    context.on('page', (p) => this.track(p));
    const page = await context.newPage();
    this.track(page);
    return page;
  }

  /** Starts collecting a page's errors (once per page). */
  track(page: Page): void {
    if (!this.pageErrors.has(page)) this.pageErrors.set(page, trackPageErrors(page));
  }

  async step(t: TestContext, fn: () => Promise<void>): Promise<void> {
    if (this.broken) return void t.skip('an earlier step failed');
    try {
      await fn();
    } catch (err) {
      this.broken = true;
      throw err;
    }
  }

  /** axe-core: serious or critical findings fail; the others are kept for the final diagnostic. */
  async a11y(page: Page, label: string): Promise<void> {
    for (const v of await checkA11y(page, label)) {
      this.minorA11y.push(`${label}: [${v.impact}] ${v.id} ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    }
  }

  url(path: string): string {
    return new URL(path, this.baseUrl()).toString();
  }

  /** Goes to a path of the test server and fails unless the page answered 200. */
  async visit(page: Page, path: string): Promise<void> {
    const res = await page.goto(this.url(path), { waitUntil: 'load' });
    assert.ok(res, `no response for ${path}`);
    assert.equal(res.status(), 200, `GET ${path} answered ${res.status()}`);
  }

  allErrors(): string[] {
    return [...this.pageErrors.values()].flat();
  }
}

// ---------------------------------------------------------------------------------------------------
// Runframe

/** Creates an account with a new organization (the signer becomes its Owner), then signs out. */
export async function signUpOwner(j: Journey, page: Page, person: Person, org: string): Promise<void> {
  await j.visit(page, '/sign-up');
  await page.getByLabel('Your name').fill(person.name);
  await page.getByLabel('Work email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByLabel('Organization name').fill(org);
  await page.getByRole('button', { name: 'Create account' }).click();
  await signInAfterSignUp(j, page, person.password);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(j.url('/sign-in'));
}

/** Sign-up answers with the sign-in form, email filled in (the same answer for a taken email). */
export async function signInAfterSignUp(j: { url(path: string): string }, page: Page, password: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name: 'Sign in to Runframe' }).waitFor();
  await page.getByText('Your account is ready: sign in to continue.').waitFor();
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(j.url('/incidents'));
}

/** "Sign in to Runframe." */
export async function signIn(j: Journey, page: Page, person: Person, opts: { a11yLabel?: string } = {}): Promise<void> {
  await j.visit(page, '/sign-in');
  await page.getByRole('heading', { level: 1, name: 'Sign in to Runframe' }).waitFor();
  if (opts.a11yLabel) await j.a11y(page, opts.a11yLabel);
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(j.url('/incidents'));
  assert.ok(await page.getByText(person.name).first().isVisible(), 'the header names the signed-in user');
}

/** "Navigate to Organization then Integrations Hub." */
export async function openIntegrationsHub(j: Journey, page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organization' }).click();
  await page.waitForURL(j.url('/organization/members'));
  await page.getByRole('navigation', { name: 'Organization' }).getByRole('link', { name: 'Integrations Hub' }).click();
  await page.waitForURL(j.url('/organization/integrations'));
  await page.getByRole('heading', { level: 1, name: 'Integrations Hub' }).waitFor();
}

/** "Find Zoom in the Communication section": the Zoom card, looked up where the guide says it is. */
export function zoomCard(page: Page): Locator {
  return page.getByRole('region', { name: 'Communication' }).getByRole('article', { name: 'Zoom' });
}

export type CardStatus = 'Not connected' | 'Connected' | 'Reconnect required';

/** Waits for the Zoom card and returns the status it shows (its badge, cross-checked with data-status). */
export async function cardStatus(page: Page): Promise<string> {
  const card = zoomCard(page);
  await card.waitFor();
  const badge = card.getByRole('status', { name: /^Zoom status: / });
  const text = (await badge.innerText()).trim();
  assert.equal(await card.getAttribute('data-status'), text, 'the badge and data-status of the Zoom card agree');
  return text;
}

export async function expectCardStatus(page: Page, expected: CardStatus): Promise<void> {
  assert.equal(await cardStatus(page), expected, `the Zoom card should show ${expected}`);
  assert.ok(await zoomCard(page).getByRole('status', { name: `Zoom status: ${expected}` }).isVisible(), `the "${expected}" badge is visible`);
}

/**
 * Reloads the page until `check` holds, bounded by a deadline: for effects that arrive asynchronously
 * (a webhook). Each round trip paces the loop; nothing sleeps.
 */
export async function reloadUntil(page: Page, check: () => Promise<boolean>, what: string, timeoutMs = 5_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let reloads = 0;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `${what}: still not true after ${reloads} reloads in ${timeoutMs} ms`);
    await page.reload({ waitUntil: 'load' });
    reloads++;
  }
  return reloads;
}

/** The trash icon on the Zoom card, "Disconnect Zoom?", "Yes, Disconnect"; lands back on the hub. */
export async function disconnectZoom(j: Journey, page: Page, opts: { a11yLabel?: string } = {}): Promise<void> {
  await zoomCard(page).getByRole('link', { name: 'Disconnect Zoom' }).click();
  await page.waitForURL(j.url('/organization/integrations/zoom/disconnect'));
  const dialog = page.getByRole('dialog', { name: 'Disconnect Zoom?' });
  await dialog.getByRole('heading', { level: 1, name: 'Disconnect Zoom?' }).waitFor();
  if (opts.a11yLabel) await j.a11y(page, opts.a11yLabel);
  await dialog.getByRole('button', { name: 'Yes, Disconnect' }).click();
  await page.waitForURL((u) => u.pathname === '/organization/integrations');
}

/** Creates an invite link for a role on Organization › Members and returns it. */
export async function createInviteLink(page: Page, role: string): Promise<string> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organization' }).click();
  await page.getByRole('heading', { level: 1, name: /· Members$/ }).waitFor();
  await page.getByLabel('Role', { exact: true }).selectOption({ label: role });
  await page.getByRole('button', { name: 'Create invite link' }).click();
  const status = page.getByRole('status').filter({ hasText: `Invite link for a new ${role}` });
  await status.waitFor();
  return (await status.getByLabel('Invite link').inputValue()).trim();
}

/** Opens an invite link in a fresh context and signs up through it. */
export async function acceptInvite(j: Journey, page: Page, inviteUrl: string, person: Person, opts: { a11yLabel?: string } = {}): Promise<void> {
  const res = await page.goto(inviteUrl);
  assert.equal(res?.status(), 200, 'the invite link opens');
  await page.getByRole('heading', { level: 1, name: /^Join / }).waitFor();
  if (opts.a11yLabel) await j.a11y(page, opts.a11yLabel);
  await page.getByLabel('Your name').fill(person.name);
  await page.getByLabel('Work email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Create account and join' }).click();
  await signInAfterSignUp(j, page, person.password);
}

// ---------------------------------------------------------------------------------------------------
// The Zoom sandbox (demo mode mounts it at /zoom-sandbox of the same server)

export const SANDBOX_PREFIX = '/zoom-sandbox';
export const SANDBOX_HOST = { email: 'host@sandbox.zoom.test', name: 'Sandy Host' };

export interface WebhookDelivery {
  id: number;
  event: string;
  body: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: Array<{ at: string; status: number | null; error?: string }>;
}

/** The sandbox's control API (docs/zoom-sandbox.md, "Control API"): JSON; demo mode wants the per-process token. */
export function sandboxControl(baseUrl: () => string, token: () => string | null = () => null) {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const t = token();
    const res = await fetch(new URL(`${SANDBOX_PREFIX}/_control${path}`, baseUrl()), {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(t ? { 'x-zoom-sandbox-control-token': t } : {}) },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} /_control${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  };
  return {
    call,
    async userId(email: string): Promise<string> {
      const { users } = await call<{ users: Array<{ id: string; email: string }> }>('GET', '/users');
      const u = users.find((x) => x.email === email);
      assert.ok(u, `the sandbox has a user ${email}`);
      return u.id;
    },
    async webhooks(): Promise<WebhookDelivery[]> {
      return (await call<{ deliveries: WebhookDelivery[] }>('GET', '/webhooks')).deliveries;
    },
    revokeGrants: (userId: string, body: { notify?: boolean; clientId?: string }) => call<{ revoked: number }>('POST', `/users/${encodeURIComponent(userId)}/revoke-grants`, body),
    expireTokens: (body: { userId?: string } = {}) => call<{ expired: number }>('POST', '/expire-tokens', body),
    /** Every meeting the sandbox holds, as its REST API would show it (start_url included: it is the sandbox's). */
    async meetings(): Promise<SandboxMeeting[]> {
      return (await call<{ meetings: SandboxMeeting[] }>('GET', '/meetings')).meetings;
    },
    /** Arms a fault (docs/zoom-sandbox.md, "Faults"); without `times` or a deadline it hits the next matching call only. */
    addFault: (body: { endpoint: string; times?: number; forMs?: number; fault: Record<string, unknown> & { kind: string } }) => call<{ fault: { id: number } }>('POST', '/faults', body),
    /**
     * Holds the next matching call in the sandbox until `release()`: the test sees the in-flight state
     * for as long as it needs, instead of a fixed delay that is too long on a quiet machine and may be
     * too short on a busy one.
     */
    async hold(endpoint: string): Promise<{ reached: () => Promise<void>; release: () => Promise<void> }> {
      const { fault } = await call<{ fault: { id: number } }>('POST', '/faults', { endpoint, fault: { kind: 'hold', maxMs: 120_000 } });
      const waiting = async () => (await call<{ faults: Array<{ id: number; held: number }> }>('GET', '/faults')).faults.find((f) => f.id === fault.id)?.held ?? 0;
      return {
        /** Resolves once the call has arrived and is being held. */
        reached: async () => void (await until(`a call to ${endpoint} held in the sandbox`, async () => (await waiting()) > 0)),
        release: async () => void (await call<{ released: number }>('POST', `/faults/${fault.id}/release`)),
      };
    },
  };
}

export interface SandboxMeeting {
  id: number;
  host_id: string;
  host_email: string;
  topic: string;
  status: string;
  agenda: string;
  join_url: string;
  start_url: string;
  deleted?: boolean;
}

/** The sandbox endpoint Runframe calls to create a meeting (`POST /users/me/meetings`). */
export const SANDBOX_CREATE_MEETING = 'POST /v2/users/:userId/meetings';

/**
 * "Click Connect", "You will be redirected to Zoom", "Review the requested Zoom permissions and authorize
 * Runframe" (signing in as `sandboxUserId`, the licensed host by default), back on the hub: Connected.
 * Starts and ends on Integrations Hub.
 */
export async function connectZoom(j: Journey, page: Page, opts: { sandboxUserId?: string; a11yLabel?: string } = {}): Promise<void> {
  await zoomCard(page).getByRole('button', { name: 'Connect', exact: true }).click();
  await page.waitForURL((u) => u.pathname === `${SANDBOX_PREFIX}/oauth/authorize`);
  await page.getByRole('heading', { level: 1, name: 'Authorize Runframe' }).waitFor();
  if (opts.a11yLabel) await j.a11y(page, opts.a11yLabel);
  if (opts.sandboxUserId) await page.getByLabel('Sandbox user').selectOption(opts.sandboxUserId);
  await page.getByRole('button', { name: 'Allow', exact: true }).click();
  await page.waitForURL((u) => u.pathname === '/organization/integrations');
  await page.getByRole('heading', { level: 1, name: 'Integrations Hub' }).waitFor();
  await expectCardStatus(page, 'Connected');
}

export type Severity = 'SEV0' | 'SEV1' | 'SEV2' | 'SEV3' | 'SEV4';

/** Incidents › Declare incident › title and severity › Declare incident; returns the incident page's path. */
export async function declareIncident(j: Journey, page: Page, opts: { title: string; severity: Severity }): Promise<string> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Incidents' }).click();
  await page.waitForURL(j.url('/incidents'));
  await page.getByRole('main').getByRole('link', { name: /^Declare (your first )?incident$/ }).first().click();
  await page.waitForURL(j.url('/incidents/new'));
  await page.getByLabel('Title', { exact: true }).fill(opts.title);
  await page.getByLabel(opts.severity, { exact: true }).check();
  await page.getByRole('button', { name: 'Declare incident' }).click();
  await page.waitForURL((u) => /^\/incidents\/\d+$/.test(u.pathname));
  await page.getByRole('heading', { level: 1, name: new RegExp(`^INC-\\d+ ${escapeRegExp(opts.title)}$`) }).waitFor();
  return new URL(page.url()).pathname;
}

export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** "Open the incident in Runframe": from the incident list, by its title. */
export async function openIncident(j: Journey, page: Page, title: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Incidents' }).click();
  await page.waitForURL(j.url('/incidents'));
  await page.getByRole('main').getByRole('link', { name: new RegExp(`^INC-\\d+ ${escapeRegExp(title)}$`) }).click();
  await page.getByRole('heading', { level: 1, name: new RegExp(`^INC-\\d+ ${escapeRegExp(title)}$`) }).waitFor();
}

/** The incident page's War room section. */
export function warRoomSection(page: Page): Locator {
  return page.getByRole('region', { name: 'War room' });
}

/** The incident page's timeline entries. */
export function timelineEntries(page: Page): Locator {
  return page.getByRole('region', { name: 'Timeline' }).getByRole('listitem');
}

/**
 * Marks the document so that a later `assertNotReloaded` proves a change arrived in place (by the
 * page's own polling), not through a navigation.
 */
export async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __journeyMark?: string }).__journeyMark = 'same document';
  });
}

export async function assertNotReloaded(page: Page, what: string): Promise<void> {
  const mark = await page.evaluate(() => (window as unknown as { __journeyMark?: string }).__journeyMark ?? null);
  assert.equal(mark, 'same document', `${what} must arrive without reloading the page`);
}

// ---------------------------------------------------------------------------------------------------
// Keyboard use

/** Whether `target` is the focused element of its page. */
export async function isFocused(target: Locator): Promise<boolean> {
  return (await target.count()) === 1 && (await target.evaluate((el) => el === document.activeElement));
}

/**
 * Presses Tab (only Tab) until `target` has the keyboard focus, as a keyboard user would, and returns
 * how many presses it took; fails after `max` presses.
 */
export async function tabTo(page: Page, target: Locator, what: string, max = 60): Promise<number> {
  for (let presses = 1; presses <= max; presses++) {
    await page.keyboard.press('Tab');
    if (await isFocused(target)) return presses;
  }
  const focused = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120) ?? null);
  throw new Error(`${what}: not reached with ${max} presses of Tab (focus is on ${focused})`);
}

/** The focused element shows where it is: a visible outline or a box-shadow, from the computed style. */
export async function assertVisibleFocus(page: Page, what: string): Promise<void> {
  const style = await page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const s = getComputedStyle(el);
    return { outlineStyle: s.outlineStyle, outlineWidth: s.outlineWidth, boxShadow: s.boxShadow, tag: el.tagName };
  });
  assert.ok(style, `${what}: nothing has the keyboard focus`);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== 'none' && style.boxShadow !== '';
  assert.ok(outline || shadow, `${what}: the focused ${style.tag} shows no focus indicator (outline ${style.outlineStyle} ${style.outlineWidth}, box-shadow ${style.boxShadow})`);
}

// ---------------------------------------------------------------------------------------------------
// A scan after the journeys: what a user or an operator could see, searched for secrets

/** One thing a user or an operator could see: a page, an HTTP answer, a log line. */
export interface Seen {
  where: string;
  text: string;
}

/**
 * A Journey that also keeps what its browsers were shown by Runframe (not by the Zoom sandbox, which
 * stands in for Zoom): every HTML or JSON answer, headers included, and each page's DOM whenever
 * `a11y` checks it.
 */
export class RecordingJourney extends Journey {
  readonly seen: Seen[] = [];
  private readonly reading: Promise<void>[] = [];

  override async newPage(): Promise<Page> {
    const page = await super.newPage();
    page.context().on('response', (res) => this.reading.push(this.keep(res)));
    return page;
  }

  private ours(url: string): boolean {
    const u = new URL(url);
    return u.origin === new URL(this.baseUrl()).origin && !u.pathname.startsWith(`${SANDBOX_PREFIX}/`);
  }

  private async keep(res: import('playwright-core').Response): Promise<void> {
    if (!this.ours(res.url())) return;
    const type = res.headers()['content-type'] ?? '';
    const where = `${res.request().method()} ${new URL(res.url()).pathname} (${res.status()})`;
    let body = '';
    if (/html|json|text\/plain/.test(type)) {
      try {
        body = await res.text();
      } catch {
        body = ''; // redirects and loads cut short by a navigation have no body
      }
    }
    this.seen.push({ where, text: `${JSON.stringify(res.headers())}\n${body}` });
  }

  override async a11y(page: Page, label: string): Promise<void> {
    if (this.ours(page.url())) this.seen.push({ where: `the page "${label}" (${page.url()})`, text: await page.content() });
    await super.a11y(page, label);
  }

  /** Everything kept, once the bodies still being read are in. */
  async recorded(): Promise<Seen[]> {
    await Promise.allSettled(this.reading);
    return this.seen;
  }
}

export interface ZoomSecrets {
  startUrls: Set<string>;
  accessTokens: Set<string>;
  refreshTokens: Set<string>;
  /** Everything collected, once the answers still being read are in. */
  settled(): Promise<void>;
  restore(): void;
}

/**
 * Keeps every `start_url`, `access_token` and `refresh_token` the Zoom sandbox answers with, by wrapping
 * this process's fetch (the test server runs in it and reaches the sandbox over HTTP). Install it before
 * the server starts: Runframe's Zoom OAuth client takes the global fetch when it is built (its REST
 * client uses node:http, so the meetings' start_urls are taken from the sandbox's control API). The
 * control API shows grants and meetings but no tokens, hence the wrapper.
 */
export function recordZoomSecrets(): ZoomSecrets {
  const original = globalThis.fetch;
  const reading: Promise<void>[] = [];
  const secrets: ZoomSecrets = {
    startUrls: new Set(),
    accessTokens: new Set(),
    refreshTokens: new Set(),
    async settled() {
      await Promise.allSettled(reading);
    },
    restore() {
      globalThis.fetch = original;
    },
  };
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(collect);
    if (value === null || typeof value !== 'object') return;
    for (const [key, v] of Object.entries(value)) {
      if (typeof v === 'string' && v !== '') {
        if (key === 'start_url') secrets.startUrls.add(v);
        if (key === 'access_token') secrets.accessTokens.add(v);
        if (key === 'refresh_token') secrets.refreshTokens.add(v);
      } else collect(v);
    }
  };
  globalThis.fetch = async (input, init) => {
    const res = await original(input, init);
    const url = res.url || (input instanceof Request ? input.url : String(input));
    if (new URL(url).pathname.startsWith(`${SANDBOX_PREFIX}/`) && (res.headers.get('content-type') ?? '').includes('json')) {
      reading.push(res.clone().json().then(collect, () => undefined));
    }
    return res;
  };
  return secrets;
}

/** GET /api/v1/incidents, then GET /api/v1/incidents/{id}/war-room for each, as the page's signed-in user. */
export async function warRoomApiAnswers(j: Journey, page: Page): Promise<Seen[]> {
  const out: Seen[] = [];
  const get = async (path: string): Promise<string> => {
    const res = await page.request.get(j.url(path), { headers: { accept: 'application/json' } });
    const text = await res.text();
    assert.equal(res.status(), 200, `GET ${path} answered ${res.status()}: ${text.slice(0, 300)}`);
    out.push({ where: `GET ${path}`, text: `${JSON.stringify(res.headers())}\n${text}` });
    return text;
  };
  const list = JSON.parse(await get('/api/v1/incidents?perPage=100')) as { incidents: Array<{ id: string; reference: string }>; total: number };
  assert.equal(list.incidents.length, list.total, 'every incident is on the one page asked for');
  for (const incident of list.incidents) await get(`/api/v1/incidents/${incident.reference}/war-room`);
  return out;
}

/** Each secret (or pattern) found in what was seen, as "<secret name> in <where>". */
export function findSecrets(seen: Seen[], secrets: Array<{ name: string; value: string | RegExp }>): string[] {
  const found: string[] = [];
  for (const s of seen) {
    for (const secret of secrets) {
      const hit = typeof secret.value === 'string' ? secret.value !== '' && s.text.includes(secret.value) : secret.value.test(s.text);
      if (hit) found.push(`${secret.name} in ${s.where}`);
    }
  }
  return found;
}
