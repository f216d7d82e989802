import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startTestServer } from './support/server.ts';

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

test('with real Zoom configured, the sandbox is never mounted', async () => {
  const prod = await startTestServer({
    env: { ZOOM_CLIENT_ID: 'real-client', ZOOM_CLIENT_SECRET: 'real-secret', ZOOM_WEBHOOK_SECRET_TOKEN: 'real-webhook', PUBLIC_URL: 'https://runframe.example.com' },
  });
  try {
    const r = await fetch(`${prod.url}/zoom-sandbox/marketplace/manage/added-apps`, { headers: { accept: 'application/json' } });
    assert.equal(r.status, 404);
  } finally {
    await prod.stop();
  }
});
