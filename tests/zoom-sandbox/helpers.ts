import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createZoomSandbox, type SandboxApp, type SandboxOptions, type SandboxTimers } from '../../src/zoom-sandbox/index.ts';

export const HOST_ID = 'sandboxHostUser0000001';
export const BASIC_ID = 'sandboxBasicUser000002';
export const REDIRECT = 'http://runframe.test/integrations/zoom/callback';
export const ALL_SCOPES = [
  'user:read:user',
  'meeting:write:meeting',
  'meeting:read:meeting',
  'meeting:read:list_meetings',
  'meeting:update:meeting',
  'meeting:update:status',
  'meeting:delete:meeting',
];

export function testApp(over: Partial<SandboxApp> = {}): SandboxApp {
  return { name: 'Runframe', clientId: 'rf-client', clientSecret: 'rf-secret', redirectUris: [REDIRECT], scopes: ALL_SCOPES, ...over };
}

export interface ManualClock {
  now: () => Date;
  set(iso: string): void;
  advance(ms: number): void;
}

export function manualClock(iso: string): ManualClock {
  let t = Date.parse(iso);
  return { now: () => new Date(t), set: (v) => void (t = Date.parse(v)), advance: (ms) => void (t += ms) };
}

export interface FakeTimer {
  id: number;
  ms: number;
  fn: () => void;
}

export interface FakeTimers extends SandboxTimers {
  /** Timers scheduled and neither fired nor cleared, oldest first. */
  pending(): FakeTimer[];
  /** Every delay ever scheduled, in order (cleared and fired ones included). */
  scheduled: number[];
  /** Runs a pending timer now, as if its delay had passed. */
  fire(timer: FakeTimer): void;
  /** Yields to the event loop (no timer) until a pending timer matches, e.g. the retry scheduled after a failed attempt. */
  next(match: (t: FakeTimer) => boolean): Promise<FakeTimer>;
}

/** Timers that only run when the test fires them: webhook retries and answer timeouts without waiting. */
export function fakeTimers(): FakeTimers {
  const live = new Map<number, FakeTimer>();
  let nextId = 1;
  const scheduled: number[] = [];
  return {
    scheduled,
    setTimeout(fn, ms) {
      const t = { id: nextId++, ms, fn };
      live.set(t.id, t);
      scheduled.push(ms);
      return t.id;
    },
    clearTimeout(handle) {
      live.delete(handle as number);
    },
    pending: () => [...live.values()],
    fire(t) {
      if (!live.delete(t.id)) throw new Error(`timer ${t.id} (${t.ms} ms) is not pending`);
      t.fn();
    },
    async next(match) {
      for (let i = 0; i < 10_000; i++) {
        const hit = [...live.values()].find(match);
        if (hit) return hit;
        await new Promise((resolve) => setImmediate(resolve));
      }
      throw new Error(`no matching timer; pending: ${JSON.stringify([...live.values()].map((t) => t.ms))}`);
    },
  };
}

export interface Running {
  url: string;
  sandbox: ReturnType<typeof createZoomSandbox>;
  close(): Promise<void>;
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }>;
}

