// The periodic health check: scheduled at HEALTH_CHECK_INTERVAL by connecting, one pending run per
// connection however often it is reconnected, rescheduled by every run (also one that throws), and
// what it does with a Zoom user who cannot host (keeps the connection) or a grant without the
// meeting scope (revokes, then Reconnect required). Runs go through the real job runner.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { integrationConnections, jobs } from '../../../src/platform/db/schema.ts';
import { HEALTH_CHECK_JOB, healthCheckJob } from '../../../src/integrations/hub/health-check.ts';
import { runOneJob } from '../../../src/platform/jobs/queue.ts';
import { makeTestApp, type Member } from '../../support/app.ts';
import { connectZoom, startZoom, zoomCard, HOST_ID } from '../../support/zoom.ts';

const { sandbox, zoom } = await startZoom();
const t = await makeTestApp({ zoom });
// Not the 6-hour default, so the test sees that the configured interval is the one used.
const INTERVAL = 90 * 60_000;
t.deps.healthCheckIntervalMs = INTERVAL;
const START = t.clock.now();

const handlers = { [HEALTH_CHECK_JOB]: healthCheckJob(t.deps) };
/** Runs every due job through the runner, as the worker does; returns how many ran. */
async function runDue(): Promise<number> {
  let n = 0;
  while (await runOneJob(t.deps.db, t.clock, t.deps.log, handlers)) n++;
  return n;
}
const pendingChecks = (orgId: string) =>
  t.deps.db
    .select()
    .from(jobs)
    .where(and(eq(jobs.kind, HEALTH_CHECK_JOB), isNull(jobs.doneAt), sql`${jobs.payload}->>'orgId' = ${orgId}`));
const counts = async () => (await sandbox.control<{ counts: Record<string, number> }>('GET', '/calls')).json.counts;
const revokes = async () => (await counts())['POST /oauth/revoke'] ?? 0;
const audit = async (o: Member, action: string) => (await t.api(o, 'GET', `/api/v1/audit-log?action=${action}&perPage=100`)).json.entries;

async function onePendingCheck(o: Member, dueAt: Date, what: string) {
  const pending = await pendingChecks(o.orgId);
  assert.equal(pending.length, 1, `${what}: exactly one pending check`);
  assert.equal(pending[0]?.runAt.getTime(), dueAt.getTime(), `${what}: due one interval later`);
  assert.deepEqual(pending[0]?.payload, { orgId: o.orgId, provider: 'zoom' });
  return pending[0]?.id;
}

test('connecting schedules the check one HEALTH_CHECK_INTERVAL later; each run schedules the next; reconnecting never starts a second chain', async () => {
  t.clock.set(START);
  try {
    const o = await t.owner();
    await connectZoom(t, o);
    const connectedAt = t.clock.now();
    const first = await onePendingCheck(o, new Date(connectedAt.getTime() + INTERVAL), 'after connecting');

    // Reconnecting twice keeps the one pending check.
    t.clock.advance(10 * 60_000);
    await connectZoom(t, o);
    await connectZoom(t, o);
    assert.equal(await onePendingCheck(o, new Date(connectedAt.getTime() + INTERVAL), 'after reconnecting'), first);
    assert.equal(await runDue(), 0, 'nothing is due before the interval');

    // Due: the runner runs it, and the run schedules the next one.
    t.clock.set(new Date(connectedAt.getTime() + INTERVAL));
    assert.equal(await runDue(), 1);
    const second = await onePendingCheck(o, new Date(t.clock.now().getTime() + INTERVAL), 'after the first run');
    assert.notEqual(second, first);
    assert.match((await zoomCard(t, o)).html, /Ready for war rooms · checked just now/);

    // A reconnect between runs, then the next run: still one chain.
    t.clock.advance(30 * 60_000);
    await connectZoom(t, o);
    t.clock.advance(60 * 60_000);
    assert.equal(await runDue(), 1);
    await onePendingCheck(o, new Date(t.clock.now().getTime() + INTERVAL), 'after a reconnect and a run');
    t.clock.advance(INTERVAL);
    assert.equal(await runDue(), 1);
    await onePendingCheck(o, new Date(t.clock.now().getTime() + INTERVAL), 'after another run');
  } finally {
    t.clock.set(START);
  }
});

