import { PgTransaction } from 'drizzle-orm/pg-core';
import type { DbOrTx } from './client.ts';

interface Preparable<Q> {
  prepare(name: string): Q;
}

const built = new WeakMap<object, Map<string, unknown>>();

/**
 * A query that every request runs (who is calling, the incident, the connection), built once per
 * database with placeholders and run as a named prepared statement. Building a drizzle query costs
 * ~0.5 ms of CPU each time, and PostgreSQL plans the SQL again on every unnamed statement; a named
 * one is parsed and planned once per pooled connection (docs/decisions/0006). In a transaction the
 * query is built for it (a transaction has its own session), and the connection's named statement is
 * still reused. `name` must be unique per query shape: PostgreSQL keys the statement by it.
 */
export function preparedQuery<Q>(db: DbOrTx, name: string, build: (db: DbOrTx) => Preparable<Q>): Q {
  if (db instanceof PgTransaction) return build(db).prepare(name);
  let byName = built.get(db);
  if (!byName) built.set(db, (byName = new Map()));
  const known = byName.get(name);
  if (known !== undefined) return known as Q;
  const query = build(db).prepare(name);
  byName.set(name, query);
  return query;
}
