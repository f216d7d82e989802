import { after } from 'node:test';
import type { GoogleConfig } from '../../src/config/index.ts';
import { startSandbox, testApp, WORKSPACE, CONSUMER, NO_MEET, MEET_SCOPE, type Running } from '../google-sandbox/helpers.ts';
import type { TestApp, Member } from './app.ts';
import { decodeHtml, followCallback, openConsent } from './connect.ts';

export { WORKSPACE, CONSUMER, NO_MEET, MEET_SCOPE };
export const GOOGLE_REDIRECT_URI = 'http://runframe.test/integrations/google_meet/callback';

/** Runframe as registered with a test Google sandbox (a "Web application" OAuth client). */
const RUNFRAME_CLIENT = testApp({ clientId: 'rf-google.apps.googleusercontent.com', clientSecret: 'rf-google-secret', redirectUris: [GOOGLE_REDIRECT_URI] });

/** Runframe's Google settings pointed at a sandbox: every Google host is the sandbox's one origin. */
export function googleConfigFor(sandbox: Running): GoogleConfig {
  return {
    mode: 'google',
    clientId: RUNFRAME_CLIENT.clientId,
    clientSecret: RUNFRAME_CLIENT.clientSecret,
    authBaseUrl: sandbox.url,
    tokenBaseUrl: sandbox.url,
    userinfoBaseUrl: sandbox.url,
    meetApiBaseUrl: sandbox.url,
    redirectUri: GOOGLE_REDIRECT_URI,
  };
}

/** A standalone Google sandbox over real HTTP with Runframe registered as its OAuth client. */
export async function startGoogle(opts: Parameters<typeof startSandbox>[0] = {}): Promise<{ sandbox: Running; google: GoogleConfig }> {
  const sandbox = await startSandbox(opts, RUNFRAME_CLIENT);
  after(() => sandbox.close());
  return { sandbox, google: googleConfigFor(sandbox) };
}


export interface GoogleConnectOptions {
  account?: string;
  /** The Meet scope stays ticked unless false (the person may untick it on Google's consent screen). */
  meetScope?: boolean;
  decision?: 'allow' | 'cancel';
  /** Rewrites the callback address before Runframe sees it (e.g. a tampered state). */
  tamper?: (callback: URL) => URL;
}

/** Connect on the Google Meet card, Google's consent page (Allow or Cancel), the callback: over HTTP. */
export async function connectGoogle(t: TestApp, m: Member, o: GoogleConnectOptions = {}) {
  const { authorizeUrl, html, form } = await openConsent(t, m, 'google_meet');
  form.set('account', o.account ?? WORKSPACE);
  for (const match of html.matchAll(/<input type="checkbox" id="scope-\d+" name="scope" value="([^"]+)"/g)) {
    const scope = decodeHtml(match[1] ?? '');
    if (scope !== MEET_SCOPE || o.meetScope !== false) form.append('scope', scope);
  }
  form.set('time_limit', 'unlimited');
  form.set('decision', o.decision ?? 'allow');
  const decided = await fetch(`${authorizeUrl.origin}${authorizeUrl.pathname}/decision`, { method: 'POST', body: form, redirect: 'manual' });
  let callback = new URL(decided.headers.get('location') ?? '');
  if (o.tamper) callback = o.tamper(callback);
  return { authorizeUrl, callback, ...(await followCallback(t, m, callback)) };
}

/** The Google Meet card as a user reads it. */
export async function googleCard(t: TestApp, m: Member) {
  const page = await t.page(m, 'GET', '/organization/integrations');
  const text = page.text.replace(/&#39;|&rsquo;|’/g, "'").replace(/&amp;/g, '&').replace(/&quot;|“|”/g, '"');
  const start = text.indexOf('id="card-google_meet"');
  const card = start < 0 ? '' : text.slice(text.lastIndexOf('<article', start), text.indexOf('</article>', start));
  const status = /data-status="([^"]+)"/.exec(card)?.[1] ?? '';
  return { status, html: card, page: text };
}
