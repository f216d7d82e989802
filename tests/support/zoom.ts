import { after } from 'node:test';
import type { ZoomConfig } from '../../src/config/index.ts';
import { ALL_SCOPES, startSandbox, HOST_ID, type Running } from '../zoom-sandbox/helpers.ts';
import { makeTestApp, type TestApp, type Member } from './app.ts';
import { until } from './until.ts';
import { followCallback, openConsent } from './connect.ts';

export const WEBHOOK_SECRET = 'wh-secret-for-tests';
export const REDIRECT_URI = 'http://runframe.test/integrations/zoom/callback';
export { HOST_ID };

/** A standalone Zoom sandbox over real HTTP with Runframe registered as its app. */
export async function startZoom(): Promise<{ sandbox: Running; zoom: ZoomConfig }> {
  const sandbox = await startSandbox();
  after(() => sandbox.close());
  await sandbox.sandbox.registerApp(RUNFRAME_APP);
  return { sandbox, zoom: zoomConfigFor(sandbox) };
}

/** Runframe as registered with a test sandbox: every scope the README asks for, and more. */
const RUNFRAME_APP = { name: 'Runframe', clientId: 'rf-client', clientSecret: 'rf-secret', redirectUris: [REDIRECT_URI], scopes: ALL_SCOPES };

/** Runframe's Zoom settings pointed at a test sandbox. */
function zoomConfigFor(sandbox: Running): ZoomConfig {
  return {
    mode: 'zoom',
    clientId: RUNFRAME_APP.clientId,
    clientSecret: RUNFRAME_APP.clientSecret,
    webhookSecretToken: WEBHOOK_SECRET,
    oauthBaseUrl: sandbox.url,
    apiBaseUrl: `${sandbox.url}/v2`,
    redirectUri: REDIRECT_URI,
    webhookUrl: 'http://runframe.test/webhooks/zoom',
  };
}

/**
 * Holds the next call to `endpoint` in the sandbox until `release()` (docs/zoom-sandbox.md, `hold`):
 * a test sees a call in flight for exactly as long as it needs, instead of guessing a delay.
 */
export async function holdNextCall(sandbox: Running, endpoint: string): Promise<{ reached: () => Promise<void>; release: () => Promise<void> }> {
  const { json } = await sandbox.control<{ fault: { id: number } }>('POST', '/faults', { endpoint, fault: { kind: 'hold' } });
  const waiting = async () => (await sandbox.control<{ faults: Array<{ id: number; held: number }> }>('GET', '/faults')).json.faults.find((f) => f.id === json.fault.id)?.held;
  return {
    reached: async () => void (await until(`a call to ${endpoint} held in the sandbox`, waiting)),
    release: async () => void (await sandbox.control('POST', `/faults/${json.fault.id}/release`)),
  };
}

/** A request Runframe sent to Zoom (the sandbox): where to, its form or JSON body, and Zoom's answer. */
export interface SentRequest {
  url: string;
  body: string;
  answer?: string;
}

/**
 * Passes every request through to the sandbox unchanged, recording what Runframe sent and every body
 * Zoom answered, so a test can see which token was used and a leak scan knows what the secrets were.
 */
export function recordingFetch(): { fetch: typeof fetch; bodies: string[]; requests: SentRequest[] } {
  const bodies: string[] = [];
  const requests: SentRequest[] = [];
  const wrapped: typeof fetch = async (input, init) => {
    const sent: SentRequest = { url: String(input), body: typeof init?.body === 'string' ? init.body : '' };
    requests.push(sent);
    const res = await fetch(input, init);
    const text = await res.clone().text();
    sent.answer = text;
    bodies.push(text);
    return res;
  };
  return { fetch: wrapped, bodies, requests };
}

/** Every authorization code the sandbox sent back to a callback in this test process (for leak scans). */
export const issuedCodes = new Set<string>();

export interface ConnectOptions {
  userId?: string;
  scopes?: string[];
  decision?: 'allow' | 'decline';
  /** Stop after Zoom redirects back, without calling Runframe's callback. */
  stopAtCallback?: boolean;
}

/** Walks the guide's "To add Zoom" over HTTP: Connect, the consent page, Allow (or Decline), the callback. */
export async function connectZoom(t: TestApp, m: Member, o: ConnectOptions = {}) {
  const { authorizeUrl, form } = await openConsent(t, m, 'zoom');
  form.set('user_id', o.userId ?? HOST_ID);
  for (const scope of o.scopes ?? ALL_SCOPES) form.append('scope', scope);
  form.set('decision', o.decision ?? 'allow');
  const decided = await fetch(new URL('/oauth/authorize/decision', authorizeUrl), { method: 'POST', body: form, redirect: 'manual' });
  const callback = new URL(decided.headers.get('location') ?? '');
  const code = callback.searchParams.get('code');
  if (code) issuedCodes.add(code);
  if (o.stopAtCallback) return { authorizeUrl, callback, result: null as string | null, back: null };
  return { authorizeUrl, callback, ...(await followCallback(t, m, callback)) };
}

/** The Zoom card as a user reads it. */
export async function zoomCard(t: TestApp, m: Member) {
  const page = await t.page(m, 'GET', '/organization/integrations');
  const text = page.text.replace(/&#39;|&rsquo;/g, "'").replace(/&amp;/g, '&');
  const status = /data-status="([^"]+)"/.exec(text)?.[1] ?? '';
  return { status, html: text };
}

/** A new organization whose Owner has connected Zoom (the sandbox) through the guide's steps. */
export async function ownerWithZoom(t: TestApp, orgName?: string): Promise<Member> {
  const o = await t.owner(orgName);
  await connectZoom(t, o);
  return o;
}

/** Declares an active SEV1 incident through the API. */
export async function declareSev1(t: TestApp, m: Member, title = 'Checkout errors') {
  const r = await t.api(m, 'POST', '/api/v1/incidents', { title, severity: 'SEV1' });
  if (r.status !== 201) throw new Error(`declare answered ${r.status}: ${r.text.slice(0, 300)}`);
  return r.json.incident;
}

/**
 * A sandbox whose signed webhooks (meeting started/ended as participants come and go, removals in
 * its Marketplace) reach the test app in-process, stamped on the test app's clock. `delivered()`
 * waits for every delivery sent so far to be answered: no sleeping, no polling.
 */
export async function startZoomDelivering(): Promise<{ sandbox: Running; t: TestApp; delivered(): Promise<void> }> {
  let app: TestApp | null = null;
  const pending: Promise<unknown>[] = [];
  const route: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (app && url.startsWith('http://runframe.test/')) {
      const answer = Promise.resolve(app.app.request(url.slice('http://runframe.test'.length), init));
      pending.push(answer);
      return answer;
    }
    return fetch(input, init);
  };
  const sandbox = await startSandbox({ fetch: route, clock: () => (app ? app.clock.now() : new Date()) });
  after(() => sandbox.close());
  await sandbox.sandbox.registerApp(RUNFRAME_APP);
  const zoom = zoomConfigFor(sandbox);
  const t = await makeTestApp({ zoom });
  app = t;
  // Subscribing validates the endpoint (CRC), as Zoom does: Runframe must answer it.
  await sandbox.sandbox.registerApp({ ...RUNFRAME_APP, webhookUrl: zoom.webhookUrl, webhookSecretToken: WEBHOOK_SECRET });
  return {
    sandbox,
    t,
    async delivered() {
      while (pending.length > 0) await Promise.all(pending.splice(0));
    },
  };
}
