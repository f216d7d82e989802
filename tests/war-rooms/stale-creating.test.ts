import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { and, eq, like } from 'drizzle-orm';
import { auditLog, idempotencyKeys, jobs, timelineEntries, warRooms } from '../../src/platform/db/schema.ts';
import { runOneJob, scheduleNextPeriodicRun, startWorker } from '../../src/platform/jobs/queue.ts';
import { STALE_WAR_ROOMS_JOB, STALE_WAR_ROOMS_SWEEP, warRoomJobs } from '../../src/jobs/war-rooms.ts';
import { meetingPort } from '../../src/integrations/hub/meetings.ts';
import { createWarRoom } from '../../src/domain/war-rooms/create-war-room.ts';
import { drainWarRoomCreates, inFlightCreates } from '../../src/domain/war-rooms/in-flight.ts';
import { WAIT_FOR_OTHER_CREATE_MS } from '../../src/domain/war-rooms/create-war-room.ts';
import { attemptMarker } from '../../src/domain/war-rooms/model.ts';
import { resolveStaleWarRoom } from '../../src/domain/war-rooms/resolve-stale-war-rooms.ts';
import { systemMeta } from '../../src/domain/context.ts';
import { AppError } from '../../src/shared/errors.ts';
import { makeTestApp, type Member } from '../support/app.ts';
import { startZoom, ownerWithZoom, declareSev1, holdNextCall } from '../support/zoom.ts';
import { until } from '../support/until.ts';

const { sandbox, zoom } = await startZoom();
const t = await makeTestApp({ zoom });
const port = meetingPort(t.deps);

const counts = async () => (await sandbox.control<{ counts: Record<string, number> }>('GET', '/calls')).json.counts;
const creates = async () => (await counts())['POST /v2/users/:userId/meetings'] ?? 0;
const fault = (f: object, times = 1, endpoint = 'POST /v2/users/:userId/meetings') => sandbox.control('POST', '/faults', { endpoint, times, fault: f });

const STOPPED = 'Runframe stopped before Zoom answered; no meeting was created. Try again.';
const MINUTE = 60_000;

const orgWithZoom = () => ownerWithZoom(t);
const incident = (o: Member, title?: string) => declareSev1(t, o, title);
const create = (m: Member, id: string) => t.api(m, 'POST', `/api/v1/incidents/${id}/war-room`, {});
const timeline = async (m: Member, id: string) => (await t.api(m, 'GET', `/api/v1/incidents/${id}/timeline`)).json.entries.map((e) => e.body);
const row = async (id: string) => (await t.deps.db.select().from(warRooms).where(eq(warRooms.id, id)))[0];

/**
 * What a process that died mid-create leaves behind: the claimed `creating` row and, if Zoom got the
 * request, a meeting carrying the attempt's marker in its agenda (made through the real client).
 */
async function stuckAttempt(o: Member, inc: { id: string }, opts: { ageMs: number; zoomMadeIt: boolean }) {
  const id = randomUUID();
  const createdAt = new Date(t.clock.now().getTime() - opts.ageMs);
  await t.deps.db.insert(warRooms).values({
    id,
    orgId: o.orgId,
    incidentId: inc.id,
    provider: 'zoom',
    state: 'creating',
    attemptMarker: attemptMarker(id),
    createdBy: o.userId,
    createdByLabel: o.name,
    createdAt,
    expiresAt: new Date(createdAt.getTime() + 24 * 3_600_000),
  });
  const meeting = opts.zoomMadeIt
    ? await port.createMeeting(o.orgId, 'zoom', { topic: '[SEV1] stuck', agenda: `${attemptMarker(id)}\nWar room`, startTime: t.clock.now(), durationMinutes: 60 })
    : null;
  return { id, meeting };
}

