import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'drizzle-orm';
import { pgliteDatabase, queryRows } from '../../src/platform/db/client.ts';
import { warmHotReads } from '../../src/domain/orgs/warm-up.ts';
import { makeTestApp } from '../support/app.ts';
import { PGlite } from '@electric-sql/pglite';

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

test('PGlite warms too: warm() loads the hot tables and runs the reads it is given, once, on its one connection', async () => {
  // An empty one, in memory (in either pass): the tables it loads need not be there for this.
  const database = await pgliteDatabase(new PGlite());
  try {
    const given: unknown[] = [];
    await database.warm?.(async (db) => {
      given.push(db);
    });
    assert.deepEqual(given.length, 1);
    assert.equal(given[0], database.db, 'on the database itself: PGlite has one connection');
  } finally {
    await database.close();
  }
});
