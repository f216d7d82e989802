import { parse, protocol, type PGlite, type QueryOptions, type Results, type Transaction } from '@electric-sql/pglite';

type RowDescription = InstanceType<typeof protocol.messages.RowDescriptionMessage>;

/**
 * Named prepared statements for PGlite (docs/decisions/0006, "PGlite: every statement by name").
 *
 * PGlite's `query()` sends every statement as Parse, Describe, Bind, Describe, Execute and Sync, each a
 * separate trip into its WebAssembly PostgreSQL, and PostgreSQL parses and plans the text every time:
 * ~1.2 ms of the one main thread for a primary-key read. Here the first run of a statement text parses it
 * once under a name (and learns its parameter and column types); every later run sends Bind, Execute
 * and Sync as one message, and PostgreSQL reuses the parsed statement and, after a few runs, its plan:
 * ~0.35 ms for the same read. Results are built by PGlite's own `parseResults`, so drizzle gets exactly
 * what `query()` returns.
 *
 * Only single statements that read or write rows (select, insert, update, delete, with) are kept, at most
 * MAX_STATEMENTS texts (the least recently used are closed); anything else (DDL, COPY with a blob,
 * explicit parameter types) goes through PGlite's own `query()`. A statement whose result type a
 * migration changed is parsed again once. PostgreSQL uses the same named-statement mechanism for its
 * pooled connections (src/platform/db/prepared.ts).
 */
