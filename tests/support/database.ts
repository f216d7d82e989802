import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { migrateDatabase, openPostgres, pgliteDatabase, queryRows, type Database, type Db } from '../../src/platform/db/client.ts';

export type Engine = 'pglite' | 'postgres';

/** Which engine this run of the suite uses; scripts/test.mjs runs the storage suites once per engine. */
export const testEngine = (): Engine => (process.env['RUNFRAME_TEST_ENGINE'] === 'postgres' ? 'postgres' : 'pglite');

export interface TestDatabase extends Database {
  /** A connection string for a second process (PostgreSQL only). */
  url: string | null;
}

/**
 * A migrated database that is empty when a test file gets it. Under scripts/test.mjs (one worker process
 * runs many files, RUNFRAME_TEST_SHARED_DB=1) the worker keeps one database per engine and empties it for
 * the next file: opening a PGlite costs ~2 s of CPU, emptying it ~50 ms (docs/decisions/0005). A file
 * that needs a second database at the same time gets a fresh one of its own.
 */
export async function openTestDatabase(engine: Engine = testEngine()): Promise<TestDatabase> {
  if (process.env['RUNFRAME_TEST_SHARED_DB'] !== '1') return openFresh(engine);
  const slot = (shared[engine] ??= { database: openFresh(engine), leased: false });
  if (slot.leased) return openFresh(engine);
  slot.leased = true;
  const database = await slot.database;
  await emptyDatabase(database);
  return {
    ...database,
    async close() {
      slot.leased = false;
    },
  };
}

const shared: Partial<Record<Engine, { database: Promise<TestDatabase>; leased: boolean }>> = {};

/** Every application table emptied at once; the migrations table (schema drizzle) stays. */
async function emptyDatabase(database: TestDatabase): Promise<void> {
  const rows = await queryRows(database.db, sql`select tablename from pg_tables where schemaname = 'public'`);
  const tables = rows.map((r) => `"public"."${String(r['tablename'])}"`);
  if (tables.length > 0) await database.db.execute(sql.raw(`truncate ${tables.join(', ')} restart identity cascade`));
}

/**
 * An in-memory PGlite loaded from the migrated template scripts/test.mjs made (cold initialisation costs
 * seconds; in memory, queries cost half the CPU of a data directory's), or a new PostgreSQL database.
 */
async function openFresh(engine: Engine): Promise<TestDatabase> {
  if (engine === 'postgres') return openPostgresTestDatabase();
  const database = await openMemoryPglite();
  await migrateDatabase(database);
  return { ...database, url: null };
}

/**
 * An in-memory PGlite holding the migrated template scripts/test.mjs made, when it made one (a test
 * server starts on it instead of a data directory: no copy, no cold initialisation, and queries cost
 * half the CPU); else an empty one, which the caller migrates.
 */
export async function openMemoryPglite(): Promise<Database> {
  return pgliteDatabase(newMemoryPglite());
}

/** The bare PGlite behind openMemoryPglite, for tests of the PGlite layer itself. */
export function newMemoryPglite(): PGlite {
  const template = process.env['RUNFRAME_PGLITE_TEMPLATE'];
  return template ? new PGlite({ loadDataDir: new Blob([readFileSync(`${template}.tar`)]) }) : new PGlite();
}

async function openPostgresTestDatabase(): Promise<TestDatabase> {
  const base = process.env['TEST_DATABASE_URL'];
  if (!base) throw new Error('RUNFRAME_TEST_ENGINE=postgres needs TEST_DATABASE_URL');
  const name = `rf_t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const database = await openPostgres(url.toString());
  await migrateDatabase(database);
  return {
    ...database,
    url: url.toString(),
    async close() {
      await database.close();
      const a = new pg.Client({ connectionString: base });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/** Closes the databases a worker kept (scripts/test-worker.ts calls it after its last file). */
export async function closeSharedDatabases(): Promise<void> {
  for (const slot of Object.values(shared)) await (await slot.database).close();
}
