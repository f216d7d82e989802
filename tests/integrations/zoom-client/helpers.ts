import { createHash, randomBytes } from 'node:crypto';
import { startSandbox, testApp, HOST_ID, REDIRECT, ALL_SCOPES, type Running } from '../../zoom-sandbox/helpers.ts';
import { buildAuthorizeUrl, exchangeCode, type TokenSet } from '../../../src/integrations/zoom/index.ts';

export { HOST_ID, REDIRECT, ALL_SCOPES, type Running };
export const BASIC_ID = 'sandboxBasicUser000002';
export const CLIENT_ID = 'rf-client';
export const CLIENT_SECRET = 'rf-secret';

/** A real sandbox over HTTP on port 0 with the Runframe app registered. */
export async function startZoom(over: Parameters<typeof testApp>[0] = {}): Promise<Running> {
  const s = await startSandbox();
  await s.sandbox.registerApp(testApp(over));
  return s;
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function decodeHtml(v: string): string {
  return v.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Opens `authorizeUrl` and clicks Allow as a browser would; returns the redirect location. */
export async function consent(authorizeUrl: string, o: { userId?: string; scopes?: string[]; decision?: 'allow' | 'decline' } = {}): Promise<URL> {
  const page = await fetch(authorizeUrl);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}: ${html.slice(0, 200)}`);
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.append(m[1] ?? '', decodeHtml(m[2] ?? ''));
  form.set('user_id', o.userId ?? HOST_ID);
  for (const scope of o.scopes ?? ALL_SCOPES) form.append('scope', scope);
  form.set('decision', o.decision ?? 'allow');
  const action = new URL('/oauth/authorize/decision', authorizeUrl);
  const res = await fetch(action, { method: 'POST', body: form, redirect: 'manual' });
  await res.text();
  return new URL(res.headers.get('location') ?? 'http://invalid/');
}

/** Full connect through the real client: authorize URL → consent → code exchange with PKCE. */
export async function connectWithClient(s: Running, o: { userId?: string; scopes?: string[]; now?: () => Date } = {}): Promise<TokenSet> {
  const { verifier, challenge } = pkce();
  const url = buildAuthorizeUrl({ oauthBaseUrl: s.url, clientId: CLIENT_ID, redirectUri: REDIRECT, state: 'st-xyz', codeChallenge: challenge });
  const loc = await consent(url, o);
  const code = loc.searchParams.get('code');
  if (!code) throw new Error(`no code: ${loc.toString()}`);
  return exchangeCode({ oauthBaseUrl: s.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, code, redirectUri: REDIRECT, codeVerifier: verifier, ...(o.now ? { now: o.now } : {}) });
}

export async function rejects(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}
