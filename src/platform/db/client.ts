import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from './schema.ts';

export type Schema = typeof schema;
/** The one database type the rest of the code sees, whichever engine is behind it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction has the same query surface as the database. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
  db: Db;
  engine: 'pglite' | 'postgres';
  /** PostgreSQL only: where migrations connect, on a connection without the request timeouts. */
  connectionString?: string;
  close(): Promise<void>;
}

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../drizzle');

export async function openPglite(dataDir: string | undefined): Promise<Database> {
  if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
  const client = dataDir === undefined ? new PGlite() : new PGlite(dataDir);
  await client.waitReady;
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return { db, engine: 'pglite', close: () => client.close() };
}

/**
 * How long Runframe waits for PostgreSQL before a request answers 503 (docs/decisions/0007):
 * connecting (or waiting for a free pooled connection), and each statement, on the client (a
 * database whose packets are dropped never answers) and on the server (a statement stuck on locks).
 */
export const PG_TIMEOUTS = { connectMs: 3_000, statementMs: 5_000, idleInTransactionMs: 60_000, keepAliveDelayMs: 10_000 };

export async function openPostgres(url: string, poolSize = 10, timeouts: Partial<typeof PG_TIMEOUTS> = {}): Promise<Database> {
  const t = { ...PG_TIMEOUTS, ...timeouts };
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: t.connectMs,
    query_timeout: t.statementMs,
    statement_timeout: t.statementMs,
    idle_in_transaction_session_timeout: t.idleInTransactionMs,
    // Dead peers on idle connections are noticed by TCP instead of at the next query.
    keepAlive: true,
    keepAliveInitialDelayMillis: t.keepAliveDelayMs,
  });
  // A dropped idle connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = drizzlePg({ client: pool, schema }) as unknown as Db;
  return { db, engine: 'postgres', connectionString: url, close: () => pool.end() };
}

/** Applies committed migrations; on PostgreSQL under an advisory lock so parallel starts are safe. */
export async function migrateDatabase(database: Database): Promise<void> {
  if (database.engine === 'pglite') {
    await migratePglite(database.db as never, { migrationsFolder: MIGRATIONS_DIR });
    return;
  }
  // Its own connection, without the request timeouts: waiting for another process's migration, or an
  // index build on a large table, may rightly take longer than a request is allowed to.
  const client = new pg.Client({ connectionString: database.connectionString, connectionTimeoutMillis: PG_TIMEOUTS.connectMs, keepAlive: true });
  client.on('error', () => {});
  await client.connect();
  const db = drizzlePg({ client, schema });
  try {
    await db.execute(sql`select pg_advisory_lock(727001)`);
    try {
      await migratePg(db, { migrationsFolder: MIGRATIONS_DIR });
    } finally {
      await db.execute(sql`select pg_advisory_unlock(727001)`);
    }
  } finally {
    await client.end();
  }
}

/** True when every committed migration has been applied (for /readyz). */
export async function migrationsApplied(db: Db): Promise<boolean> {
  const { readMigrationFiles } = await import('drizzle-orm/migrator');
  const expected = readMigrationFiles({ migrationsFolder: MIGRATIONS_DIR }).length;
  try {
    const rows = await queryRows(db, sql`select count(*) as n from drizzle.__drizzle_migrations`);
    return toNumber(rows[0]?.['n']) >= expected;
  } catch {
    return false;
  }
}

/** Raw rows from either driver (PGlite returns { rows }, node-postgres returns { rows } too). */
export async function queryRows(db: DbOrTx, query: ReturnType<typeof sql>): Promise<Record<string, unknown>[]> {
  const result: unknown = await db.execute(query);
  if (typeof result === 'object' && result !== null && 'rows' in result && Array.isArray(result.rows)) {
    return result.rows as Record<string, unknown>[];
  }
  return [];
}

/** Counts come back as number on PGlite and as string on node-postgres: normalize here, once. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return 0;
}
