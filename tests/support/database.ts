import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrateDatabase, openPglite, openPostgres, type Database } from '../../src/platform/db/client.ts';

export type Engine = 'pglite' | 'postgres';

/** Which engine this run of the suite uses; scripts/test.mjs runs the storage suites once per engine. */
export const testEngine = (): Engine => (process.env['RUNFRAME_TEST_ENGINE'] === 'postgres' ? 'postgres' : 'pglite');

export interface TestDatabase extends Database {
  /** A connection string for a second process (PostgreSQL only). */
  url: string | null;
}

/**
 * A fresh, migrated database owned by one test file: a copy of a migrated PGlite template (cold
 * initialisation costs seconds), or a new database on the PostgreSQL server of TEST_DATABASE_URL.
 */
export async function openTestDatabase(engine: Engine = testEngine()): Promise<TestDatabase> {
  if (engine === 'postgres') return openPostgresTestDatabase();
  const template = process.env['RUNFRAME_PGLITE_TEMPLATE'];
  const dir = mkdtempSync(path.join(tmpdir(), 'rf-pglite-'));
  if (template) cpSync(template, dir, { recursive: true });
  const database = await openPglite(dir);
  await migrateDatabase(database);
  return {
    ...database,
    url: null,
    async close() {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
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
