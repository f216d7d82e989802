import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { createZoomClient, dedupeKey, parseZoomWebhookEvent, revokeToken, urlValidationResponse, verifyZoomSignature } from '../../../src/integrations/zoom/index.ts';
import { startReceiver } from '../../zoom-sandbox/helpers.ts';
import { CLIENT_ID, CLIENT_SECRET, connectWithClient, startZoom } from './helpers.ts';

// A fixed example computed here from the formula of §5.2, independent of the code under test.
const SECRET = 'whsec-example-secret';
const TS = '1767225600'; // 2026-01-01T00:00:00Z
const BODY = '{"event":"meeting.ended","event_ts":1767225600123,"payload":{"account_id":"acc1","object":{"id":"85012345678","uuid":"u/Ab==","host_id":"h1","topic":"INC-1","type":2,"start_time":"2026-01-01T00:00:00Z","end_time":"2026-01-01T00:30:00Z","duration":60,"timezone":"UTC"}}}';
const SIG = `v0=${createHmac('sha256', SECRET).update(`v0:${TS}:${BODY}`).digest('hex')}`;
const NOW = new Date(Number(TS) * 1000 + 30_000);
const base = { secretToken: SECRET, rawBody: BODY, timestampHeader: TS, signatureHeader: SIG, now: NOW };

test('signature: the fixed example verifies', () => {
  assert.equal(verifyZoomSignature(base), true);
});

test('signature: wrong secret, tampered body, stale or future timestamp, missing or malformed headers all fail', () => {
  assert.equal(verifyZoomSignature({ ...base, secretToken: 'other-secret' }), false);
  assert.equal(verifyZoomSignature({ ...base, rawBody: BODY.replace('INC-1', 'INC-2') }), false);
  assert.equal(verifyZoomSignature({ ...base, rawBody: `${BODY} ` }), false);
  assert.equal(verifyZoomSignature({ ...base, now: new Date(Number(TS) * 1000 + 301_000) }), false);
  assert.equal(verifyZoomSignature({ ...base, now: new Date(Number(TS) * 1000 - 301_000) }), false);
  assert.equal(verifyZoomSignature({ ...base, now: new Date(Number(TS) * 1000 + 299_000) }), true);
  assert.equal(verifyZoomSignature({ ...base, now: new Date(Number(TS) * 1000 + 60_000), toleranceSeconds: 30 }), false);
  assert.equal(verifyZoomSignature({ ...base, signatureHeader: null }), false);
  assert.equal(verifyZoomSignature({ ...base, timestampHeader: undefined }), false);
  assert.equal(verifyZoomSignature({ ...base, timestampHeader: `${TS}.5` }), false);
  assert.equal(verifyZoomSignature({ ...base, signatureHeader: SIG.slice(0, -1) }), false);
  assert.equal(verifyZoomSignature({ ...base, signatureHeader: SIG.replace('v0=', 'v1=') }), false);
  // Signed with another timestamp than the header claims.
  assert.equal(verifyZoomSignature({ ...base, timestampHeader: String(Number(TS) + 1) }), false);
});

test('url validation answer = hex HMAC of the plain token', () => {
  assert.deepEqual(urlValidationResponse(SECRET, 'plain-123'), { plainToken: 'plain-123', encryptedToken: createHmac('sha256', SECRET).update('plain-123').digest('hex') });
});