/** Serves a sandbox over real HTTP on an ephemeral port. */
export async function startSandbox(opts: Partial<SandboxOptions> = {}): Promise<Running> {
  let handler: ((req: Request, env: unknown) => Response | Promise<Response>) | null = null;
  const server = serve({ fetch: (req, env) => (handler ? handler(req, env) : new Response(null, { status: 503 })), port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;
  const basePath = opts.basePath ?? '';
  const url = `http://127.0.0.1:${port}${basePath}`;
  let sandbox: ReturnType<typeof createZoomSandbox>;
  try {
    sandbox = createZoomSandbox({ basePath, publicUrl: url, ...opts });
  } catch (err) {
    server.close();
    throw err;
  }
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

export function basic(id = 'rf-client', secret = 'rf-secret'): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

export interface Tokens {
  access_token: string;
  token_type: string;
  refresh_token: string;
  expires_in: number;
  scope: string;
  api_url: string;
}

export interface AuthorizeOptions {
  userId?: string;
  scopes?: string[];
  state?: string;
  pkce?: { method?: 'S256' | 'plain'; verifier: string };
  redirectUri?: string;
  clientId?: string;
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** Opens the consent page and submits Allow, as a browser would; returns the code from the redirect. */
export async function authorize(s: Running, o: AuthorizeOptions = {}): Promise<{ code: string; location: URL }> {
  const clientId = o.clientId ?? 'rf-client';
  const redirectUri = o.redirectUri ?? REDIRECT;
  const q = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri, state: o.state ?? 'st-1' });
  if (o.pkce) {
    q.set('code_challenge', o.pkce.method === 'S256' ? s256(o.pkce.verifier) : o.pkce.verifier);
    if (o.pkce.method) q.set('code_challenge_method', o.pkce.method);
  }
  const page = await fetch(`${s.url}/oauth/authorize?${q}`);
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}: ${await page.text()}`);
  const html = await page.text();
  // Submit exactly the hidden fields the page carries, as the browser would.
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.append(m[1] ?? '', decodeHtml(m[2] ?? ''));
  form.set('user_id', o.userId ?? HOST_ID);
  for (const scope of o.scopes ?? ALL_SCOPES) form.append('scope', scope);
  form.set('decision', 'allow');
  const res = await fetch(`${s.url}/oauth/authorize/decision`, { method: 'POST', body: form, redirect: 'manual' });
  const location = new URL(res.headers.get('location') ?? 'http://invalid/');
  const code = location.searchParams.get('code');
  if (res.status !== 302 || !code) throw new Error(`no code in redirect (${res.status} ${location})`);
  return { code, location };
}

function decodeHtml(v: string): string {
  return v.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export async function tokenRequest(s: Running, form: Record<string, string>, auth = basic()): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${s.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

export async function connect(s: Running, o: AuthorizeOptions = {}): Promise<Tokens> {
  const { code } = await authorize(s, o);
  const form: Record<string, string> = { grant_type: 'authorization_code', code, redirect_uri: o.redirectUri ?? REDIRECT };
  if (o.pkce) form.code_verifier = o.pkce.verifier;
  const r = await tokenRequest(s, form);
  if (r.status !== 200) throw new Error(`token exchange failed: ${JSON.stringify(r.json)}`);
  return r.json as unknown as Tokens;
}

export async function api(s: Running, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; headers: Headers; json: Record<string, unknown> | null; text: string }> {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/json' },
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

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: { event: string; event_ts: number; payload: Record<string, unknown> };
}

export interface Receiver {
  url: string;
  requests: Received[];
  /** Resolves once `n` requests in total have arrived. */
  waitFor(n: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** `'hang'` keeps the request open without ever answering (until the receiver closes). */
export type Responder = (r: Received, index: number) => { status: number; body?: string } | 'hang';

/** A webhook endpoint that answers the CRC challenge correctly unless `respond` says otherwise. */
export async function startReceiver(secret: string, respond?: Responder): Promise<Receiver> {
  const requests: Received[] = [];
  const waiters: Array<{ n: number; resolve: (r: Received[]) => void }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const r: Received = { headers: req.headers, body, json: JSON.parse(body) as Received['json'] };
      requests.push(r);
      let answer: { status: number; body?: string } | 'hang';
      if (respond) answer = respond(r, requests.length - 1);
      else if (r.json.event === 'endpoint.url_validation') {
        const plainToken = String(r.json.payload.plainToken);
        answer = { status: 200, body: JSON.stringify({ plainToken, encryptedToken: createHmac('sha256', secret).update(plainToken).digest('hex') }) };
      } else answer = { status: 200 };
      if (answer !== 'hang') res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body ?? '');
      for (const w of [...waiters]) {
        if (requests.length >= w.n) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve([...requests]);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/zoom/webhooks`,
    requests,
    waitFor: (n) => (requests.length >= n ? Promise.resolve([...requests]) : new Promise((resolve) => waiters.push({ n, resolve }))),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The correct answer to the URL-validation challenge (computed here from the formula), else `other`. */
export function answerCrc(secret: string, other: Responder): Responder {
  return (r, i) => {
    if (r.json.event !== 'endpoint.url_validation') return other(r, i);
    const plainToken = String(r.json.payload.plainToken);
    return { status: 200, body: JSON.stringify({ plainToken, encryptedToken: createHmac('sha256', secret).update(plainToken).digest('hex') }) };
  };
}

export function verifier(): string {
  return randomBytes(32).toString('base64url');
}
