import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db/client.ts';
import { queryRows } from '../db/client.ts';
import { jobs } from '../db/schema.ts';
import { errorSummary, type Log } from '../log.ts';
import type { Clock } from '../../shared/clock.ts';
import { newId } from '../../shared/ids.ts';
import { countMetric } from '../metrics.ts';

const JOB_RUNS = 'runframe_job_runs_total';
const JOB_RUNS_HELP = 'Background job runs by kind and outcome (done, retry, gave_up).';
import type { Db } from '../db/client.ts';

/** `run.final`: this is the job's last attempt, so a handler can say what a failure means for good. */
export type JobHandler = (payload: unknown, run?: { attempt: number; final: boolean }) => Promise<void>;

/** Enqueue inside the transaction of the change that needs the job, so neither exists without the other. */
export async function enqueueJob(
  tx: DbOrTx,
  clock: Clock,
  job: { kind: string; payload?: Record<string, unknown>; runAt?: Date; dedupeKey?: string; maxAttempts?: number },
): Promise<void> {
  await tx
    .insert(jobs)
    .values({
      id: newId(),
      kind: job.kind,
      payload: job.payload ?? {},
      dedupeKey: job.dedupeKey ?? null,
      runAt: job.runAt ?? clock.now(),
      maxAttempts: job.maxAttempts ?? 5,
      createdAt: clock.now(),
    })
    .onConflictDoNothing();
}

const Claimed = z.object({ id: z.string(), kind: z.string(), payload: z.unknown(), attempts: z.coerce.number(), max_attempts: z.coerce.number() });

/**
 * Claims one due job. SKIP LOCKED lets several processes poll the same table without taking the
 * same job; the lease (locked_until) hands a job to another worker if its process died.
 */
export async function runOneJob(db: Db, clock: Clock, log: Log, handlers: Record<string, JobHandler>): Promise<boolean> {
  const now = clock.now();
  const lease = new Date(now.getTime() + 5 * 60_000);
  const rows = await queryRows(
    db,
    sql`update jobs set locked_until = ${lease.toISOString()}, attempts = attempts + 1
        where id = (select id from jobs where done_at is null and run_at <= ${now.toISOString()}
                    and (locked_until is null or locked_until < ${now.toISOString()})
                    order by run_at limit 1 for update skip locked)
        returning id, kind, payload, attempts, max_attempts`,
  );
  const first = rows[0];
  if (!first) return false;
  const job = Claimed.parse(first);
  const handler = handlers[job.kind];
  try {
    if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
    await handler(job.payload, { attempt: job.attempts, final: job.attempts >= job.max_attempts });
    await db.execute(sql`update jobs set done_at = ${clock.now().toISOString()}, locked_until = null where id = ${job.id}`);
    countMetric(JOB_RUNS, JOB_RUNS_HELP, { kind: job.kind, outcome: 'done' });
  } catch (err) {
    const message = errorSummary(err);
    const giveUp = job.attempts >= job.max_attempts;
    const retryAt = new Date(clock.now().getTime() + Math.min(2 ** job.attempts * 1000, 10 * 60_000));
    log.warn({ jobId: job.id, kind: job.kind, attempts: job.attempts, giveUp, err: message }, 'job failed');
    countMetric(JOB_RUNS, JOB_RUNS_HELP, { kind: job.kind, outcome: giveUp ? 'gave_up' : 'retry' });
    await db.execute(
      giveUp
        ? sql`update jobs set done_at = ${clock.now().toISOString()}, last_error = ${message}, locked_until = null where id = ${job.id}`
        : sql`update jobs set run_at = ${retryAt.toISOString()}, last_error = ${message}, locked_until = null where id = ${job.id}`,
    );
  }
  return true;
}

/** A job kind the worker runs once every `everyMs`, in whichever process claims it. */
export interface PeriodicJob {
  kind: string;
  everyMs: number;
}

/**
 * Enqueues the run for the next period, due when that period starts. Every process does this while
 * the run is still pending, so the period's dedupe key keeps it to one run per period.
 */
export async function scheduleNextPeriodicRun(db: DbOrTx, clock: Clock, job: PeriodicJob): Promise<number> {
  const next = Math.floor(clock.now().getTime() / job.everyMs) + 1;
  await enqueueJob(db, clock, { kind: job.kind, runAt: new Date(next * job.everyMs), dedupeKey: `periodic:${job.kind}:${next}`, maxAttempts: 1 });
  return next;
}

export interface Worker {
  stop(): Promise<void>;
}

/** Polls for due jobs; embedded mode runs it inside the web process. */
export function startWorker(opts: { db: Db; clock: Clock; log: Log; pollMs: number; handlers: Record<string, JobHandler>; periodic?: PeriodicJob[] }): Worker {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const scheduled = new Map<string, number>();
  const tick = async () => {
    try {
      for (const job of opts.periodic ?? []) {
        const next = Math.floor(opts.clock.now().getTime() / job.everyMs) + 1;
        if (scheduled.get(job.kind) !== next) scheduled.set(job.kind, await scheduleNextPeriodicRun(opts.db, opts.clock, job));
      }
      while (!stopped && (await runOneJob(opts.db, opts.clock, opts.log, opts.handlers))) {
        // drain what is due
      }
    } catch (err) {
      opts.log.error({ err }, 'job runner failed to poll');
    }
    if (!stopped) timer = setTimeout(() => (running = tick()), opts.pollMs);
  };
  running = tick();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