test('a war room stuck in creating after a crash: the next clicks adopt the meeting Zoom made, and create none', async () => {
  const o = await orgWithZoom();
  const r = await t.member(o, 'responder');
  const inc = await incident(o);
  const stuck = await stuckAttempt(o, inc, { ageMs: 3 * MINUTE, zoomMadeIt: true });
  const before = await creates();
  const results = await Promise.all(Array.from({ length: 6 }, (_, i) => create(i % 2 ? o : r, inc.id)));
  assert.equal((await creates()) - before, 0, 'no second meeting');
  for (const res of results) {
    assert.ok(res.status === 200 || res.status === 201, res.text);
    assert.equal(res.json.warRoom.state, 'active');
    assert.equal(res.json.warRoom.joinUrl, stuck.meeting?.joinUrl);
  }
  const settled = await row(stuck.id);
  assert.equal(settled?.state, 'active');
  assert.equal(settled?.providerMeetingId, stuck.meeting?.meetingId);
  const recovered = (await timeline(o, inc.id)).filter((b) => b.startsWith('Zoom war room recovered after Runframe stopped while creating it'));
  assert.equal(recovered.length, 1, 'settled once, whatever the number of clicks');
  assert.equal((await t.deps.db.select().from(warRooms).where(eq(warRooms.incidentId, inc.id))).length, 1);
});

test('a stuck war room whose meeting Zoom never made is marked failed, and the click creates exactly one new meeting', async () => {
  const o = await orgWithZoom();
  const r = await t.member(o, 'responder');
  const inc = await incident(o);
  const stuck = await stuckAttempt(o, inc, { ageMs: 3 * MINUTE, zoomMadeIt: false });
  const before = await creates();
  const results = await Promise.all(Array.from({ length: 6 }, (_, i) => create(i % 2 ? o : r, inc.id)));
  assert.equal((await creates()) - before, 1, 'one new meeting for all the clicks');
  assert.equal(new Set(results.map((x) => x.json.warRoom?.joinUrl)).size, 1, 'the same link for everyone');
  assert.ok(results.every((x) => x.json.warRoom?.state === 'active'));
  const old = await row(stuck.id);
  assert.equal(old?.state, 'failed');
  assert.equal(old?.failureMessage, STOPPED);
  assert.equal(old?.outcomeUnknown, false, 'Zoom was asked: nothing to look for later');
  const entries = await timeline(o, inc.id);
  assert.equal(entries.filter((b) => b === `Zoom war room could not be created: ${STOPPED}`).length, 1);
});

/** Resolves once the caller using `key` has joined the war room `warRoomId` (its key names it). */
async function joined(o: Member, key: string, warRoomId: string) {
  await until(`the caller joins war room ${warRoomId}`, async () => {
    const [k] = await t.deps.db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.orgId, o.orgId), eq(idempotencyKeys.userId, o.userId), eq(idempotencyKeys.key, key)));
    return k?.resourceId === warRoomId;
  });
}

test('a click on a creating war room younger than the threshold waits for the create that may still be running; once the threshold passes it settles it', async () => {
  const o = await orgWithZoom();
  const inc = await incident(o);
  const stuck = await stuckAttempt(o, inc, { ageMs: 30_000, zoomMadeIt: false });
  const lists = async () => (await counts())['GET /v2/users/:userId/meetings'] ?? 0;
  const listsBefore = await lists();
  const createsBefore = await creates();
  const waiting = createWarRoom({ ctx: t.ctxFor(o), meetings: port, timing: t.deps.warRoomTiming, incidentRef: inc.id, input: {}, idempotencyKey: 'young-row' });
  let settledWith: unknown = 'still waiting';
  void waiting.then(
    (v) => (settledWith = v),
    (e: unknown) => (settledWith = e),
  );
  await joined(o, 'young-row', stuck.id);
  assert.equal((await row(stuck.id))?.state, 'creating');
  assert.equal(await lists(), listsBefore, 'Zoom was not searched: the attempt may still be running');
  assert.equal(settledWith, 'still waiting', 'the click waits rather than answering "creating"');
  // The longest a create can take: until its row counts as stale. Then the click settles it as any click would.
  t.clock.advance(90_000);
  try {
    await assert.rejects(waiting, (err) => err instanceof AppError && err.code === 'provider_unavailable' && err.message === STOPPED);
  } finally {
    t.clock.advance(-90_000);
  }
  assert.equal((await row(stuck.id))?.state, 'failed');
  assert.equal((await lists()) - listsBefore, 1, 'searched once, when it was stale');
  assert.equal((await creates()) - createsBefore, 0, 'the waiting click created nothing');
  assert.equal((await create(o, inc.id)).status, 201, 'and the next click works');
});

