import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHmac } from 'node:crypto';
import { runOneJob } from '../../src/platform/jobs/queue.ts';
import { warRoomJobs } from '../../src/jobs/war-rooms.ts';
import { applyMeetingEvent } from '../../src/domain/war-rooms/apply-meeting-event.ts';
import type { Member } from '../support/app.ts';
import { ALL_SCOPES } from '../zoom-sandbox/helpers.ts';
import { connectZoom, declareSev1, HOST_ID, startZoomDelivering, WEBHOOK_SECRET, zoomCard } from '../support/zoom.ts';

// Zoom sends meeting.ended whenever a meeting empties, and the same link starts it again
// (zoom-api.md §5.7): an emptied call must keep the war room, its link and its one meeting.
const { sandbox, t, delivered } = await startZoomDelivering();

interface Room {
  id: string;
  state: string;
  liveStatus: string;
  meetingId: string;
  joinUrl: string;
}
const room = async (m: Member, id: string) => ((await t.api(m, 'GET', `/api/v1/incidents/${id}/war-room`)).json as unknown as { warRoom: Room | null }).warRoom;
const create = async (m: Member, id: string) => {
  const r = await t.api(m, 'POST', `/api/v1/incidents/${id}/war-room`, {});
  return { status: r.status, warRoom: (r.json as unknown as { warRoom: Room }).warRoom };
};
const timeline = async (m: Member, id: string) => (await t.api(m, 'GET', `/api/v1/incidents/${id}/timeline`)).json.entries.map((e) => e.body);
const count = (entries: string[], text: string) => entries.filter((b) => b === text).length;
const join = async (meetingId: string, name: string) => {
  const r = await sandbox.control<{ participant: { id: string } }>('POST', `/meetings/${meetingId}/participants`, { name });
  assert.equal(r.status, 201, `${name} joins`);
  await delivered();
  return r.json.participant.id;
};
const leave = async (meetingId: string, participantId: string) => {
  assert.equal((await sandbox.control('DELETE', `/meetings/${meetingId}/participants/${participantId}`)).status, 200);
  await delivered();
};
const meetingStatus = async (meetingId: string) =>
  (await sandbox.control<{ meetings: { id: number; status: string }[] }>('GET', '/meetings')).json.meetings.find((m) => String(m.id) === meetingId)?.status;
async function runJobs() {
  while (await runOneJob(t.deps.db, t.deps.clock, t.deps.log, warRoomJobs(t.deps))) {
    // run what is due
  }
}
const LIVE = 'Zoom war room is live.';
const EMPTY = 'Zoom call is empty: everyone left. The war room stays open; rejoin anytime with the same link.';
const AGAIN = 'Zoom call is live again.';

test('two responders join and both leave: the incident keeps the same join link with the Empty badge; a third joins and it is Live again; Create War Room returns the same war room', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  const inc = await declareSev1(t, o, 'Checkout errors');
  const made = await create(o, inc.id);
  assert.equal(made.status, 201);
  const w = made.warRoom;
  assert.equal(w.liveStatus, 'not_started');

  const first = await join(w.meetingId, 'First responder');
  assert.equal((await room(o, inc.id))?.liveStatus, 'live');
  const second = await join(w.meetingId, 'Second responder');
  await leave(w.meetingId, first);
  assert.equal((await room(o, inc.id))?.liveStatus, 'live', 'one left, one is still in the call');
  await leave(w.meetingId, second);
  assert.equal(await meetingStatus(w.meetingId), 'waiting', 'the sandbox ended the emptied meeting, as Zoom does');

  const emptied = await room(o, inc.id);
  assert.equal(emptied?.id, w.id, 'the same war room');
  assert.equal(emptied?.state, 'active', 'still active while the incident is');
  assert.equal(emptied?.liveStatus, 'empty');
  assert.equal(emptied?.joinUrl, w.joinUrl, 'the same join link');
  const page = await t.page(o, 'GET', `/incidents/${inc.number}`);
  assert.match(page.text, /Join Zoom war room/);
  assert.match(page.text, /data-live-status="Empty"/);
  assert.match(page.text, /rejoin anytime with the same link/);

  const again = await create(o, inc.id);
  assert.equal(again.status, 200, 'nothing new was created');
  assert.equal(again.warRoom.id, w.id);
  assert.equal(again.warRoom.meetingId, w.meetingId, 'never a second meeting');
  const creates = (await sandbox.control<{ counts: Record<string, number> }>('GET', '/calls')).json.counts['POST /v2/users/:userId/meetings'];
  assert.equal(creates, 1);

  await join(w.meetingId, 'Third responder');
  assert.equal((await room(o, inc.id))?.liveStatus, 'live', 'the same link started the call again');
  const entries = await timeline(o, inc.id);
  assert.equal(count(entries, LIVE), 1);
  assert.equal(count(entries, EMPTY), 1);
  assert.equal(count(entries, AGAIN), 1);
});

