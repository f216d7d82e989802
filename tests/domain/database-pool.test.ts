import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { openPostgres, queryRows, toNumber, WARM_UP_STATEMENTS } from '../../src/platform/db/client.ts';
import { openTestDatabase, testEngine } from '../support/database.ts';
import { until } from '../support/until.ts';

// DATABASE_POOL_KEEP_OPEN (src/platform/db/client.ts): a server opens that many PostgreSQL connections at
// start, warms them once told to, and keeps them when idle, so the first burst of a SEV does not wait for PostgreSQL to start its
// backends; the connections a burst added beyond them close once idle.
const skip = testEngine() !== 'postgres' ? 'needs PostgreSQL: PGlite has no connections to keep' : false;

test('the pool opens the connections it keeps at once, and keeps only those once idle', { skip, timeout: 60_000 }, async () => {
  const database = await openTestDatabase('postgres');
  const observer = new pg.Client({ connectionString: database.url ?? '' });
  await observer.connect();
  after(async () => {
    await observer.end();
    await database.close();
  });
  // This pool's connections, told apart from the test database's own by their application name.
  const url = new URL(database.url ?? '');
  url.searchParams.set('application_name', 'rf-pool-test');
  const connections = async () =>
    Number((await observer.query<{ n: string }>(`select count(*) as n from pg_stat_activity where application_name = 'rf-pool-test'`)).rows[0]?.n ?? 0);
  // Idle connections beyond those kept close after a second here (a minute in production).
  const pool = await openPostgres(url.toString(), 8, { idleConnectionMs: 1_000 }, 3);
  try {
    await until('three connections opened before any query', async () => (await connections()) === 3);
    // Once warmed (the server does so once migrated), each has loaded the hot tables' catalog entries,
    // a table at a time: its last statement is the last table's.
    await pool.warm?.();
    const warmed = async () =>
      Number((await observer.query<{ n: string }>(`select count(*) as n from pg_stat_activity where application_name = 'rf-pool-test' and query = $1`, [WARM_UP_STATEMENTS.at(-1)])).rows[0]?.n ?? 0);
    await until('all three warmed', async () => (await warmed()) === 3);
    // The reads it is given (the server's warmHotReads) run on each kept connection, each on its own.
    const backends = new Set<number>();
    await pool.warm?.(async (db) => {
      backends.add(toNumber((await queryRows(db, sql`select pg_backend_pid() as pid`))[0]?.['pid']));
    });
    assert.equal(backends.size, 3);
    // A burst opens more: eight statements at once, each holding its connection for a moment.
    await Promise.all(Array.from({ length: 8 }, () => pool.db.execute(`select pg_sleep(0.05)`)));
    assert.equal(await connections(), 8);
    await until('back to the three kept once idle', async () => (await connections()) === 3);
    // And still three when every one of them has been idle three times the idle limit: pg-pool closes
    // idle connections on a wall-clock timer, so this one wait on real time is the behaviour itself.
    await delay(3_000);
    assert.equal(await connections(), 3);
  } finally {
    await pool.close();
  }
});
