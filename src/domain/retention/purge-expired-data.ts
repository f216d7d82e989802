import { and, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import { queryRows } from '../../platform/db/client.ts';
import { jobs, oauthStates, sessions, signInThrottle, webhookEvents } from '../../platform/db/schema.ts';
import type { Deps } from '../context.ts';

/** How long rows that only serve a purpose for a while are kept (README › Data retention). */
export const RETENTION = {
  /** A provider retries a webhook delivery for hours at most; a retry after a month has no effect to prevent. */
  webhookEventsDays: 30,
  /** Idempotency-Key retries come within minutes; 30 days covers any client's retry policy. */
  idempotencyKeysDays: 30,
  finishedJobsDays: 30,
  /** OAuth states live 10 minutes; a day later they are only noise. */
  oauthStatesDays: 1,
} as const;

export const PURGE_BATCH = 1000;
const DAY_MS = 86_400_000;

export interface PurgeCounts {
  sessions: number;
  signInCounters: number;
  webhookEvents: number;
  idempotencyKeys: number;
  finishedJobs: number;
  oauthStates: number;
}

/** Deletes in batches until a batch comes back short: each statement holds its locks briefly. */
async function inBatches(deleteBatch: () => Promise<number>, batch: number): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await deleteBatch();
    total += n;
    if (n < batch) return total;
  }
}

/**
 * The daily retention sweep: expired sessions, sign-in counters whose window is over, processed
 * webhook events and idempotency keys past 30 days, finished jobs past 30 days, stale OAuth states.
 */
export async function purgeExpiredData({ deps, batch = PURGE_BATCH }: { deps: Pick<Deps, 'db' | 'clock' | 'settings'>; batch?: number }): Promise<PurgeCounts> {
  const { db } = deps;
  const now = deps.clock.now();
  const ago = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const windowStart = new Date(now.getTime() - deps.settings.signIn.windowMinutes * 60_000);

  const counts: PurgeCounts = {
    sessions: await inBatches(async () => {
      const due = db.select({ id: sessions.idHash }).from(sessions).where(lt(sessions.expiresAt, now)).limit(batch);
      return (await db.delete(sessions).where(inArray(sessions.idHash, due)).returning({ id: sessions.idHash })).length;
    }, batch),
    signInCounters: await inBatches(async () => {
      const due = db.select({ key: signInThrottle.key }).from(signInThrottle).where(lt(signInThrottle.windowStartedAt, windowStart)).limit(batch);
      return (await db.delete(signInThrottle).where(inArray(signInThrottle.key, due)).returning({ key: signInThrottle.key })).length;
    }, batch),
    webhookEvents: await inBatches(async () => {
      const due = db.select({ key: webhookEvents.dedupeKey }).from(webhookEvents).where(lt(webhookEvents.receivedAt, ago(RETENTION.webhookEventsDays))).limit(batch);
      return (await db.delete(webhookEvents).where(inArray(webhookEvents.dedupeKey, due)).returning({ key: webhookEvents.dedupeKey })).length;
    }, batch),
    // A four-column primary key: the batch is picked by the row's physical address instead.
    idempotencyKeys: await inBatches(async () => {
      const cutoff = ago(RETENTION.idempotencyKeysDays).toISOString();
      const rows = await queryRows(db, sql`delete from idempotency_keys where ctid in (select ctid from idempotency_keys where created_at < ${cutoff} limit ${batch}) returning 1 as gone`);
      return rows.length;
    }, batch),
    finishedJobs: await inBatches(async () => {
      const due = db.select({ id: jobs.id }).from(jobs).where(and(isNotNull(jobs.doneAt), lt(jobs.doneAt, ago(RETENTION.finishedJobsDays)))).limit(batch);
      return (await db.delete(jobs).where(inArray(jobs.id, due)).returning({ id: jobs.id })).length;
    }, batch),
    oauthStates: await inBatches(async () => {
      const due = db.select({ id: oauthStates.id }).from(oauthStates).where(lt(oauthStates.expiresAt, ago(RETENTION.oauthStatesDays))).limit(batch);
      return (await db.delete(oauthStates).where(inArray(oauthStates.id, due)).returning({ id: oauthStates.id })).length;
    }, batch),
  };
  return counts;
}
