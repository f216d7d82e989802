import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite, type QueryOptions } from '@electric-sql/pglite';
import { getTableName, sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from './schema.ts';
import { PACKAGE_ROOT } from '../package-root.ts';
import { cacheStatements } from './pglite-statements.ts';

export type Schema = typeof schema;
/** The one database type the rest of the code sees, whichever engine is behind it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction has the same query surface as the database. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
  db: Db;
  engine: 'pglite' | 'postgres';
  /**
   * Receives NOTIFY on `channel` from any process on this database. `onGap` is called when
   * notifications may have been missed (the listening connection was lost and is back).
   */
  listen(channel: string, onMessage: (payload: string) => void, onGap: () => void): Promise<() => Promise<void>>;
  /**
   * Has each connection kept open (PostgreSQL: the pool's; PGlite: its one) load the hot tables
   * (WARM_UP_STATEMENTS, a table at a time), then run `reads` on a database bound to that one
   * connection (call it once migrated, in the background; PGlite once the server listens); it never fails.
   */
  warm?(reads?: (db: Db) => Promise<void>): Promise<void>;
  /** PostgreSQL only: where migrations connect, on a connection without the request timeouts. */
  connectionString?: string;
  close(): Promise<void>;
}

export const MIGRATIONS_DIR = path.join(PACKAGE_ROOT, 'drizzle');

/**
 * Creating a data directory (initdb) grows PGlite's WebAssembly memory to ~800 MiB, and WebAssembly
 * memory never shrinks: a new directory is therefore created by a short-lived child process, and
 * this process opens it like an existing one (~280 MiB). See docs/decisions/0006.
 */