test('events: meeting.ended with string id, meeting.started with numeric id, deauthorization, validation, other, garbage', () => {
  const ended = parseZoomWebhookEvent(BODY);
  assert.ok(ended && ended.event === 'meeting.ended');
  assert.equal(ended.payload.object.id, '85012345678');
  assert.equal(ended.payload.object.end_time, '2026-01-01T00:30:00Z');
  assert.equal(dedupeKey(ended), 'meeting.ended:1767225600123:85012345678:u/Ab==');

  const started = parseZoomWebhookEvent(JSON.stringify({ event: 'meeting.started', event_ts: 1, payload: { account_id: 'a', object: { id: 85012345678, uuid: 'u1', host_id: 'h', topic: 't', start_time: '2026-01-01T00:00:00Z' } } }));
  assert.ok(started && started.event === 'meeting.started');
  assert.equal(started.payload.object.id, '85012345678');

  const deauth = parseZoomWebhookEvent(JSON.stringify({ event: 'app_deauthorized', event_ts: 2, payload: { account_id: 'a', user_id: 'u', signature: 'abc', deauthorization_time: '2019-06-17T13:52:28.632Z', client_id: 'c', user_data_retention: 'false' } }));
  assert.ok(deauth && deauth.event === 'app_deauthorized');
  assert.equal(deauth.payload.user_data_retention, false);
  assert.equal(dedupeKey(deauth), 'app_deauthorized:2:a:u');

  const crc = parseZoomWebhookEvent('{"event":"endpoint.url_validation","event_ts":3,"payload":{"plainToken":"p"}}');
  assert.ok(crc && crc.event === 'endpoint.url_validation' && crc.payload.plainToken === 'p');

  const other = parseZoomWebhookEvent('{"event":"meeting.updated","event_ts":4,"payload":{}}');
  assert.deepEqual(other, { event: 'other', name: 'meeting.updated', event_ts: 4 });

  // meeting.deleted carries the meeting id as a number (§5.7): read as the same string id.
  const deleted = parseZoomWebhookEvent(
    '{"event":"meeting.deleted","event_ts":6,"payload":{"account_id":"a","operator":"host@example.com","object":{"id":84771746161,"uuid":"u==","host_id":"h","topic":"t","type":2}}}',
  );
  assert.ok(deleted && deleted.event === 'meeting.deleted' && deleted.payload.object.id === '84771746161');

  assert.equal(parseZoomWebhookEvent('not json'), null);
  assert.equal(parseZoomWebhookEvent('{"event":"meeting.started","event_ts":5,"payload":{}}'), null);
});

test('deliveries from the sandbox (CRC, app_deauthorized, meeting.started/ended) verify and parse', async () => {
  const secret = 'whsec-sandbox';
  const rx = await startReceiver(secret, (r) => {
    if (r.json.event !== 'endpoint.url_validation') return { status: 200 };
    return { status: 200, body: JSON.stringify(urlValidationResponse(secret, String(r.json.payload.plainToken))) };
  });
  const s = await startZoom({ webhookUrl: rx.url, webhookSecretToken: secret });
  try {
    const t = await connectWithClient(s);
    const client = createZoomClient({ apiBaseUrl: `${s.url}/v2` });
    const m = await client.createMeeting(t.accessToken, { topic: 'INC-5', agenda: '', startTime: new Date(), durationMinutes: 30 });
    await s.control('POST', `/meetings/${m.meetingId}/start`);
    await s.control('POST', `/meetings/${m.meetingId}/end`);
    await revokeToken({ oauthBaseUrl: s.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, token: t.accessToken });
    const got = await rx.waitFor(4);
    const events = got.map((r) => {
      const ok = verifyZoomSignature({ secretToken: secret, rawBody: r.body, timestampHeader: String(r.headers['x-zm-request-timestamp']), signatureHeader: String(r.headers['x-zm-signature']), now: new Date() });
      assert.equal(ok, true, `signature of ${r.json.event}`);
      const e = parseZoomWebhookEvent(r.body);
      assert.ok(e, `parsed ${r.body}`);
      return e;
    });
    assert.deepEqual(events.map((e) => e.event), ['endpoint.url_validation', 'meeting.started', 'meeting.ended', 'app_deauthorized']);
    const [, st, en, de] = events;
    assert.ok(st?.event === 'meeting.started' && st.payload.object.id === m.meetingId);
    assert.ok(en?.event === 'meeting.ended' && en.payload.object.id === m.meetingId && en.payload.object.end_time);
    assert.ok(de?.event === 'app_deauthorized' && de.payload.user_id === 'sandboxHostUser0000001' && de.payload.client_id === CLIENT_ID);
  } finally {
    await s.close();
    await rx.close();
  }
});
