import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { createZoomClient, ZoomError, type TokenSet, type ZoomClient } from '../../../src/integrations/zoom/index.ts';
import { BASIC_ID, HOST_ID, connectWithClient, rejects, startZoom, type Running } from './helpers.ts';

const CREATE = 'POST /v2/users/:userId/meetings';
const input = () => ({ topic: 'INC-7', agenda: 'war room', startTime: new Date(), durationMinutes: 60 });

let s: Running;
let tokens: TokenSet;
let client: ZoomClient;
before(async () => {
  s = await startZoom();
});
after(async () => {
  await s.close();
});
beforeEach(async () => {
  await s.control('POST', '/reset', {});
  tokens = await connectWithClient(s);
  client = createZoomClient({ apiBaseUrl: `${s.url}/v2`, timeoutMs: 300 });
});

async function failure(p: Promise<unknown>): Promise<ZoomError> {
  const err = await rejects(p);
  assert.ok(err instanceof ZoomError, `not a ZoomError: ${String(err)}`);
  assert.ok(!err.message.includes(tokens.accessToken) && !JSON.stringify(err.failure).includes(tokens.accessToken), 'token leaked');
  return err;
}

test('expired access token (control expire-tokens) → token_invalid; carries the tracking id', async () => {
  await s.control('POST', '/expire-tokens', { userId: HOST_ID });
  const err = await failure(client.createMeeting(tokens.accessToken, input()));
  assert.deepEqual(err.failure, { kind: 'token_invalid' });
  assert.ok(err.trackingId);
});

test('401/124 fault → token_invalid', async () => {
  await s.control('POST', '/faults', { endpoint: 'GET /v2/users/me', fault: { kind: 'zoom_error', status: 401, code: 124, message: 'Invalid access token.' } });
  assert.deepEqual((await failure(client.getMe(tokens.accessToken))).failure, { kind: 'token_invalid' });
});

test('revoked grant (control revoke-grants) → token_invalid', async () => {
  await s.control('POST', `/users/${HOST_ID}/revoke-grants`, {});
  assert.deepEqual((await failure(client.getMe(tokens.accessToken))).failure, { kind: 'token_invalid' });
});

test('consent without the meeting scope → 400/4711 missing_scope with the scope list', async () => {
  const t = await connectWithClient(s, { scopes: ['user:read:user'] });
  const err = await failure(client.createMeeting(t.accessToken, input()));
  assert.deepEqual(err.failure, { kind: 'missing_scope', scopes: ['meeting:write:meeting', 'meeting:write:meeting:admin'] });
});

test('4700 with "does not contain scopes" (classic names) → missing_scope', async () => {
  await s.control('POST', '/faults', { endpoint: CREATE, fault: { kind: 'zoom_error', status: 400, code: 4700, message: 'Invalid access token, does not contain scopes:[meeting:write, meeting:write:admin].' } });
  assert.deepEqual((await failure(client.createMeeting(tokens.accessToken, input()))).failure, { kind: 'missing_scope', scopes: ['meeting:write', 'meeting:write:admin'] });
});

test('user without hosting rights → 400/3161 cannot_host (real sandbox user and fault)', async () => {
  const basic = await connectWithClient(s, { userId: BASIC_ID });
  const err = await failure(client.createMeeting(basic.accessToken, input()));
  assert.deepEqual(err.failure, { kind: 'cannot_host' });
  await s.control('POST', '/faults', { endpoint: CREATE, fault: { kind: 'user_cannot_host' } });
  assert.deepEqual((await failure(client.createMeeting(tokens.accessToken, input()))).failure, { kind: 'cannot_host' });
});

test('daily limit: the 101st create → rate_limited daily, retryAt = next 00:00 UTC from the ISO Retry-After', async () => {
  await s.control('POST', '/settings', { dailyLimit: 2 });
  await client.createMeeting(tokens.accessToken, input());
  await client.createMeeting(tokens.accessToken, input());
  const err = await failure(client.createMeeting(tokens.accessToken, input()));
  const now = new Date();
  const midnight = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  assert.deepEqual(err.failure, { kind: 'rate_limited', daily: true, retryAt: midnight });
});

test('rate_limit faults: Daily-limit → daily with retryAt; QPS → not daily', async () => {
  await s.control('POST', '/faults', { endpoint: CREATE, fault: { kind: 'rate_limit', type: 'Daily-limit' } });
  const d = (await failure(client.createMeeting(tokens.accessToken, input()))).failure;
  assert.equal(d.kind, 'rate_limited');
  assert.ok(d.kind === 'rate_limited' && d.daily && d.retryAt && d.retryAt.getUTCHours() === 0 && d.retryAt.getTime() > Date.now());
  await s.control('POST', '/faults', { endpoint: CREATE, fault: { kind: 'rate_limit', type: 'QPS' } });
  const q = (await failure(client.createMeeting(tokens.accessToken, input()))).failure;
  assert.ok(q.kind === 'rate_limited' && !q.daily);
});

