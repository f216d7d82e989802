import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'drizzle-orm';
import { buildApp } from '../../src/http/app.tsx';
import { queryRows } from '../../src/platform/db/client.ts';
import { makeTestApp } from '../support/app.ts';
import { openTestDatabase } from '../support/database.ts';

const t = await makeTestApp();

const readyz = async (app: { request: (path: string) => Response | Promise<Response> }) => {
  const res = await app.request('/readyz');
  return { status: res.status, body: (await res.json()) as unknown };
};

test('/readyz answers 503 while a committed migration is not applied, and 200 once it is', async () => {
  assert.deepEqual(await readyz(t.app), { status: 200, body: { status: 'ready' } });
  const [last] = await queryRows(t.deps.db, sql`select id, hash, created_at from drizzle.__drizzle_migrations order by id desc limit 1`);
  assert.ok(last, 'the test database is migrated');
  await t.deps.db.execute(sql`delete from drizzle.__drizzle_migrations where id = ${last['id']}`);
  try {
    assert.deepEqual(await readyz(t.app), { status: 503, body: { status: 'not_ready', reason: 'migrations are not applied' } });
    assert.equal((await t.app.request('/healthz')).status, 200, 'the process itself is up');
  } finally {
    await t.deps.db.execute(sql`insert into drizzle.__drizzle_migrations (id, hash, created_at) values (${last['id']}, ${last['hash']}, ${last['created_at']})`);
  }
  assert.deepEqual(await readyz(t.app), { status: 200, body: { status: 'ready' } });
});

test('/readyz answers 503 when the database cannot be reached, without its error text', async () => {
  const database = await openTestDatabase();
  const app = buildApp({ deps: { ...t.deps, db: database.db }, web: { secureCookies: false } });
  assert.equal((await readyz(app)).status, 200);
  await database.close();
  const res = await app.request('/readyz');
  assert.equal(res.status, 503);
  assert.deepEqual(await res.json(), { status: 'not_ready', reason: 'database unreachable' });
  assert.equal((await app.request('/healthz')).status, 200, 'the process itself is up');
});
