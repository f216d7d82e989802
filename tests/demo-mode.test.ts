import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { serve } from '@hono/node-server';
import { loadConfig } from '../src/config/index.ts';
import { systemMeta } from '../src/domain/context.ts';
import { createApiToken } from '../src/domain/orgs/create-api-token.ts';
import { createSession, resolveSession } from '../src/domain/orgs/sessions.ts';
import { signUp } from '../src/domain/orgs/sign-up.ts';
import { startRunframe, type Runframe } from '../src/server.ts';
import { startTestServer } from './support/server.ts';
import { freePort } from './support/ports.ts';

// Demo mode: with no ZOOM_CLIENT_ID, `npm start` serves the built-in Zoom sandbox on the same server.
const demo = await startTestServer();
after(() => demo.stop());

test('demo mode mounts the Zoom sandbox at /zoom-sandbox with Runframe registered as its app', async () => {
  const added = await fetch(`${demo.url}/zoom-sandbox/marketplace/manage/added-apps`);
  assert.equal(added.status, 200);
  assert.match(await added.text(), /not Zoom/);
  const redirect = encodeURIComponent(`${demo.url}/integrations/zoom/callback`);
  const consent = await fetch(`${demo.url}/zoom-sandbox/oauth/authorize?response_type=code&client_id=runframe-demo-app&redirect_uri=${redirect}&state=s1`);
  assert.equal(consent.status, 200);
  const page = await consent.text();
  assert.match(page, /Runframe/);
  assert.match(page, /meeting:write:meeting/);
  const me = await fetch(`${demo.url}/zoom-sandbox/v2/users/me`);
  assert.equal(me.status, 401);
  assert.deepEqual(await me.json(), { code: 124, message: 'Invalid access token.' });
});

test('demo mode: each sandbox’s front page answers at its prefix, and a typed trailing slash leads there', async () => {
  for (const [prefix, title] of [['/zoom-sandbox', /not Zoom/], ['/google-sandbox', /not Google/]] as const) {
    const front = await fetch(`${demo.url}${prefix}`);
    assert.equal(front.status, 200, prefix);
    assert.match(await front.text(), title);
    const slash = await fetch(`${demo.url}${prefix}/`, { redirect: 'manual' });
    assert.equal(slash.status, 308, `${prefix}/`);
    assert.equal(slash.headers.get('location'), prefix);
  }
});

test('demo mode keeps the sandbox control API to this process: no token, wrong token or a cross-site form → refused', async () => {
  const token = demo.runframe.sandboxControlToken;
  assert.ok(token && token.length >= 32, 'a random per-process token');
  const control = `${demo.url}/zoom-sandbox/_control`;
  const anonymous = await fetch(`${control}/apps`);
  assert.equal(anonymous.status, 401);
  const body = await anonymous.text();
  assert.doesNotMatch(body, /clientSecret|runframe-demo-app/, 'no secret in the refusal');
  assert.equal((await fetch(`${control}/apps`, { headers: { 'x-zoom-sandbox-control-token': `${token}x` } })).status, 401);
  // What a page on another site can send: a simple form POST, which can never carry the header.
  const csrf = await fetch(`${control}/faults`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', origin: 'https://evil.example' },
    body: JSON.stringify({ endpoint: '*', times: 100, fault: { kind: 'zoom_error', status: 500, code: 500, message: 'x' } }),
  });
  assert.equal(csrf.status, 403);
  const allowed = await fetch(`${control}/apps`, { headers: { 'x-zoom-sandbox-control-token': token } });
  assert.equal(allowed.status, 200);
  const { apps } = (await allowed.json()) as { apps: Array<{ clientId: string }> };
  assert.deepEqual(apps.map((a) => a.clientId), ['runframe-demo-app']);
  const faults = (await (await fetch(`${control}/faults`, { headers: { 'x-zoom-sandbox-control-token': token } })).json()) as { faults: unknown[] };
  assert.deepEqual(faults.faults, [], 'the refused requests armed nothing');
});

