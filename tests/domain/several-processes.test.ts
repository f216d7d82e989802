import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { childArgs } from '../support/children.ts';
import { test } from 'node:test';
import pg from 'pg';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { MIGRATIONS_DIR } from '../../src/platform/db/client.ts';
import { testEngine } from '../support/database.ts';

// Identical processes on one PostgreSQL database (DATABASE_URL), started at the same moment.
const skip = testEngine() !== 'postgres' ? 'needs PostgreSQL: an embedded PGlite data directory has a single owning process' : false;

/** Starts `n` child processes on `url`, lets them all go at once, and returns what each printed. */
async function together(n: number, args: { url: string; task: 'migrate' | 'jobs' }): Promise<{ ran: string[] }[]> {
  const children = Array.from({ length: n }, () => {
    const p = spawn(process.execPath, [...childArgs('tests/support/process-child.ts'), JSON.stringify(args)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const ready = new Promise<void>((resolve, reject) => {
      p.stdout.on('data', (d: Buffer) => {
        out += String(d);
        if (out.startsWith('ready\n')) resolve();
      });
      p.once('close', (code) => reject(new Error(`child exited ${code} before it was ready: ${err}`)));
    });
    p.stderr.on('data', (d: Buffer) => (err += String(d)));
    const done = new Promise<{ ran: string[] }>((resolve, reject) =>
      p.once('close', (code) => (code === 0 ? resolve(JSON.parse(out.slice('ready\n'.length)) as { ran: string[] }) : reject(new Error(`child exited ${code}: ${err}`)))),
    );
    return { p, ready, done };
  });
  await Promise.all(children.map((c) => c.ready));
  for (const c of children) c.p.stdin.end('go\n');
  return Promise.all(children.map((c) => c.done));
}

async function withNewDatabase(fn: (url: string, admin: pg.Client) => Promise<void>): Promise<void> {
  const base = process.env['TEST_DATABASE_URL'] ?? '';
  const name = `rf_procs_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const db = new pg.Client({ connectionString: url.toString() });
  try {
    await db.connect();
    await fn(url.toString(), db);
  } finally {
    await db.end().catch(() => undefined);
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

test('three processes started together on a new PostgreSQL database: every migration runs once', { skip }, async () => {
  await withNewDatabase(async (url, db) => {
    await together(3, { url, task: 'migrate' });
    const expected = readMigrationFiles({ migrationsFolder: MIGRATIONS_DIR }).map((m) => m.hash);
    const applied = (await db.query<{ hash: string }>('select hash from drizzle.__drizzle_migrations order by id')).rows.map((r) => r.hash);
    assert.deepEqual(applied, expected, 'each migration recorded exactly once, in order');
    // The schema is whole: the last migration's objects exist, once.
    const indexes = await db.query<{ n: string }>("select count(*) as n from pg_indexes where indexname = 'incidents_org_list_idx'");
    assert.equal(indexes.rows[0]?.n, '1');
  });
});

test('two processes working the same job queue: each job is claimed and run once', { skip }, async () => {
  await withNewDatabase(async (url, db) => {
    await together(1, { url, task: 'migrate' });
    const JOBS = 200;
    await db.query(
      `insert into jobs (id, kind, payload, run_at, max_attempts, created_at)
       select gen_random_uuid(), 'test.count', json_build_object('n', g)::jsonb, now() - interval '1 second', 5, now() from generate_series(1, $1::int) g`,
      [JOBS],
    );
    const [a, b] = await together(2, { url, task: 'jobs' });
    const all = [...(a?.ran ?? []), ...(b?.ran ?? [])];
    assert.equal(all.length, JOBS, 'no job ran twice');
    assert.equal(new Set(all).size, JOBS, 'every job ran');
    const runs = await db.query<{ attempts: number; done: boolean }>('select attempts, done_at is not null as done from jobs');
    assert.ok(runs.rows.every((r) => r.attempts === 1 && r.done), 'each job was claimed once and finished');
  });
});