test('a run that throws inside Runframe is logged and still schedules the next check', async () => {
  t.clock.set(START);
  const o = await t.owner();
  await connectZoom(t, o);
  const [row] = await t.deps.db.select().from(integrationConnections).where(eq(integrationConnections.orgId, o.orgId));
  const blob = row?.sealedCredentials ?? '';
  // A damaged blob fails authentication when opened: an internal error, not a Zoom answer.
  const damaged = `${blob.slice(0, 40)}${blob[40] === 'A' ? 'B' : 'A'}${blob.slice(41)}`;
  await t.deps.db.update(integrationConnections).set({ sealedCredentials: damaged }).where(eq(integrationConnections.orgId, o.orgId));
  try {
    t.clock.advance(INTERVAL);
    const logged = t.logLines.length;
    assert.equal(await runDue(), 1);
    assert.ok(
      t.logLines.slice(logged).some((l) => l.includes('the periodic connection check failed')),
      'the failure is logged',
    );
    await onePendingCheck(o, new Date(t.clock.now().getTime() + INTERVAL), 'after a run that threw');
    const failed = await t.deps.db.select().from(jobs).where(and(eq(jobs.kind, HEALTH_CHECK_JOB), sql`${jobs.payload}->>'orgId' = ${o.orgId}`, sql`${jobs.doneAt} is not null`));
    assert.equal(failed.length, 1, 'the run that threw is done, not left to be retried beside the next one');
  } finally {
    await t.deps.db.update(integrationConnections).set({ sealedCredentials: blob }).where(eq(integrationConnections.orgId, o.orgId));
    t.clock.set(START);
  }
});

test('Zoom user cannot create a meeting: the check keeps the connection, warns on the card, revokes nothing; fixed in Zoom, trying again is ready', async () => {
  t.clock.set(START);
  const o = await t.owner();
  await connectZoom(t, o);
  const before = await revokes();
  await sandbox.control('PATCH', `/users/${HOST_ID}`, { status: 'inactive' });
  try {
    const test1 = await t.page(o, 'POST', '/integrations/zoom/test', {});
    assert.match(test1.headers.get('location') ?? '', /result=check_failed/);
    let card = await zoomCard(t, o);
    assert.equal(card.status, 'Connected', 'not Reconnect required: the grant is fine');
    assert.match(card.html, /Zoom user cannot create a meeting\./);
    assert.match(card.html, /The selected Zoom user may not have permission to host meetings\./);
    assert.match(card.html, /Check the user's Zoom account permissions, then try again\./);
    assert.match(card.html, /The connected Zoom user can't host meetings\. Check that user's Zoom permissions, then try again\. · checked just now/);

    // The periodic run says the same and keeps checking.
    t.clock.advance(INTERVAL);
    assert.equal(await runDue(), 1);
    card = await zoomCard(t, o);
    assert.equal(card.status, 'Connected');
    await onePendingCheck(o, new Date(t.clock.now().getTime() + INTERVAL), 'after a run that found the user cannot host');
    assert.equal((await revokes()) - before, 0, 'nothing was revoked');
    assert.equal((await audit(o, 'integration.reconnect_required')).length, 0);
    const checked = await audit(o, 'integration.health_checked');
    assert.equal(checked.length, 2);
    assert.match(String(checked[0]?.metadata['problem']), /can't host meetings/);
  } finally {
    await sandbox.control('PATCH', `/users/${HOST_ID}`, { status: 'active' });
  }
  // Fixed in Zoom: trying again works with the same connection.
  const again = await t.page(o, 'POST', '/integrations/zoom/test', {});
  assert.match(again.headers.get('location') ?? '', /result=checked/);
  const card = await zoomCard(t, o);
  assert.equal(card.status, 'Connected');
  assert.doesNotMatch(card.html, /cannot create a meeting/);
  assert.match(card.html, /Ready for war rooms · checked/);
  t.clock.set(START);
});

test('a grant without the meeting scope found by the check is still revoked at Zoom before the card says Reconnect required', async () => {
  t.clock.set(START);
  const o = await t.owner();
  await connectZoom(t, o);
  // As if a refresh had come back with fewer scopes (the app's scopes were changed in the Marketplace).
  await t.deps.db.update(integrationConnections).set({ scopes: ['user:read:user'] }).where(eq(integrationConnections.orgId, o.orgId));
  const before = await revokes();
  const r = await t.page(o, 'POST', '/integrations/zoom/test', {});
  assert.match(r.headers.get('location') ?? '', /result=check_failed/);
  assert.equal((await revokes()) - before, 1, 'Zoom saw the revoke');
  const card = await zoomCard(t, o);
  assert.equal(card.status, 'Reconnect required');
  assert.match(card.html, /Zoom did not grant the meeting scope: connect again and approve it\./);
  assert.equal((await pendingChecks(o.orgId)).length, 1, 'the pending check stays; it finds nothing to check and ends the chain');
  t.clock.advance(INTERVAL);
  await runDue();
  assert.equal((await pendingChecks(o.orgId)).length, 0);
  t.clock.set(START);
});
