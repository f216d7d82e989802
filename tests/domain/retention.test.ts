import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import { purgeExpiredData } from '../../src/domain/retention/purge-expired-data.ts';
import { countAttempt } from '../../src/domain/orgs/sign-in-throttle.ts';
import { RETENTION_JOB, RETENTION_SWEEP, retentionJobs } from '../../src/jobs/retention.ts';
import { enqueueJob, runOneJob } from '../../src/platform/jobs/queue.ts';
import { idempotencyKeys, jobs, sessions, signInThrottle, webhookEvents } from '../../src/platform/db/schema.ts';
import { createSession, resolveSession } from '../../src/domain/orgs/sessions.ts';
import { makeTestApp } from '../support/app.ts';

const t = await makeTestApp();
const DAY = 86_400_000;

test('the daily sweep deletes what is past its use, in batches, and keeps everything still in use', async () => {
  const o = await t.owner();
  const start = t.clock.now();
  // Five sessions that will expire, made 73 hours before the sweep; one made just before it.
  const old = await Promise.all(Array.from({ length: 5 }, () => createSession(t.deps, o.userId, o.orgId)));
  await countAttempt(t.deps.db, t.clock, 'account:old@example.com|198.51.100.1', 15 * 60_000);
  for (let i = 0; i < 3; i++) await t.deps.db.insert(webhookEvents).values({ dedupeKey: `old-${i}`, provider: 'zoom', event: 'meeting.ended', receivedAt: start });
  await t.deps.db.insert(idempotencyKeys).values({ orgId: o.orgId, userId: o.userId, scope: 'war_room.create', key: 'old-key', requestHash: 'h', resourceId: 'r', createdAt: start });
  await enqueueJob(t.deps.db, t.clock, { kind: 'noop', dedupeKey: 'finished-long-ago' });
  await t.deps.db.update(jobs).set({ doneAt: start }).where(eq(jobs.dedupeKey, 'finished-long-ago'));

  t.clock.advance(31 * DAY);
  const fresh = await createSession(t.deps, o.userId, o.orgId);
  await countAttempt(t.deps.db, t.clock, 'account:new@example.com|198.51.100.1', 15 * 60_000);
  await t.deps.db.insert(webhookEvents).values({ dedupeKey: 'recent', provider: 'zoom', event: 'meeting.ended', receivedAt: t.clock.now() });
  await t.deps.db.insert(idempotencyKeys).values({ orgId: o.orgId, userId: o.userId, scope: 'war_room.create', key: 'recent-key', requestHash: 'h', resourceId: 'r', createdAt: t.clock.now() });

  const counts = await purgeExpiredData({ deps: t.deps, batch: 2 });
  assert.ok(counts.sessions >= 5, `expired sessions deleted (${counts.sessions})`);
  assert.ok(counts.signInCounters >= 1);
  assert.ok(counts.webhookEvents >= 3);
  assert.ok(counts.idempotencyKeys >= 1);
  assert.ok(counts.finishedJobs >= 1);
  for (const token of old) assert.equal((await t.deps.db.select().from(sessions).where(eq(sessions.idHash, token))).length, 0);
  assert.ok(await resolveSession(t.deps, fresh), 'a live session is kept');
  assert.deepEqual((await t.deps.db.select({ k: signInThrottle.key }).from(signInThrottle)).map((r) => r.k), ['account:new@example.com|198.51.100.1']);
  assert.deepEqual((await t.deps.db.select({ k: webhookEvents.dedupeKey }).from(webhookEvents)).map((r) => r.k), ['recent']);
  assert.deepEqual((await t.deps.db.select({ k: idempotencyKeys.key }).from(idempotencyKeys)).map((r) => r.k), ['recent-key']);

  const again = await purgeExpiredData({ deps: t.deps, batch: 2 });
  assert.deepEqual(again, { sessions: 0, signInCounters: 0, webhookEvents: 0, idempotencyKeys: 0, finishedJobs: 0, oauthStates: 0 }, 'nothing left to delete');
});

test('the sweep runs once a day as a job of the worker', async () => {
  assert.equal(RETENTION_SWEEP.everyMs, DAY);
  const o = await t.owner();
  await createSession(t.deps, o.userId, o.orgId);
  t.clock.advance(4 * DAY);
  await enqueueJob(t.deps.db, t.clock, { kind: RETENTION_JOB });
  assert.equal(await runOneJob(t.deps.db, t.clock, t.deps.log, retentionJobs(t.deps)), true);
  assert.equal(Number((await t.deps.db.select({ n: sql<number>`count(*)` }).from(sessions).where(sql`${sessions.expiresAt} < ${t.clock.now().toISOString()}`))[0]?.n), 0);
  assert.ok(t.logLines.some((l) => l.includes('retention: deleted rows past their use')));
});
