import pino, { type Logger } from 'pino';
import { describeDbError } from './db-errors.ts';

export type Log = Logger;

// Anything that could carry a credential is censored wherever it appears in a log line.
const REDACT = [
  'password',
  'token',
  'accessToken',
  'refreshToken',
  'access_token',
  'refresh_token',
  'code',
  'code_verifier',
  'client_secret',
  'start_url', // redacted: Zoom's host link never reaches a log
  'authorization',
  'cookie',
  'set-cookie',
  '*.password',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.access_token',
  '*.refresh_token',
  '*.code_verifier',
  '*.client_secret',
  '*.start_url', // redacted as above
  '*.authorization',
  '*.cookie',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
];

/** The failed query inside an error, if any: its message and stack would carry the SQL parameters. */
function failedQuery(err: unknown): { name: string; db: NonNullable<ReturnType<typeof describeDbError>> } | null {
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const db = 'query' in e ? describeDbError(e) : null;
    if (db) return { name: e instanceof Error ? e.name : 'Error', db };
  }
  return null;
}

/**
 * Logged errors: a failed query is logged by its SQLSTATE and statement name (`insert sessions`),
 * never with its parameters or row values (emails, addresses, token hashes).
 */
export function serializeError(err: unknown): Record<string, unknown> {
  const q = failedQuery(err);
  if (q) return { type: q.name, code: q.db.code, query: q.db.query, message: q.db.message };
  const direct = describeDbError(err);
  if (direct) return { type: err instanceof Error ? err.name : 'Error', code: direct.code, message: direct.message };
  return err instanceof Error ? pino.stdSerializers.err(err) : { message: String(err) };
}

/** One line about an error, safe for logs and stored job errors. */
export function errorSummary(err: unknown): string {
  const q = failedQuery(err);
  if (q) return `database error ${q.db.code ?? 'unknown'} in ${q.db.query ?? 'a query'}`;
  const direct = describeDbError(err);
  if (direct) return `database error ${direct.code ?? 'unknown'}: ${direct.message}`;
  return err instanceof Error ? err.message : String(err);
}

export function createLog(level: string, destination?: NodeJS.WritableStream): Log {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'runframe' }, serializers: { err: serializeError } };
  return destination === undefined ? pino(options) : pino(options, destination as pino.DestinationStream);
}

export const silentLog = (): Log => pino({ level: 'silent' });
