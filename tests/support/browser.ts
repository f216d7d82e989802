import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Git-ignored (see .gitignore): screenshots are for people, never compared by tests. */
export const SCREENSHOT_DIR = path.join(root, 'test-output', 'screenshots');
const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** The flags ARCHITECTURE.md prescribes for Debian's chromium on this machine (no browser download is possible). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  browser: Browser;
  /** A new context: its own cookies and storage, as a second person on another machine would have. */
  newContext(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * Debian's Chromium build for headless use (package chromium-headless-shell, Chromium's own "old
 * headless" shell, the one Playwright itself drives when headless) when it is installed: the same Blink,
 * V8 and network stack without the desktop browser's layers, at about 30% less CPU per journey
 * (docs/decisions/0005). Else the desktop `chromium` in headless mode. CHROMIUM_PATH picks another.
 */
const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? (existsSync('/usr/bin/chromium-headless-shell') ? '/usr/bin/chromium-headless-shell' : '/usr/bin/chromium');

/**
 * Debian's chromium, headless, with a fresh temporary profile dir from Playwright (deleted on close);
 * each context is isolated on top of it, so two users never share cookies. Under scripts/test.mjs (one
 * worker process runs many files) the worker keeps one browser for all its journey files and `close()`
 * closes only the contexts a file opened: a launch costs ~1 s of CPU across Chromium's processes
 * (decision 0005). Run alone, a file launches and closes its own.
 */
export async function launchBrowser(opts: { timeoutMs?: number } = {}): Promise<TestBrowser> {
  const shared = process.env['RUNFRAME_TEST_SHARED_DB'] === '1';
  const browser = shared ? await sharedBrowser() : await launch();
  const timeout = opts.timeoutMs ?? 10_000;
  const contexts = new Set<BrowserContext>();
  return {
    browser,
    async newContext() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
      contexts.add(context);
      context.once('close', () => contexts.delete(context));
      // Fail in seconds, not Playwright's default 30 s, when an element never shows up.
      context.setDefaultTimeout(timeout);
      context.setDefaultNavigationTimeout(timeout);
      return context;
    },
    async close() {
      if (!shared) return browser.close();
      await Promise.all([...contexts].map((c) => c.close()));
    },
  };
}

const launch = () => chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
let workerBrowser: Promise<Browser> | null = null;
/** The worker's browser, launched again if it went away (a crash is the file's failure, not the next file's). */
async function sharedBrowser(): Promise<Browser> {
  const current = workerBrowser && (await workerBrowser.catch(() => null));
  if (current?.isConnected()) return current;
  workerBrowser = launch();
  return workerBrowser;
}

/** Closes the worker's browser (scripts/test-worker.ts calls it after its last file). */
export async function closeSharedBrowser(): Promise<void> {
  const current = workerBrowser && (await workerBrowser.catch(() => null));
  workerBrowser = null;
  await current?.close();
}

/**
 * Collects the page's console errors, uncaught exceptions and 4xx/5xx page loads; a test asserts the list is empty, since
 * a console.error nobody expected is a failure (ARCHITECTURE.md) in the browser as on the server.
 */
export function trackPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const where = msg.location().url;
      errors.push(`console.error on ${page.url()}: ${msg.text()}${where && where !== page.url() ? ` (${where})` : ''}`);
    }
  });
  page.on('pageerror', (err) => errors.push(`uncaught on ${page.url()}: ${err.message}`));
  // A happy-path journey never lands on an error page; a 4xx/5xx document is worth failing on.
  page.on('response', (res) => {
    if (res.request().isNavigationRequest() && res.frame() === page.mainFrame() && res.status() >= 400) {
      errors.push(`HTTP ${res.status()} for ${res.request().method()} ${res.url()}`);
    }
  });
  return errors;
}

/** Saves a full-page screenshot as test-output/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^a-z0-9._-]+/gi, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

interface AxeNode {
  target: unknown[];
  failureSummary?: string;
}
export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  helpUrl: string;
  nodes: AxeNode[];
}

const BLOCKING = new Set(['serious', 'critical']);

/**
 * Runs axe-core on the page as it is now and fails with every serious or critical violation (rule id,
 * impact, help, the CSS targets). Returns all violations, so a caller can look at the minor ones too.
 */
export async function checkA11y(page: Page, label: string): Promise<AxeViolation[]> {
  const hasAxe = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  // Evaluated through DevTools, not as a <script> tag: the pages' CSP rightly blocks inline scripts.
  if (!hasAxe) await page.evaluate(readFileSync(AXE_PATH, 'utf8'));
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations;
  });
  const all = violations as AxeViolation[];
  const blocking = all.filter((v) => v.impact !== null && BLOCKING.has(v.impact));
  if (blocking.length > 0) {
    const lines = blocking.map(
      (v) =>
        `  - [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes.map((n) => `      at ${n.target.map(String).join(' ')}${n.failureSummary ? `\n        ${n.failureSummary.replace(/\n/g, '\n        ')}` : ''}`).join('\n'),
    );
    assert.fail(`axe-core found ${blocking.length} serious or critical accessibility violation(s) on "${label}" (${page.url()}):\n${lines.join('\n')}`);
  }
  return all;
}

/** True when the element the locator names has keyboard focus. */
export async function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => el === document.activeElement);
}