test('retried, replayed and late meeting events change the badge and the timeline at most once per change', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  const inc = await declareSev1(t, o, 'Replayed deliveries');
  const w = (await create(o, inc.id)).warRoom;
  const p = await join(w.meetingId, 'Responder');
  await leave(w.meetingId, p);
  // Zoom retries a delivery it did not see acknowledged: the same body comes again, freshly signed.
  const bodies = (await sandbox.control<{ deliveries: { event: string; body: string }[] }>('GET', '/webhooks')).json.deliveries
    .filter((d) => d.event.startsWith('meeting.') && d.body.includes(w.meetingId))
    .map((d) => d.body);
  assert.equal(bodies.length, 2);
  for (const body of [...bodies, ...bodies]) {
    const replay = await t.app.request('/webhooks/zoom', { method: 'POST', headers: signedBy(body), body });
    assert.equal(replay.status, 200);
    assert.deepEqual(await replay.json(), { status: 'duplicate' });
  }
  // An event older than the last one applied (a late retry of the first start) changes nothing.
  const late = await applyMeetingEvent(t.deps.db, t.clock, { provider: 'zoom', providerName: 'Zoom', meetingId: w.meetingId, type: 'started', at: new Date(t.clock.now().getTime() - 60_000) });
  assert.equal(late, 0);
  assert.equal((await room(o, inc.id))?.liveStatus, 'empty');
  const entries = await timeline(o, inc.id);
  assert.equal(count(entries, LIVE), 1);
  assert.equal(count(entries, EMPTY), 1);
  assert.equal(count(entries, AGAIN), 0);
});

test('resolving with "end the meeting" on ends the call at Zoom for everyone, and the timeline says it did', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  assert.equal((await t.page(o, 'POST', '/organization/war-room-settings', { endMeetingOnResolve: 'on' })).status, 303);
  const inc = await declareSev1(t, o, 'Resolved with the call running');
  const w = (await create(o, inc.id)).warRoom;
  await join(w.meetingId, 'Responder');
  assert.equal((await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/status`, { status: 'resolved' })).status, 200);
  await runJobs();
  await delivered();
  assert.equal(await meetingStatus(w.meetingId), 'waiting', 'Zoom ended the meeting');
  const entries = await timeline(o, inc.id);
  assert.ok(entries.includes('War room ended: the incident was resolved. Ending the meeting for everyone: the outcome follows on this timeline.'));
  assert.equal(count(entries, 'Zoom meeting ended for everyone.'), 1);
  assert.equal(await room(o, inc.id), null, 'the war room ended with the incident');
});

test('without meeting:update:status the card and the setting say ending cannot work, and the timeline never claims the meeting ended', async () => {
  const o = await t.owner();
  await connectZoom(t, o, { scopes: ALL_SCOPES.filter((s) => s !== 'meeting:update:status') });
  const message = 'Ending meetings on resolve needs the meeting:update:status scope — reconnect Zoom and approve it.';
  let card = await zoomCard(t, o);
  assert.equal(card.status, 'Connected', 'creating war rooms still works');
  assert.match(card.html, /id="end-on-resolve-zoom-scope"/, 'the setting says Zoom cannot end meetings yet, even before it is turned on');
  assert.doesNotMatch(card.html, new RegExp(message), 'the card raises it only once the setting asks for it');

  assert.equal((await t.page(o, 'POST', '/organization/war-room-settings', { endMeetingOnResolve: 'on' })).status, 303);
  card = await zoomCard(t, o);
  assert.match(card.html, new RegExp(message));
  assert.match(card.html, /Resolved incidents will not end their meetings/);
  const check = await t.page(o, 'POST', '/integrations/zoom/test', {});
  assert.match(check.headers.get('location') ?? '', /result=check_failed/, 'the connection check treats it as a problem of the card');
  card = await zoomCard(t, o);
  assert.equal(card.status, 'Connected', 'a problem, not a reconnect: war rooms still work');
  assert.match(card.html, new RegExp(`${message} · checked just now`));

  const inc = await declareSev1(t, o, 'Resolved without the end scope');
  const w = (await create(o, inc.id)).warRoom;
  await join(w.meetingId, 'Responder');
  assert.equal((await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/status`, { status: 'resolved' })).status, 200);
  await runJobs();
  assert.equal(await meetingStatus(w.meetingId), 'started', 'Zoom refused to end it (4711)');
  const entries = await timeline(o, inc.id);
  assert.ok(!entries.some((b) => /will be ended|meeting ended for everyone/.test(b)), 'nothing promises what did not happen');
  assert.ok(entries.includes(`The Zoom meeting was not ended: ${message} End it in Zoom if people are still in it. An Owner or Admin can reconnect Zoom in Integrations Hub and approve meeting:update:status.`));
});