async function initPgliteDir(dataDir: string): Promise<void> {
  const script = `import { PGlite } from '@electric-sql/pglite'; const db = new PGlite(process.argv[1]); await db.waitReady; await db.close();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, dataDir], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`could not create the embedded database in ${dataDir}: ${err.trim().split('\n').slice(-3).join(' ')}`);
}

/**
 * PGlite's PostgreSQL sizes its shared memory for a server (128 MB of buffers, 100 connections) and
 * clears all of it at every start: most of a start's ~1 s of PGlite on this machine kind, and resident
 * memory from then on. One process with one connection needs far less: 32 MB of buffers and room for
 * 10 connections started in ~0.7 s here, against ~1.0 s (decision 0006, "Start-up, third look").
 */
export const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB', '-c', 'max_connections=10'];

export async function openPglite(dataDir: string | undefined): Promise<Database> {
  if (dataDir !== undefined) {
    mkdirSync(dataDir, { recursive: true });
    if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await initPgliteDir(dataDir);
  }
  return pgliteDatabase(new PGlite(dataDir, { startParams: PGLITE_START_PARAMS }));
}

/** A PGlite the caller made (in memory, on a data directory, or loaded from a dump), once it is ready. */
export async function pgliteDatabase(client: PGlite): Promise<Database> {
  await client.waitReady;
  // Every statement text parsed once and run by name afterwards (docs/decisions/0006).
  cacheStatements(client);
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return {
    db,
    engine: 'pglite',
    // One process owns the data directory, so its own notifications are all there is.
    listen: async (channel, onMessage) => client.listen(channel, onMessage).then((off) => () => off()),
    // The first war room after a start no longer loads the hot tables' catalogs and plans the first
    // statements in WebAssembly while its caller waits (decision 0006, eighth look). PGlite never
    // waits for I/O, so a chain of statements would hold the event loop until it ends: each of the
    // warm-up's waits two turns first, and a request read meanwhile queues its own statements ahead
    // (PGlite runs them in order), the first readiness probe included (decision 0006, ninth look).
    warm: async (reads) => {
      const patient = patientClient(client);
      for (const statement of WARM_UP_STATEMENTS) await patient.query(statement).catch(() => undefined);
      if (reads) await reads(drizzlePglite({ client: patient, schema }) as unknown as Db).catch(() => undefined);
    },
    close: () => client.close(),
  };
}

/** Two turns of the event loop: what arrived meanwhile is read, and a request that passes a turn first (takeTurns) has issued its statement. */
const twoTurns = async () => {
  for (let i = 0; i < 2; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

/** The same PGlite, whose queries each wait two turns of the event loop first (for work that should only use idle time). */
const patientClient = (client: PGlite): PGlite =>
  Object.create(client, {
    query: { value: async <T>(text: string, params?: unknown[], options?: QueryOptions) => (await twoTurns(), client.query<T>(text, params, options)) },
  }) as PGlite;

/**
 * How long Runframe waits for PostgreSQL before a request answers 503 (docs/decisions/0007):
 * connecting (or waiting for a free pooled connection), and each statement, on the client (a
 * database whose packets are dropped never answers) and on the server (a statement stuck on locks).
 */
export const PG_TIMEOUTS = { connectMs: 3_000, statementMs: 5_000, idleInTransactionMs: 60_000, keepAliveDelayMs: 10_000, idleConnectionMs: 60_000 };

/**
 * What a request's first statement on a new connection would otherwise pay for: PostgreSQL loads a
 * backend's catalog entries for every table and index it touches the first time (~9 ms of its CPU for
 * a war room's token read on a cold backend, against ~3.5 ms after this; decision 0006). Planning
 * these opens the tables the hot paths read and write, and their indexes; they return no row. A table
 * at a time: one statement naming all eleven made PostgreSQL search the join orders of eleven tables,
 * ~130 ms of its CPU per connection (1.3 s per start with ten kept) and most of a second on PGlite's
 * one thread (decision 0006, ninth look).
 */
const WARM_TABLES = [schema.apiTokens, schema.users, schema.memberships, schema.sessions, schema.organizations, schema.incidents, schema.warRooms, schema.integrationConnections, schema.timelineEntries, schema.auditLog, schema.warRoomSettings];
export const WARM_UP_STATEMENTS = WARM_TABLES.map((t) => `select 1 from "${getTableName(t)}" where false`);

/**
 * `poolSize` comes from DATABASE_POOL_SIZE, `keepOpen` from DATABASE_POOL_KEEP_OPEN (see src/config):
 * that many connections are opened at once, in the background, and never closed for being idle, and
 * `warm()` (once migrated) has them load the hot tables' catalogs, so the first burst after a start or
 * a quiet night does not wait for PostgreSQL to start its backends and load their catalogs (decision
 * 0006). Connections opened later, under load, are not warmed. The command line keeps none open.
 */
export async function openPostgres(url: string, poolSize = 10, timeouts: Partial<typeof PG_TIMEOUTS> = {}, keepOpen = 0): Promise<Database> {
  const t = { ...PG_TIMEOUTS, ...timeouts };
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    min: Math.min(keepOpen, poolSize),
    connectionTimeoutMillis: t.connectMs,
    // A burst after a quiet spell should find its connections open (and their prepared statements
    // parsed), not pay PostgreSQL's connection start-up for each: idle ones close after a minute.
    idleTimeoutMillis: t.idleConnectionMs,
    query_timeout: t.statementMs,
    statement_timeout: t.statementMs,
    idle_in_transaction_session_timeout: t.idleInTransactionMs,
    // Dead peers on idle connections are noticed by TCP instead of at the next query.
    keepAlive: true,
    keepAliveInitialDelayMillis: t.keepAliveDelayMs,
  });
  // A dropped idle connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // Opened side by side and handed back together; one that fails is simply opened later, on demand.
  const kept = Math.min(keepOpen, poolSize);
  const takeKept = () => Promise.all(Array.from({ length: kept }, () => pool.connect().catch(() => null)));
  void takeKept().then((clients) => clients.forEach((c) => c?.release()));
  // All of them at once, so that each warms a connection of its own.
  const warm = async (reads?: (db: Db) => Promise<void>) => {
    const clients = await takeKept();
    await Promise.all(
      clients.map(async (c) => {
        if (!c) return;
        for (const statement of WARM_UP_STATEMENTS) await c.query(statement).catch(() => undefined);
        if (reads) await reads(drizzlePg({ client: c, schema }) as unknown as Db).catch(() => undefined);
      }),
    );
    clients.forEach((c) => c?.release());
  };
  const db = drizzlePg({ client: pool, schema }) as unknown as Db;
  pools.set(db, pool);
  return { db, engine: 'postgres', warm, connectionString: url, listen: (channel, onMessage, onGap) => listenPostgres(url, channel, onMessage, onGap), close: () => pool.end() };
}

/**
 * LISTEN on a connection of its own (outside the pool: it stays open). A lost connection is
 * re-established with a growing pause, and `onGap` tells the listener it may have missed something.
 */
async function listenPostgres(url: string, channel: string, onMessage: (payload: string) => void, onGap: () => void): Promise<() => Promise<void>> {
  if (!/^[a-z_]+$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
  let client: pg.Client | null = null;
  let stopped = false;
  let retryMs = 100;
  let timer: NodeJS.Timeout | undefined;
  const open = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on('notification', (n) => {
      if (n.channel === channel) onMessage(n.payload ?? '');
    });
    c.on('error', () => undefined);
    c.on('end', () => {
      if (stopped || client !== c) return;
      client = null;
      timer = setTimeout(reconnect, retryMs);
    });
    await c.connect();
    await c.query(`LISTEN ${channel}`);
    client = c;
    retryMs = 100;
  };
  const reconnect = () => {
    if (stopped) return;
    open().then(onGap, () => {
      retryMs = Math.min(retryMs * 2, 5_000);
      timer = setTimeout(reconnect, retryMs);
    });
  };
  await open();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await client?.end().catch(() => undefined);
  };
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

/** Each PostgreSQL database's pool, for statements run by name (namedRows). */
const pools = new WeakMap<object, pg.Pool>();
const dialect = new PgDialect();

/**
 * As queryRows, run as the named prepared statement `name` on PostgreSQL: parsed and planned once per
 * pooled connection instead of on every run (for a hot raw statement drizzle cannot prepare; its text
 * must be the same on every run, its values parameters). In a transaction, and on PGlite (whose
 * statements all run by name, pglite-statements.ts), it is queryRows.
 */
export async function namedRows(db: DbOrTx, name: string, query: SQL): Promise<Record<string, unknown>[]> {
  const pool = pools.get(db);
  if (pool === undefined) return queryRows(db, query);
  const q = dialect.sqlToQuery(query);
  const result = await pool.query<Record<string, unknown>>({ name, text: q.sql, values: q.params });
  return result.rows;
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