test('sandbox pages served by demo mode cannot be framed and send no referrer', async () => {
  const redirect = encodeURIComponent(`${demo.url}/integrations/zoom/callback`);
  const consent = await fetch(`${demo.url}/zoom-sandbox/oauth/authorize?response_type=code&client_id=runframe-demo-app&redirect_uri=${redirect}&state=s1`);
  assert.equal(consent.status, 200);
  assert.equal(consent.headers.get('x-frame-options'), 'DENY');
  assert.match(consent.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  assert.equal(consent.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(consent.headers.get('referrer-policy'), 'no-referrer');
});

test('demo mode mounts the Google sandbox at /google-sandbox, Runframe registered, its pages under their own strict policy', async () => {
  const redirect = encodeURIComponent(`${demo.url}/integrations/google_meet/callback`);
  const scope = encodeURIComponent('openid email https://www.googleapis.com/auth/meetings.space.created');
  const consent = await fetch(`${demo.url}/google-sandbox/o/oauth2/v2/auth?response_type=code&client_id=runframe-demo.apps.googleusercontent.com&redirect_uri=${redirect}&scope=${scope}&state=s1`);
  assert.equal(consent.status, 200);
  const page = await consent.text();
  assert.match(page, /Google sandbox — not Google/);
  assert.match(page, /Runframe/);
  // The sandbox's policy, not Runframe's: its one inline stylesheet is allowed by hash, no script at all.
  assert.match(consent.headers.get('content-security-policy') ?? '', /^default-src 'self'; script-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+';.*frame-ancestors 'none'$/);
  const spaces = await fetch(`${demo.url}/google-sandbox/v2/spaces`, { method: 'POST' });
  assert.equal(spaces.status, 401);
  assert.equal(((await spaces.json()) as { error: { status: string } }).error.status, 'UNAUTHENTICATED');
});

test('with real Zoom configured, the sandbox is never mounted', async () => {
  const prod = await startTestServer({
    env: { ZOOM_CLIENT_ID: 'real-client', ZOOM_CLIENT_SECRET: 'real-secret', ZOOM_WEBHOOK_SECRET_TOKEN: 'real-webhook', PUBLIC_URL: 'https://runframe.example.com' },
  });
  try {
    const r = await fetch(`${prod.url}/zoom-sandbox/marketplace/manage/added-apps`, { headers: { accept: 'application/json' } });
    assert.equal(r.status, 404);
    // Nor the Google sandbox: with a real provider configured, an unconfigured Google Meet is not offered.
    assert.equal((await fetch(`${prod.url}/google-sandbox/myaccount/connections`, { headers: { accept: 'application/json' } })).status, 404);
  } finally {
    await prod.stop();
  }
});

// ---------------------------------------------------------------------------------------------------
// Restart: the same DATA_DIR (and PUBLIC_URL) twice, as `npm start` after a stop would use them.


/** Runframe in demo mode over real HTTP on a DATA_DIR this test owns (startTestServer makes and deletes its own). */
async function startOn(dataDir: string, port: number): Promise<{ url: string; runframe: Runframe; stop(): Promise<void> }> {
  const url = `http://127.0.0.1:${port}`;
  const runframe = await startRunframe(loadConfig({ DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: url, LOG_LEVEL: 'silent' }));
  const server = await new Promise<Server>((resolve, reject) => {
    const srv = serve({ fetch: runframe.app.fetch, port, hostname: '127.0.0.1' }, () => resolve(srv as Server)) as Server;
    srv.once('error', reject);
  });
  await runframe.afterListen();
  return {
    url,
    runframe,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await runframe.stop();
    },
  };
}

const decodeHtml = (v: string) => v.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

test('a restart on the same DATA_DIR does not break a connected organization: the Zoom check and Create War Room still work', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'rf-demo-restart-'));
  const template = process.env['RUNFRAME_PGLITE_TEMPLATE'];
  if (template) cpSync(template, path.join(dataDir, 'pglite'), { recursive: true });
  const port = await freePort();
  let server = await startOn(dataDir, port);
  try {
    // An Owner with a session (for the pages) and an API token (for the API).
    const deps = server.runframe.deps;
    const email = `restart-${process.pid}@example.com`;
    const signedUp = await signUp({ deps, meta: systemMeta(), input: { name: 'Olivia Owner', email, password: 'correct horse battery', organizationName: 'Acme' } });
    assert.ok(signedUp.created, 'a new email makes a new account');
    const { userId, orgId } = signedUp;
    const cookie = await createSession(deps, userId, orgId);
    const csrf = (await resolveSession(deps, cookie))?.csrfToken ?? '';
    const actor = { userId, name: 'Olivia Owner', email, orgId, role: 'owner' as const, via: 'session' as const };
    const { token } = await createApiToken({ ctx: { ...deps, actor, meta: systemMeta('test') }, input: { name: 'restart test' } });
    const page = (url: string, method = 'GET', form?: Record<string, string>) =>
      fetch(new URL(url, server.url), {
        method,
        redirect: 'manual',
        headers: { cookie: `rf_session=${cookie}`, accept: 'text/html', ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        ...(form ? { body: new URLSearchParams({ ...form, _csrf: csrf }) } : {}),
      });
    const apiCall = async (method: string, url: string, body?: unknown) => {
      const res = await fetch(new URL(url, server.url), {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, json: (await res.json()) as Record<string, Record<string, unknown>> };
    };
    const checkZoom = async () => new URL(String((await page('/integrations/zoom/test', 'POST', {})).headers.get('location')), server.url).searchParams.get('result');

    // Connect Zoom through the sandbox's consent page, as the guide's "To add Zoom" does.
    const connect = await page('/integrations/zoom/connect', 'POST', {});
    assert.equal(connect.status, 303);
    const authorizeUrl = new URL(String(connect.headers.get('location')));
    assert.equal(authorizeUrl.origin + authorizeUrl.pathname, `${server.url}/zoom-sandbox/oauth/authorize`);
    const consent = await (await fetch(authorizeUrl)).text();
    const form = new URLSearchParams();
    for (const m of consent.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.append(m[1] ?? '', decodeHtml(m[2] ?? ''));
    for (const m of consent.matchAll(/type="checkbox" id="[^"]*" name="scope" value="([^"]+)"/g)) form.append('scope', decodeHtml(m[1] ?? ''));
    form.set('user_id', /<option value="([^"]+)" selected/.exec(consent)?.[1] ?? '');
    form.set('decision', 'allow');
    const decided = await fetch(`${server.url}/zoom-sandbox/oauth/authorize/decision`, { method: 'POST', body: form, redirect: 'manual' });
    assert.equal(decided.status, 302);
    const callback = new URL(String(decided.headers.get('location')));
    assert.equal(callback.pathname, '/integrations/zoom/callback');
    const back = await page(callback.pathname + callback.search);
    assert.equal(new URL(String(back.headers.get('location')), server.url).searchParams.get('result'), 'connected');
    assert.equal(await checkZoom(), 'checked', 'the connection check passes before the restart');

    const oldControlToken = server.runframe.sandboxControlToken;
    await server.stop();
    server = await startOn(dataDir, port);
    assert.notEqual(server.runframe.sandboxControlToken, oldControlToken, 'a new process, with a new control token');

    // Same organization, same session and API token (Runframe's database), same Zoom grant (the sandbox's state file).
    assert.equal(await checkZoom(), 'checked', 'the connection check still passes after the restart');
    const incident = await apiCall('POST', '/api/v1/incidents', { title: 'Checkout down after restart', severity: 'SEV1' });
    assert.equal(incident.status, 201);
    const ref = String(incident.json.incident?.['id']);
    const warRoom = await apiCall('POST', `/api/v1/incidents/${encodeURIComponent(ref)}/war-room`, {});
    assert.equal(warRoom.status, 201, JSON.stringify(warRoom.json));
    assert.equal(warRoom.json.warRoom?.['state'], 'active');
    assert.match(String(warRoom.json.warRoom?.['joinUrl']), new RegExp(`^${server.url}/zoom-sandbox/j/\\d+`));
    // The sandbox served the meeting on the grant made before the restart: no new consent, one create.
    const calls = await fetch(`${server.url}/zoom-sandbox/_control/calls`, { headers: { 'x-zoom-sandbox-control-token': String(server.runframe.sandboxControlToken) } });
    const { counts } = (await calls.json()) as { counts: Record<string, number> };
    assert.equal(counts['POST /oauth/token:authorization_code'], undefined, 'not re-authorized');
    assert.equal(counts['POST /v2/users/:userId/meetings'], 1);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
