import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createGoogleSandbox, type SandboxApp, type SandboxOptions } from '../../src/google-sandbox/index.ts';

export const WORKSPACE = '100000000000000000001';
export const CONSUMER = '100000000000000000002';
export const NO_MEET = '100000000000000000003';
export const REDIRECT = 'http://runframe.test/integrations/google-meet/callback';
export const MEET_SCOPE = 'https://www.googleapis.com/auth/meetings.space.created';
export const SCOPES = ['openid', 'email', MEET_SCOPE];

export function testApp(over: Partial<SandboxApp> = {}): SandboxApp {
  return { name: 'Runframe', clientId: 'rf-client.apps.googleusercontent.com', clientSecret: 'rf-secret', redirectUris: [REDIRECT], ...over };
}

export interface ManualClock {
  now: () => Date;
  advance(ms: number): void;
}

export function manualClock(iso: string): ManualClock {
  let t = Date.parse(iso);
  return { now: () => new Date(t), advance: (ms) => void (t += ms) };
}

export interface Running {
  url: string;
  sandbox: ReturnType<typeof createGoogleSandbox>;
  close(): Promise<void>;
  control<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }>;
}

/** Serves a sandbox over real HTTP on an ephemeral port, with the test app registered. */
export async function startSandbox(opts: Partial<SandboxOptions> = {}, app: SandboxApp | null = testApp()): Promise<Running> {
  let handler: ((req: Request, env: unknown) => Response | Promise<Response>) | null = null;
  const server = serve({ fetch: (req, env) => (handler ? handler(req, env) : new Response(null, { status: 503 })), port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;
  const basePath = opts.basePath ?? '';
  const url = `http://127.0.0.1:${port}${basePath}`;
  let sandbox: ReturnType<typeof createGoogleSandbox>;
  try {
    sandbox = createGoogleSandbox({ basePath, publicUrl: url, ...opts });
  } catch (err) {
    server.close();
    throw err;
  }
  if (app) sandbox.registerApp(app);
  handler = (req, env) => sandbox.app.fetch(req, env);
  return {
    url,
    sandbox,
    async close() {
      await sandbox.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
    },
    async control<T>(method: string, path: string, body?: unknown) {
      const res = await fetch(`${url}/_control${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
    },
  };
}

export const s256 = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');
export const verifier = (): string => randomBytes(32).toString('base64url');

export interface AuthorizeOptions {
  account?: string;
  scopes?: string[];
  /** Which of the untickable scopes stay ticked; default all requested. */
  ticked?: string[];
  state?: string;
  accessType?: 'online' | 'offline';
  prompt?: string;
  includeGrantedScopes?: boolean;
  pkce?: { method?: 'S256' | 'plain'; verifier: string };
  redirectUri?: string;
  clientId?: string;
  timeLimit?: 'unlimited' | 'hour' | 'day' | 'week';
  decision?: 'allow' | 'cancel';
}

export function authorizeUrl(s: Running, o: AuthorizeOptions = {}): string {
  const q = new URLSearchParams({
    client_id: o.clientId ?? testApp().clientId,
    redirect_uri: o.redirectUri ?? REDIRECT,
    response_type: 'code',
    scope: (o.scopes ?? SCOPES).join(' '),
    state: o.state ?? 'st-1',
    access_type: o.accessType ?? 'offline',
  });
  if (o.prompt !== undefined) q.set('prompt', o.prompt);
  if (o.includeGrantedScopes) q.set('include_granted_scopes', 'true');
  if (o.pkce) {
    q.set('code_challenge', o.pkce.method === 'plain' ? o.pkce.verifier : s256(o.pkce.verifier));
    if (o.pkce.method) q.set('code_challenge_method', o.pkce.method);
  }
  return `${s.url}/o/oauth2/v2/auth?${q}`;
}

function decodeHtml(v: string): string {
  return v.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Opens the consent page at `url` and submits it as a browser would; returns the redirect target. */
export async function submitConsent(s: Running, url: string, o: AuthorizeOptions = {}): Promise<URL> {
  const page = await fetch(url);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}: ${html}`);
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.append(m[1] ?? '', decodeHtml(m[2] ?? ''));
  form.set('account', o.account ?? WORKSPACE);
  const boxes = [...html.matchAll(/<input type="checkbox" id="scope-\d+" name="scope" value="([^"]+)"/g)].map((m) => decodeHtml(m[1] ?? ''));
  for (const scope of boxes) if (o.ticked === undefined || o.ticked.includes(scope)) form.append('scope', scope);
  form.set('time_limit', o.timeLimit ?? 'unlimited');
  form.set('decision', o.decision ?? 'allow');
  const res = await fetch(`${s.url}/o/oauth2/v2/auth/decision`, { method: 'POST', body: form, redirect: 'manual' });
  if (res.status !== 302) throw new Error(`decision answered ${res.status}: ${await res.text()}`);
  return new URL(res.headers.get('location') ?? 'http://invalid/');
}

export async function authorize(s: Running, o: AuthorizeOptions = {}): Promise<{ code: string; location: URL }> {
  const location = await submitConsent(s, authorizeUrl(s, o), o);
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`no code in redirect ${location}`);
  return { code, location };
}

export async function tokenRequest(s: Running, form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${s.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

export const clientCreds = (): Record<string, string> => ({ client_id: testApp().clientId, client_secret: testApp().clientSecret });

export interface Tokens {
  access_token: string;
  expires_in: number;
  refresh_token?: string;
  scope: string;
  token_type: string;
  id_token?: string;
}

export async function connect(s: Running, o: AuthorizeOptions = {}): Promise<Tokens> {
  const { code } = await authorize(s, o);
  const form: Record<string, string> = { grant_type: 'authorization_code', code, redirect_uri: o.redirectUri ?? REDIRECT, ...clientCreds() };
  if (o.clientId) form.client_id = o.clientId;
  if (o.pkce) form.code_verifier = o.pkce.verifier;
  const r = await tokenRequest(s, form);
  if (r.status !== 200) throw new Error(`token exchange failed: ${JSON.stringify(r.json)}`);
  return r.json as unknown as Tokens;
}

export async function api(s: Running, token: string | null, method: string, path: string, body?: unknown): Promise<{ status: number; headers: Headers; json: Record<string, unknown> | null; text: string }> {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: Record<string, unknown> | null = null;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : null;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** `{"error":{code,message,status}}` → [code, status] for compact assertions. */
export function errorOf(json: Record<string, unknown> | null): [number, string] {
  const e = (json?.error ?? {}) as { code?: number; status?: string };
  return [e.code ?? 0, e.status ?? ''];
}

export function reasonOf(json: Record<string, unknown> | null): string | undefined {
  const e = (json?.error ?? {}) as { details?: Array<{ reason?: string }> };
  return e.details?.[0]?.reason;
}

export function decodeJwt(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}
