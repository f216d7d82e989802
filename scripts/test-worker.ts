// One of `npm test`'s worker processes: it asks scripts/test.mjs for a test file, runs it as one suite
// in this process, and asks again. Loading the code (~2 s) and opening PGlite (~2 s) then happen once
// per worker instead of once per file, and so does launching Chromium for the journeys (docs/decisions/0005-test-suite-speed.md).
import path from 'node:path';
import { describe } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { closeSharedBrowser } from '../tests/support/browser.ts';
import { closeSharedDatabases, type Engine } from '../tests/support/database.ts';

interface Job {
  file: string;
  engine: Engine;
  label: string;
  timeoutMs: number;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function asJob(m: unknown): Job | null {
  if (typeof m !== 'object' || m === null) return null;
  const { file, engine, label, timeoutMs } = m as Record<string, unknown>;
  if (typeof file !== 'string' || (engine !== 'pglite' && engine !== 'postgres') || typeof label !== 'string' || typeof timeoutMs !== 'number') return null;
  return { file, engine, label, timeoutMs };
}

/** The next file to run, or null when the queue is empty. */
function next(): Promise<Job | null> {
  return new Promise((resolve) => {
    process.once('message', (m: unknown) => resolve(asJob(m)));
    process.send?.({ type: 'ready' });
  });
}

process.env['RUNFRAME_TEST_SHARED_DB'] = '1';
for (let job = await next(); job !== null; job = await next()) {
  process.env['RUNFRAME_TEST_ENGINE'] = job.engine;
  // A query makes the second engine's run a second module instance of the same file.
  const url = `${pathToFileURL(path.join(root, job.file)).href}?engine=${job.engine}`;
  await describe(job.label, { timeout: job.timeoutMs }, async () => {
    await import(url);
  });
}
await closeSharedDatabases();
await closeSharedBrowser();
process.disconnect();
