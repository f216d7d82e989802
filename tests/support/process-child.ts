// A second (third…) Runframe process for the several-processes tests: it opens the PostgreSQL database
// the test names, waits for "go" on stdin so that every child starts at the same moment, then runs
// the migrations the way start-up does, or claims and runs jobs until none is left, and prints what it did.
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { migrateDatabase, openPostgres } from '../../src/platform/db/client.ts';
import { runOneJob } from '../../src/platform/jobs/queue.ts';
import { silentLog } from '../../src/platform/log.ts';
import { systemClock } from '../../src/shared/clock.ts';

const Input = z.object({ url: z.string(), task: z.enum(['migrate', 'jobs']) });
const input = Input.parse(JSON.parse(process.argv[2] ?? '{}'));
const database = await openPostgres(input.url, 2);
process.stdout.write('ready\n');
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));
const ran: string[] = [];
if (input.task === 'migrate') {
  await migrateDatabase(database);
} else {
  // A handler that takes a moment, so the processes' claims interleave.
  const handler = async (payload: unknown) => {
    ran.push(z.object({ n: z.number() }).parse(payload).n.toString());
    await new Promise((resolve) => setImmediate(resolve));
  };
  while (await runOneJob(database.db, systemClock, silentLog(), { 'test.count': handler })) {
    // next job
  }
}
await database.close();
process.stdout.write(`${JSON.stringify({ ran })}\n`);