export function cacheStatements(client: PGlite): void {
  const statements = new Map<string, Statement>();
  let seq = 0;
  const plainQuery = client.query.bind(client);
  const plainTransaction = client.transaction.bind(client);
  // PGlite's parsers with the caller's laid on top, without copying PGlite's (its table is the
  // prototype); once per parsers object, which a prepared drizzle query passes every time.
  const merged = new WeakMap<NonNullable<QueryOptions['parsers']>, Parsers>();
  const parsersFor = (own: NonNullable<QueryOptions['parsers']>): Parsers => {
    let p = merged.get(own);
    if (p === undefined) merged.set(own, (p = Object.assign(Object.create(client.parsers) as Parsers, own)));
    return p;
  };

  async function run<T>(text: string, params: unknown[] | undefined, options: QueryOptions | undefined, retried = false): Promise<Results<T>> {
    let statement = statements.get(text);
    try {
      if (statement) {
        // Most recently used last: eviction takes from the front.
        statements.delete(text);
        statements.set(text, statement);
      } else {
        statement = await prepare(text);
      }
      const messages = await client.execProtocolStream(executeMessage(client, statement, params ?? [], options), { syncToFs: false });
      // PGlite's parseResults copies every parser (hundreds) into a new object when options carry some,
      // on every call (~20% of a page view's CPU): the caller's few are laid over PGlite's instead.
      const parsers = options?.parsers === undefined ? client.parsers : parsersFor(options.parsers);
      const results = parse.parseResults(statement.rowDescription ? [statement.rowDescription, ...messages] : messages, parsers, options?.rowMode === undefined ? undefined : { rowMode: options.rowMode }) as Array<Results<T>>;
      const first = results[0];
      if (first === undefined) throw new Error('PGlite returned no result');
      return first;
    } catch (err) {
      // A migration changed what the statement returns: PostgreSQL refuses the cached plan (0A000).
      if (!retried && statement && isDatabaseError(err) && err.code === '0A000') {
        statements.delete(text);
        await client.execProtocolStream(Buffer.concat([protocol.serialize.close({ type: 'S', name: statement.name }), protocol.serialize.sync()]), { syncToFs: false }).catch(() => undefined);
        return run(text, params, options, true);
      }
      throw err;
    }
  }

  async function prepare(text: string): Promise<Statement> {
    const name = `rf_pglite_${++seq}`;
    const parts: Uint8Array[] = [];
    if (statements.size >= MAX_STATEMENTS) {
      const [oldText, old] = statements.entries().next().value as [string, Statement];
      statements.delete(oldText);
      parts.push(protocol.serialize.close({ type: 'S', name: old.name }));
    }
    parts.push(protocol.serialize.parse({ name, text }), protocol.serialize.describe({ type: 'S', name }), protocol.serialize.sync());
    const messages = await client.execProtocolStream(Buffer.concat(parts), { syncToFs: false });
    const parameterTypes = parse.parseDescribeStatementResults(messages);
    const rowDescription = messages.find((m): m is RowDescription => m.name === 'rowDescription') ?? null;
    const statement: Statement = { name, parameterTypes, rowDescription };
    statements.set(text, statement);
    return statement;
  }

  const cacheable = (text: string, options: QueryOptions | undefined) =>
    options?.blob === undefined && options?.paramTypes === undefined && CACHEABLE.test(text) && !text.includes(';');

  client.query = async function query<T>(text: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>> {
    if (!cacheable(text, options)) return plainQuery<T>(text, params, options);
    await client._checkReady();
    // As PGlite's query(): wait for any transaction to finish, run alone, then write to disk.
    return client._runExclusiveTransaction(() =>
      client._runExclusiveQuery(async () => {
        const result = await run<T>(text, params, options);
        await client.syncToFs();
        return result;
      }),
    );
  };

  client.transaction = function transaction<T>(callback: (tx: Transaction) => Promise<T>): Promise<T> {
    return plainTransaction((tx) => {
      const txQuery = tx.query.bind(tx);
      const cached: Transaction = Object.create(tx, {
        query: {
          value: async <R>(text: string, params?: unknown[], options?: QueryOptions): Promise<Results<R>> => {
            if (tx.closed) throw new Error('Transaction is closed');
            if (!cacheable(text, options)) return txQuery<R>(text, params, options);
            // The transaction holds PGlite's transaction lock; each statement still runs alone.
            return client._runExclusiveQuery(() => run<R>(text, params, options));
          },
        },
      }) as Transaction;
      return callback(cached);
    });
  };
}

interface Statement {
  name: string;
  parameterTypes: number[];
  /** Null for a statement that returns no rows (an insert without RETURNING). */
  rowDescription: RowDescription | null;
}

const MAX_STATEMENTS = 500;
const CACHEABLE = /^\s*(select|insert|update|delete|with)\b/i;

type Parsers = PGlite['parsers'];

/** Bind (unnamed portal, the named statement, the values as text), Execute and Sync, as one message. */
function executeMessage(client: PGlite, statement: Statement, params: unknown[], options: QueryOptions | undefined): Uint8Array {
  const values = params.map((value, i) => {
    if (value === null || value === undefined) return null;
    const type = statement.parameterTypes[i];
    const serializer = type === undefined ? undefined : (options?.serializers?.[type] ?? client.serializers[type]);
    return serializer ? serializer(value) : String(value);
  });
  return bindExecuteSync(statement.name, values);
}

const EXECUTE_SYNC = Buffer.concat([protocol.serialize.execute({}), protocol.serialize.sync()]);

/**
 * Bind (the unnamed portal, the named statement, every value as text), then Execute and Sync, written
 * straight into one buffer: the same bytes as `protocol.serialize.bind(…)` followed by Execute and Sync
 * (tests/platform/pglite-statements.test.ts compares them), at a fraction of the cost (~6 µs a Bind
 * through PGlite's writer, for every statement).
 */
export function bindExecuteSync(statementName: string, texts: readonly (string | null)[]): Uint8Array {
  const nameBytes = Buffer.byteLength(statementName);
  let valueBytes = 0;
  for (const v of texts) valueBytes += 4 + (v === null ? 0 : Buffer.byteLength(v));
  // 'B', length, portal "" and NUL, name and NUL, format codes (one per value, all text), values, result formats (none).
  const bindLength = 4 + 1 + nameBytes + 1 + 2 + 2 * texts.length + 2 + valueBytes + 2;
  const out = Buffer.allocUnsafe(1 + bindLength + EXECUTE_SYNC.length);
  let at = out.writeUInt8(0x42, 0);
  at = out.writeInt32BE(bindLength, at);
  at = out.writeUInt8(0, at);
  at += out.write(statementName, at);
  at = out.writeUInt8(0, at);
  at = out.writeInt16BE(texts.length, at);
  for (let i = 0; i < texts.length; i++) at = out.writeInt16BE(0, at);
  at = out.writeInt16BE(texts.length, at);
  for (const v of texts) {
    if (v === null) {
      at = out.writeInt32BE(-1, at);
    } else {
      at = out.writeInt32BE(Buffer.byteLength(v), at);
      at += out.write(v, at);
    }
  }
  at = out.writeInt16BE(0, at);
  out.set(EXECUTE_SYNC, at);
  return out;
}

function isDatabaseError(err: unknown): err is { code: string } {
  return err instanceof protocol.messages.DatabaseError;
}
