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
