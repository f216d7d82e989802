import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../../src/platform/db/client.ts';
import { handleWebhook, type MeetingEventHandler } from '../../../src/integrations/hub/webhooks.ts';
import { meetingEventHandler } from '../../../src/jobs/war-rooms.ts';
import { makeTestApp } from '../../support/app.ts';
import { connectZoom, startZoom, WEBHOOK_SECRET, HOST_ID } from '../../support/zoom.ts';

const { zoom } = await startZoom();
const t = await makeTestApp({ zoom });

const signed = (body: string) => {
  const ts = Math.floor(t.clock.now().getTime() / 1000);
  return { 'content-type': 'application/json', 'x-zm-request-timestamp': String(ts), 'x-zm-signature': `v0=${createHmac('sha256', WEBHOOK_SECRET).update(`v0:${ts}:${body}`).digest('hex')}` };
};
const deliver = (body: string) => t.app.request('/webhooks/zoom', { method: 'POST', headers: signed(body), body });
const seen = async (meetingId: string) => queryRows(t.deps.db, sql`select dedupe_key from webhook_events where dedupe_key like ${`%:${meetingId}:%`}`);

test('a meeting event whose effect fails is not recorded as seen, so Zoom’s redelivery is applied', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  const inc = (await t.api(o, 'POST', '/api/v1/incidents', { title: 'Checkout errors', severity: 'SEV1' })).json.incident;
  const w = (await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/war-room`, {})).json.warRoom;
  const body = JSON.stringify({
    event: 'meeting.ended',
    event_ts: 1795000000123,
    payload: { account_id: 'acc', object: { id: w.meetingId, uuid: 'u1==', host_id: HOST_ID, topic: 't', type: 2, start_time: '2026-11-26T12:00:00Z', duration: 60 } },
  });
  const state = async () => {
    const w = ((await t.api(o, 'GET', `/api/v1/incidents/${inc.id}/war-room`)).json as unknown as { warRoom: { state: string; liveStatus: string } | null }).warRoom;
    return w ? `${w.state}/${w.liveStatus}` : 'none';
  };

  // The process applies the event, then fails before it is done (here: right after the effect).
  const crashing: MeetingEventHandler = async (hub, event, providerId) => {
    await meetingEventHandler(hub, event, providerId);
    throw new Error('crashed while applying the meeting event');
  };
  await assert.rejects(handleWebhook(t.deps, 'zoom', body, new Headers(signed(body)), crashing), /crashed while applying/);
  assert.equal((await seen(w.meetingId)).length, 0, 'the delivery is not recorded as seen');
  assert.equal(await state(), 'active/not_started', 'and its half-applied effect is rolled back with it');

  // Zoom retries the unacknowledged delivery: this time it is applied, once.
  const again = await deliver(body);
  assert.equal(again.status, 200);
  assert.deepEqual(await again.json(), { status: 'processed' });
  assert.equal(await state(), 'active/empty', 'the call is empty; the war room stays open');
  assert.equal((await seen(w.meetingId)).length, 1);
  assert.deepEqual(await (await deliver(body)).json(), { status: 'duplicate' });
  const ended = (await t.api(o, 'GET', `/api/v1/incidents/${inc.id}/timeline`)).json.entries.filter((e) => e.body.startsWith('Zoom call is empty'));
  assert.equal(ended.length, 1, 'one timeline entry, not one per delivery');
});

test('POST /webhooks/zoom refuses an event with a missing, wrong or stale signature (401) and applies nothing; the same event signed by Zoom is applied', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  const inc = (await t.api(o, 'POST', '/api/v1/incidents', { title: 'Forged events', severity: 'SEV1' })).json.incident;
  const w = (await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/war-room`, {})).json.warRoom;
  const body = JSON.stringify({
    event: 'meeting.started',
    event_ts: 1795000000456,
    payload: { account_id: 'acc', object: { id: w.meetingId, uuid: 'u2==', host_id: HOST_ID, topic: 't', type: 2, start_time: '2026-11-26T12:00:00Z', duration: 60 } },
  });
  const live = async () => ((await t.api(o, 'GET', `/api/v1/incidents/${inc.id}/war-room`)).json as unknown as { warRoom: { liveStatus: string } | null }).warRoom?.liveStatus ?? 'none';
  const good = signed(body);
  const ts = good['x-zm-request-timestamp'];
  const forgedWith = (secret: string, at: string) => `v0=${createHmac('sha256', secret).update(`v0:${at}:${body}`).digest('hex')}`;
  const stale = String(Number(ts) - 3600);
  const attempts: [string, Record<string, string>][] = [
    ['no signature', { 'content-type': 'application/json', 'x-zm-request-timestamp': ts }],
    ['no timestamp', { 'content-type': 'application/json', 'x-zm-signature': good['x-zm-signature'] }],
    ['signed with another secret', { ...good, 'x-zm-signature': forgedWith('not-the-webhook-secret', ts) }],
    ['a signature of another body', { ...signed(body.replace('meeting.started', 'meeting.ended')) }],
    ['signed an hour ago', { ...good, 'x-zm-request-timestamp': stale, 'x-zm-signature': forgedWith(WEBHOOK_SECRET, stale) }],
  ];
  for (const [what, headers] of attempts) {
    const res = await t.app.request('/webhooks/zoom', { method: 'POST', headers, body });
    assert.equal(res.status, 401, what);
    assert.equal(await live(), 'not_started', `${what}: the badge did not change`);
  }
  assert.equal((await seen(w.meetingId)).length, 0, 'no refused delivery is recorded as seen');
  const res = await deliver(body);
  assert.equal(res.status, 200);
  assert.equal(await live(), 'live', 'the genuine event makes the badge Live');
});