test('a click that finds another attempt still creating waits at most 10 s, then answers 202 with the war room creating and Retry-After', { timeout: 60_000 }, async () => {
  const o = await orgWithZoom();
  const inc = await incident(o);
  const stuck = await stuckAttempt(o, inc, { ageMs: 30_000, zoomMadeIt: false });
  const createsBefore = await creates();
  const answer = t.api(o, 'POST', `/api/v1/incidents/${inc.id}/war-room`, {}, { 'idempotency-key': 'waits-ten-seconds' });
  await joined(o, 'waits-ten-seconds', stuck.id);
  // Ten seconds pass on the clock: the attempt is 40 s old, far from stale (2 min), and still at Zoom.
  t.clock.advance(WAIT_FOR_OTHER_CREATE_MS);
  try {
    const res = await answer;
    assert.equal(res.status, 202, res.text);
    assert.equal(res.headers.get('retry-after'), '5');
    assert.equal(res.json.warRoom.id, stuck.id);
    assert.equal(res.json.warRoom.state, 'creating');
  } finally {
    t.clock.advance(-WAIT_FOR_OTHER_CREATE_MS);
  }
  assert.equal((await row(stuck.id))?.state, 'creating', 'the attempt is left to finish');
  assert.equal((await creates()) - createsBefore, 0, 'the waiting click created nothing');
  // The incident page shows it in progress (and its script polls until it settles).
  const page = await t.page(o, 'GET', `/incidents/${inc.number}`);
  assert.equal(page.status, 200);
  assert.match(page.text, /Creating the Zoom meeting…/);
});

test('the periodic sweep settles stuck war rooms, once each even when two sweeps race, and creates no meeting', async () => {
  const o = await orgWithZoom();
  const [a, b, c, d] = await Promise.all(['Found', 'Never made', 'Recent', 'Resolved meanwhile'].map((title) => incident(o, title)));
  assert.ok(a && b && c && d);
  const found = await stuckAttempt(o, a, { ageMs: 5 * MINUTE, zoomMadeIt: true });
  const lost = await stuckAttempt(o, b, { ageMs: 5 * MINUTE, zoomMadeIt: false });
  const recent = await stuckAttempt(o, c, { ageMs: 10_000, zoomMadeIt: false });
  const onResolved = await stuckAttempt(o, d, { ageMs: 5 * MINUTE, zoomMadeIt: true });
  await t.api(o, 'POST', `/api/v1/incidents/${d.id}/status`, { status: 'resolved' });
  const before = await creates();

  const sweep = warRoomJobs(t.deps)[STALE_WAR_ROOMS_JOB];
  assert.ok(sweep);
  await Promise.all([sweep({}), sweep({})]);

  assert.equal((await creates()) - before, 0);
  const fa = await row(found.id);
  assert.equal(fa?.state, 'active');
  assert.equal(fa?.joinUrl, found.meeting?.joinUrl);
  const lo = await row(lost.id);
  assert.equal(lo?.state, 'failed');
  assert.equal(lo?.failureMessage, STOPPED);
  assert.equal((await row(recent.id))?.state, 'creating', 'a create that may still be running is left alone');
  const re = await row(onResolved.id);
  assert.equal(re?.state, 'ended', 'a resolved incident gets no active war room');
  assert.equal(re?.providerMeetingId, onResolved.meeting?.meetingId);

  for (const inc of [a, b, d]) {
    const entries = (await t.deps.db.select().from(timelineEntries).where(and(eq(timelineEntries.incidentId, inc.id), eq(timelineEntries.kind, 'war_room')))).filter(
      (e) => (e.data as Record<string, unknown>)['recovered'] === true,
    );
    assert.equal(entries.length, 1, `${inc.title}: one timeline entry`);
    const audits = await t.deps.db.select().from(auditLog).where(and(eq(auditLog.targetId, inc.id), like(auditLog.action, 'war_room.%')));
    assert.equal(audits.length, 1, `${inc.title}: one audit row`);
  }
  assert.match((await timeline(o, a.id)).join('\n'), new RegExp(`Zoom war room recovered after Runframe stopped while creating it \\(meeting ID ${found.meeting?.meetingId}\\)\\. Join from the incident page\\.`));
  // Create War Room works again where nothing was found.
  assert.equal((await create(o, b.id)).status, 201);
});