test('daily limit detected by message text alone (no Retry-After, no X-RateLimit-Type)', async () => {
  const message = 'You have exceeded the daily rate limit (100) of Meeting Create/Update API requests permitted for this particular user. You may resume these requests at GMT 00:00:00.';
  await s.control('POST', '/faults', { endpoint: CREATE, fault: { kind: 'zoom_error', status: 429, code: 429, message } });
  const f = (await failure(client.createMeeting(tokens.accessToken, input()))).failure;
  assert.ok(f.kind === 'rate_limited' && f.daily && f.retryAt && f.retryAt.getUTCHours() === 0);
});

test('5xx (JSON and HTML bodies) → unavailable http_5xx', async () => {
  await s.control('POST', '/faults', { endpoint: CREATE, fault: { kind: 'zoom_error', status: 500, code: 500, message: 'Internal Error' } });
  assert.deepEqual((await failure(client.createMeeting(tokens.accessToken, input()))).failure, { kind: 'unavailable', reason: 'http_5xx' });
  await s.control('POST', '/faults', { endpoint: 'GET /v2/users/me', fault: { kind: 'http', status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html' } });
  assert.deepEqual((await failure(client.getMe(tokens.accessToken))).failure, { kind: 'unavailable', reason: 'http_5xx' });
});

test('a slow answer beyond the timeout → unavailable timeout', async () => {
  await s.control('POST', '/faults', { endpoint: 'GET /v2/users/me', fault: { kind: 'delay', ms: 1000 } });
  const started = Date.now();
  assert.deepEqual((await failure(client.getMe(tokens.accessToken))).failure, { kind: 'unavailable', reason: 'timeout' });
  assert.ok(Date.now() - started < 900, 'gave up at the timeout');
});

test('a dropped connection → unavailable network', async () => {
  await s.control('POST', '/faults', { endpoint: CREATE, fault: { kind: 'drop' } });
  assert.deepEqual((await failure(client.createMeeting(tokens.accessToken, input()))).failure, { kind: 'unavailable', reason: 'network' });
});

test('connection refused → unavailable network', async () => {
  const dead = createZoomClient({ apiBaseUrl: 'http://127.0.0.1:9/v2', timeoutMs: 1000 });
  assert.deepEqual((await failure(dead.getMe(tokens.accessToken))).failure, { kind: 'unavailable', reason: 'network' });
});

test('validation 400/300 (JSON) and an XML error body → rejected with code and message', async () => {
  await s.control('POST', '/faults', { endpoint: CREATE, fault: { kind: 'zoom_error', status: 400, code: 300, message: 'Validation Failed.', errors: [{ field: 'password', message: 'Invalid field.' }] } });
  assert.deepEqual((await failure(client.createMeeting(tokens.accessToken, input()))).failure, { kind: 'rejected', status: 400, code: 300, message: 'Validation Failed.' });
  await s.control('POST', '/faults', {
    endpoint: CREATE,
    fault: { kind: 'http', status: 400, contentType: 'application/xml', body: '<?xml version="1.0" encoding="UTF-8"?><result><code>300</code><message>Invalid parameter: password</message></result>' },
  });
  assert.deepEqual((await failure(client.createMeeting(tokens.accessToken, input()))).failure, { kind: 'rejected', status: 400, code: 300, message: 'Invalid parameter: password' });
});

test('403 without a code → rejected; 404/1001 → not_found', async () => {
  await s.control('POST', '/faults', { endpoint: 'GET /v2/users/me', fault: { kind: 'http', status: 403, body: { message: 'Authenticated user has not permitted access to the targeted resource.' } } });
  assert.deepEqual((await failure(client.getMe(tokens.accessToken))).failure, { kind: 'rejected', status: 403, message: 'Authenticated user has not permitted access to the targeted resource.' });
  await s.control('POST', '/faults', { endpoint: 'GET /v2/users/me', fault: { kind: 'zoom_error', status: 404, code: 1001, message: 'User does not exist: x.' } });
  assert.deepEqual((await failure(client.getMe(tokens.accessToken))).failure, { kind: 'not_found' });
});

test('a 201 whose body breaks the contract → rejected, not unavailable (no blind retry of a create)', async () => {
  await s.control('POST', '/faults', { endpoint: CREATE, fault: { kind: 'http', status: 201, body: { id: 'not-a-number' } } });
  const f = (await failure(client.createMeeting(tokens.accessToken, input()))).failure;
  assert.equal(f.kind, 'rejected');
});
