import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config/index.ts';
import { createLog } from '../src/platform/log.ts';
import { startRunframe } from '../src/server.ts';
import { freePort } from './support/ports.ts';

// stop() keeps one deadline for war-room creates and background jobs alike: a worker still busy when
// it passes is not waited for (its job's lock runs out and another run picks it up again).
const LATE_JOB = 'a background job was still running at shutdown: it will run again after its lock expires';
// One poll only: the worker's first poll starts inside startRunframe, before the test's transaction.
const POLL_MS = 60_000;

test('shutdown does not wait for a busy job worker past its deadline', { timeout: 60_000 }, async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'rf-shutdown-'));
  const template = process.env['RUNFRAME_PGLITE_TEMPLATE'];
  if (template) cpSync(template, path.join(dataDir, 'pglite'), { recursive: true });
  // The worker is held inside its poll by an open transaction on the embedded database (PGlite runs one
  // statement at a time); the transaction ends only once shutdown has given up on the worker. The
  // fallback lets the old behaviour (waiting for the worker however long) finish and fail the test
  // instead of hanging it.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const fallback = setTimeout(release, 10_000);
  const logLines: string[] = [];
  const sink = new Writable({
    write: (chunk, _enc, done) => {
      const lines = String(chunk).split('\n').filter((l) => l !== '');
      logLines.push(...lines);
      if (lines.some((l) => l.includes(LATE_JOB))) release();
      done();
    },
  });
  try {
    const port = await freePort();
    const config = loadConfig({ DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'silent', JOBS_POLL_MS: String(POLL_MS) });
    const runframe = await startRunframe(config, { log: createLog('trace', sink), drainMs: 200 });
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    const transaction = runframe.deps.db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
      held();
      await released;
    });
    // The worker's first poll began inside startRunframe; its next statement now queues behind this
    // transaction (PGlite runs one at a time), so the worker is busy when stop() is called.
    await holding;
    await runframe.stop();
    await transaction.catch(() => {});
    assert.ok(
      logLines.some((l) => l.includes(LATE_JOB)),
      'shutdown gave up on the busy worker at its deadline (and said so) instead of waiting for it',
    );
  } finally {
    clearTimeout(fallback);
    release();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