test('after Zoom refuses to create (3161) the card says the user can\'t host until a create succeeds; a check that cannot tell keeps it', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  await sandbox.control('PATCH', `/users/${HOST_ID}`, { canHost: false });
  try {
    const inc = await declareSev1(t, o, 'Host without rights');
    const refused = await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/war-room`, {});
    assert.equal(refused.status, 422);
    let card = await zoomCard(t, o);
    assert.equal(card.status, 'Connected');
    assert.match(card.html, /Zoom user cannot create a meeting\./);
    assert.match(card.html, /The connected Zoom user can't host meetings/);
    assert.doesNotMatch(card.html, /Ready for war rooms/);
    await t.page(o, 'POST', '/integrations/zoom/test', {});
    card = await zoomCard(t, o);
    assert.match(card.html, /The connected Zoom user can't host meetings/, 'Zoom\'s user profile cannot tell, so the check keeps what the create learned');
    await sandbox.control('PATCH', `/users/${HOST_ID}`, { canHost: true });
    const made = await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/war-room`, {});
    assert.equal(made.status, 201);
    card = await zoomCard(t, o);
    assert.doesNotMatch(card.html, /can't host meetings/);
    assert.match(card.html, /Ready for war rooms/);
  } finally {
    await sandbox.control('PATCH', `/users/${HOST_ID}`, { canHost: true });
  }
});

test('Zoom\'s daily limit answered as HTTP 300 ("A maximum of 100 meetings…") is the daily limit, as the 429 is', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  const a = await declareSev1(t, o, 'First of the day');
  assert.equal((await t.api(o, 'POST', `/api/v1/incidents/${a.id}/war-room`, {})).status, 201);
  // The host user has created at least one meeting today: a limit of 1 is reached.
  await sandbox.control('POST', '/settings', { dailyLimit: 1, dailyLimitStatus: 300 });
  try {
    const b = await declareSev1(t, o, 'Over the daily limit');
    const limited = await t.api(o, 'POST', `/api/v1/incidents/${b.id}/war-room`, {});
    assert.equal(limited.status, 429);
    assert.match(limited.json.error?.message ?? '', /reached Zoom's daily limit for creating meetings\. Try again after \d{4}-\d{2}-\d{2} 00:00 UTC\./);
    assert.match(limited.headers.get('retry-after') ?? '', /^\d+$/);
  } finally {
    await sandbox.control('POST', '/settings', { dailyLimit: 100, dailyLimitStatus: 429 });
  }
});

test('the host deletes the meeting in Zoom: the war room ends with the reason on the timeline, once, and Create War Room opens a new meeting', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  const inc = await declareSev1(t, o, 'Meeting deleted under us');
  const made = await create(o, inc.id);
  assert.equal(made.status, 201);
  assert.equal((await sandbox.control('POST', `/meetings/${made.warRoom.meetingId}/delete`)).status, 200);
  await delivered();
  const DELETED = 'The Zoom meeting was deleted in Zoom: its join link no longer works. Create War Room to open a new one.';
  assert.equal(count(await timeline(o, inc.id), DELETED), 1);
  const page = await t.page(o, 'GET', `/incidents/${inc.number}`);
  assert.ok(!page.text.includes(`href="${made.warRoom.joinUrl.replace(/&/g, '&amp;')}"`) && !page.text.includes(`href="${made.warRoom.joinUrl}"`), 'the dead link is not offered to join');
  assert.match(page.text, /ended \(meeting deleted in Zoom\)/);
  assert.match(page.text, /Create War Room/);
  const again = await create(o, inc.id);
  assert.equal(again.status, 201, 'a new war room, not the deleted one');
  assert.notEqual(again.warRoom.meetingId, made.warRoom.meetingId);
  assert.equal(again.warRoom.state, 'active');
});

function signedBy(body: string): Record<string, string> {
  const ts = Math.floor(t.clock.now().getTime() / 1000);
  return { 'content-type': 'application/json', 'x-zm-request-timestamp': String(ts), 'x-zm-signature': `v0=${createHmac('sha256', WEBHOOK_SECRET).update(`v0:${ts}:${body}`).digest('hex')}` };
}
