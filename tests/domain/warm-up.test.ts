import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/platform/db/client.ts';
import { warmHotReads } from '../../src/domain/orgs/warm-up.ts';
import { makeTestApp } from '../support/app.ts';
import { openMemoryPglite, testEngine } from '../support/database.ts';

// The start-up warm-up (src/domain/orgs/warm-up.ts) runs the requests' first statements with a token
// and a session that do not exist: it must find nothing, write nothing and leave real callers alone.
test('the warm-up reads find nothing and change nothing; a real token and session still work after it', async () => {
  const t = await makeTestApp();
  const o = await t.owner();
  const inc = (await t.api(o, 'POST', '/api/v1/incidents', { title: 'Still here' })).json.incident;
  const snapshot = async () =>
    JSON.stringify(await queryRows(t.deps.db, sql`select (select count(*) from sessions) as s, (select count(*) from api_tokens) as k, (select max(last_used_at)::text from api_tokens) as u, (select count(*) from audit_log) as a, (select count(*) from incidents) as i`));
  const before = await snapshot();
  await warmHotReads(t.deps);
  assert.equal(await snapshot(), before);
  const r = await t.api(o, 'GET', `/api/v1/incidents/${inc.id}`);
  assert.equal(r.status, 200);
  assert.equal(r.json.incident.title, 'Still here');
  assert.equal((await t.page(o, 'GET', `/incidents/${inc.number}`)).status, 200);
});

// PGlite's own warm-up: once, in the PGlite pass (the PostgreSQL pass starts before the PGlite template exists).
const pgliteOnly = testEngine() === 'postgres' ? 'PGlite’s own warm-up: tested in the PGlite pass' : false;

test('PGlite warms too: warm() loads the hot tables and runs the reads it is given, once, on its one connection', { skip: pgliteOnly }, async () => {
  // In memory (in either pass), from the test run's migrated template when there is one.
  const database = await openMemoryPglite();
  try {
    // A temporary table is seen only by the session that made it: the reads run on that same one.
    await queryRows(database.db, sql`create temporary table only_here (n int)`);
    const seen: unknown[] = [];
    await database.warm?.(async (db) => {
      seen.push((await queryRows(db, sql`select count(*)::int as n from only_here`))[0]?.['n']);
    });
    assert.deepEqual(seen, [0], 'run once, on the database itself: PGlite has one connection');
  } finally {
    await database.close();
  }
});

test('PGlite warms in the gaps: a statement that arrives meanwhile is answered before the warm-up ends', { skip: pgliteOnly }, async () => {
  // PGlite runs statements on this thread and never waits for I/O: without the gaps, a warm-up's chain
  // of statements holds the event loop until it ends, and a request read meanwhile (the first
  // readiness probe, say) waits for all of it.
  const database = await openMemoryPglite();
  try {
    let ended = false;
    const warming = database.warm?.(async (db) => {
      for (let i = 0; i < 100; i++) await queryRows(db, sql`select ${i}::int as i`);
    });
    void warming?.then(() => (ended = true));
    // Read on a later turn of the event loop, as a request is.
    const beforeTheEnd = await new Promise<boolean>((resolve) => setImmediate(() => void queryRows(database.db, sql`select 1 as one`).then(() => resolve(!ended))));
    assert.equal(beforeTheEnd, true, 'answered while the warm-up still had statements to run');
    await warming;
    assert.equal(ended, true);
  } finally {
    await database.close();
  }
});