test('the worker schedules the sweep once per period whatever the number of processes, and runs it when due', async () => {
  const o = await orgWithZoom();
  const inc = await incident(o);
  const stuck = await stuckAttempt(o, inc, { ageMs: 3 * MINUTE, zoomMadeIt: false });
  const handlers = warRoomJobs(t.deps);
  const worker = startWorker({ db: t.deps.db, clock: t.clock, log: t.deps.log, pollMs: 3_600_000, handlers, periodic: [STALE_WAR_ROOMS_SWEEP] });
  await worker.stop();
  await scheduleNextPeriodicRun(t.deps.db, t.clock, STALE_WAR_ROOMS_SWEEP); // a second process, same period
  const pending = async () => (await t.deps.db.select().from(jobs).where(eq(jobs.kind, STALE_WAR_ROOMS_JOB))).filter((j) => j.doneAt === null);
  assert.equal((await pending()).length, 1);
  assert.equal((await row(stuck.id))?.state, 'creating', 'not due yet');
  t.clock.advance(STALE_WAR_ROOMS_SWEEP.everyMs);
  while (await runOneJob(t.deps.db, t.clock, t.deps.log, handlers)) {
    // run what is due
  }
  assert.equal((await row(stuck.id))?.state, 'failed');
  assert.equal((await pending()).length, 0);
  await scheduleNextPeriodicRun(t.deps.db, t.clock, STALE_WAR_ROOMS_SWEEP);
  assert.equal((await pending()).length, 1, 'the next period is scheduled');
});

test('a create that outlives the threshold loses its row to another process’s sweep: the next click adopts its late meeting, no second one', async () => {
  const o = await orgWithZoom();
  const inc = await incident(o);
  const before = await creates();
  await fault({ kind: 'delay', ms: 800 });
  const slow = createWarRoom({ ctx: t.ctxFor(o), meetings: port, timing: t.deps.warRoomTiming, incidentRef: inc.id, input: {} });
  const claimed = await until('the create claims its row', async () => (await t.deps.db.select().from(warRooms).where(and(eq(warRooms.incidentId, inc.id), eq(warRooms.state, 'creating'))))[0]);
  // Another process's sweep takes it for abandoned while Zoom has not made the meeting yet.
  assert.equal(await resolveStaleWarRoom({ deps: t.deps, meetings: port, meta: systemMeta('other-process'), row: claimed }), true);
  await assert.rejects(slow, (err) => err instanceof AppError && /Zoom answered after Runframe had given up waiting for it/.test(err.message));
  assert.equal((await row(claimed.id))?.outcomeUnknown, true, 'flagged so the next click looks for the late meeting');
  const retry = await create(o, inc.id);
  assert.equal(retry.status, 201, retry.text);
  assert.equal((await creates()) - before, 1, 'the late meeting became the war room');
  assert.equal((await t.deps.db.select().from(warRooms).where(and(eq(warRooms.incidentId, inc.id), eq(warRooms.state, 'active')))).length, 1);
  const made = (await timeline(o, inc.id)).filter((b) => b.startsWith('Zoom war room created'));
  assert.deepEqual(made, [`Zoom war room created (meeting ID ${retry.json.warRoom.meetingId}). Join from the incident page.`], 'the late answer wrote no entry of its own');
});

test('shutdown drains war-room creates in flight: Zoom’s answer is recorded before the database closes', async () => {
  const o = await orgWithZoom();
  const inc = await incident(o);
  await fault({ kind: 'delay', ms: 300 });
  const op = createWarRoom({ ctx: t.ctxFor(o), meetings: port, timing: t.deps.warRoomTiming, incidentRef: inc.id, input: {} });
  assert.equal(inFlightCreates(), 1);
  assert.equal(await drainWarRoomCreates(10_000), true);
  const [settled] = await t.deps.db.select().from(warRooms).where(eq(warRooms.incidentId, inc.id));
  assert.equal(settled?.state, 'active', 'drained means recorded, not abandoned');
  assert.equal(inFlightCreates(), 0);
  assert.equal((await op).created, true);
});

test('draining is bounded: a create slower than the bound is left for the sweep', async () => {
  const o = await orgWithZoom();
  const inc = await incident(o);
  const held = await holdNextCall(sandbox, 'POST /v2/users/:userId/meetings');
  const op = createWarRoom({ ctx: t.ctxFor(o), meetings: port, timing: t.deps.warRoomTiming, incidentRef: inc.id, input: {} });
  try {
    await held.reached();
    assert.equal(await drainWarRoomCreates(20), false);
  } finally {
    await held.release();
  }
  assert.equal((await op).warRoom.state, 'active');
  assert.equal(inFlightCreates(), 0);
});
