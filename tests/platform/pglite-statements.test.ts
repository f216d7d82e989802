// PGlite's named-statement cache (src/platform/db/pglite-statements.ts): statements are parsed once and
// run by name, and what the caller gets back is exactly what PGlite's own query() returns.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { protocol, type PGlite } from '@electric-sql/pglite';
import { bindExecuteSync, cacheStatements } from '../../src/platform/db/pglite-statements.ts';
import { newMemoryPglite } from '../support/database.ts';

const open = async () => {
  const pg = newMemoryPglite();
  await pg.waitReady;
  return pg;
};
// One database with the cache, one without: the same statements must give the same answers.
const plain = await open();
const cached = await open();
cacheStatements(cached);
after(async () => {
  await plain.close();
  await cached.close();
});

const setup = `create table things (id serial primary key, name text not null unique, at timestamptz not null default '2026-01-02T03:04:05Z', tags text[] not null default '{}', body jsonb, n bigint, ok boolean)`;
await plain.exec(setup);
await cached.exec(setup);

const named = async (pg: PGlite) => (await pg.query<{ n: number }>(`select count(*)::int as n from pg_prepared_statements where name like 'rf_pglite_%'`)).rows[0]?.n ?? 0;

test('reads and writes answer as PGlite’s query() does: rows, types, nulls, counts, array and object rows', async () => {
  // Drizzle passes parsers of its own (timestamps as the text PostgreSQL sent), on top of PGlite's.
  const raw = { 1184: (v: string) => v, 1114: (v: string) => v };
  const statements: Array<[string, unknown[], { rowMode?: 'array' | 'object'; parsers?: typeof raw }?]> = [
    [`insert into things (name, tags, body, n, ok) values ($1, $2, $3, $4, $5) returning *`, ['one', ['a', 'b'], { x: [1, 2] }, 9007199254740993n, true]],
    [`insert into things (name) values ($1)`, ['two']],
    [`insert into things (name, ok) values ($1, $2), ($3, $4)`, ['three', null, 'four', false]],
    [`update things set n = $1 where name <> $2`, [5, 'one']],
    [`select id, name, at, tags, body, n, ok from things where name = any($1) order by id`, [['one', 'two', 'nothing']]],
    [`select id, name, at, tags, body, n, ok from things where name = any($1) order by id`, [['three', 'four']], { rowMode: 'array' }],
    [`select * from things where id > $1 order by id`, [100]],
    [`select name, at, tags from things where id < $1 order by id`, [100], { rowMode: 'array', parsers: raw }],
    [`delete from things where name = $1`, ['four']],
    [`with gone as (delete from things where name = $1 returning name) select count(*) as c from gone`, ['three']],
  ];
  for (const [text, params, options] of statements) {
    // Twice each: the first run parses and names the statement, the second runs it by name.
    for (let i = 0; i < 2; i++) {
      const clean = (r: Awaited<ReturnType<PGlite['query']>>) => ({ rows: r.rows, fields: r.fields, affectedRows: r.affectedRows });
      const want = clean(await plain.query(text, params, options));
      const got = clean(await cached.query(text, params, options));
      assert.deepEqual(got, want, `${text} (run ${i + 1})`);
      if (text.startsWith('insert') || text.startsWith('delete') || text.startsWith('with')) break;
    }
  }
  assert.ok((await named(cached)) >= statements.length - 1, 'statements are kept under a name');
  assert.equal(await named(plain), 0);
});

test('errors keep their PostgreSQL code, and the database goes on answering', async () => {
  const text = `insert into things (name) values ($1)`;
  await cached.query(text, ['unique-one']);
  await assert.rejects(cached.query(text, ['unique-one']), (err: unknown) => (err as { code?: string }).code === '23505');
  await assert.rejects(cached.query(`select nope from things where id = $1`, [1]), (err: unknown) => (err as { code?: string }).code === '42703');
  assert.equal((await cached.query<{ name: string }>(`select name from things where name = $1`, ['unique-one'])).rows[0]?.name, 'unique-one');
});

test('transactions commit and roll back their named statements with them', async () => {
  await cached.transaction(async (tx) => {
    await tx.query(`insert into things (name) values ($1)`, ['in-tx']);
    assert.equal((await tx.query(`select count(*)::int as n from things where name = $1`, ['in-tx'])).rows.length, 1);
  });
  await assert.rejects(
    cached.transaction(async (tx) => {
      await tx.query(`insert into things (name) values ($1)`, ['rolled-back']);
      await tx.query(`insert into things (name) values ($1)`, ['in-tx']);
    }),
    (err: unknown) => (err as { code?: string }).code === '23505',
  );
  const names = (await cached.query<{ name: string }>(`select name from things where name = any($1)`, [['in-tx', 'rolled-back']])).rows.map((r) => r.name);
  assert.deepEqual(names, ['in-tx']);
});

test('a statement whose columns a migration changed is parsed again', async () => {
  const text = `select * from things where name = $1`;
  await cached.query(text, ['one']);
  await cached.exec(`alter table things add column extra text not null default 'added'`);
  const row = (await cached.query<Record<string, unknown>>(text, ['one'])).rows[0];
  assert.equal(row?.['extra'], 'added');
});

test('notifications sent by a statement run by name still reach listeners', async () => {
  await cached.exec(`create function things_notify() returns trigger language plpgsql as $$ begin perform pg_notify('things', new.name); return new; end $$; create trigger things_notify after insert on things for each row execute function things_notify()`);
  const heard: string[] = [];
  await cached.listen('things', (payload) => heard.push(payload));
  for (const name of ['n1', 'n2']) await cached.query(`insert into things (name) values ($1)`, [name]);
  // Delivered with the statement's own answer, before query() resolves.
  assert.deepEqual(heard, ['n1', 'n2']);
});

test('at most 500 statement texts are kept: the least recently used are closed', async () => {
  for (let i = 0; i < 520; i++) await cached.query(`select $1::int + ${i} as v`, [i]);
  assert.ok((await named(cached)) <= 500, 'old statements closed');
  assert.equal((await cached.query<{ v: number }>(`select $1::int + 0 as v`, [7])).rows[0]?.v, 7, 'an evicted statement is prepared again');
});

test('the Bind, Execute and Sync written for a statement are byte for byte what PGlite’s own writer makes', () => {
  const pglite = (name: string, values: (string | null)[]) =>
    Buffer.concat([protocol.serialize.bind({ statement: name, values }), protocol.serialize.execute({}), protocol.serialize.sync()]);
  const cases: (string | null)[][] = [[], [''], [null], ['INC-12', null, ''], ['ünïcode ✓ 😀', '{"kind":"war_room","data":{"x":[1,2]}}'], ['x'.repeat(70_000)]];
  for (const values of cases) {
    for (const name of ['rf_pglite_1', 'rf_pglite_123456']) {
      assert.ok(Buffer.from(bindExecuteSync(name, values)).equals(pglite(name, values)), `${name} ${JSON.stringify(values).slice(0, 80)}`);
    }
  }
});
