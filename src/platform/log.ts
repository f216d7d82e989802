import { Writable } from 'node:stream';
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

/**
 * JSON lines on stdout for machines; when stdout is a terminal (a person ran `npm start`), the same
 * lines made readable by `prettyLine`. Redaction happens before either.
 */
export function createLog(level: string, destination?: NodeJS.WritableStream): Log {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'runframe' }, serializers: { err: serializeError } };
  if (destination !== undefined) return pino(options, destination as pino.DestinationStream);
  if (!process.stdout.isTTY) return pino(options, stdoutLines());
  const terminal = new Writable({
    write(chunk, _enc, done) {
      const lines = String(chunk).split('\n').filter((l) => l !== '');
      process.stdout.write(lines.map((l) => `${prettyLine(l)}\n`).join(''), () => done());
    },
  });
  return pino(options, terminal);
}

/**
 * Standard output for JSON lines, gathered for a few milliseconds and handed on together. Every write
 * to stdout wakes the thread that writes it, which on this machine kind cost ~15 µs of the main
 * thread per request line (`--cpu-prof`, docs/decisions/0006); under load one write now carries the
 * lines of several milliseconds, and an idle process sets no timer. What is still gathered is written
 * when the process exits. One for the process, shared by every logger.
 */
let stdoutGatherer: pino.DestinationStream | undefined;
function stdoutLines(gatherMs = 5): pino.DestinationStream {
  if (stdoutGatherer) return stdoutGatherer;
  const out = pino.destination({ dest: 1, sync: false, minLength: 0 });
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    if (pending === '') return;
    const text = pending;
    pending = '';
    out.write(text);
  };
  process.once('exit', () => {
    flush();
    try {
      out.flushSync();
    } catch {
      // stdout already gone (a closed pipe): nothing left to write to.
    }
  });
  stdoutGatherer = {
    write(line: string) {
      pending += line;
      timer ??= setTimeout(flush, gatherMs).unref();
    },
  };
  return stdoutGatherer;
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: '', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const QUIET_KEYS = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname']);

/** One log line for a person: time, level (info says nothing), the message, then the other fields. */
export function prettyLine(json: string): string {
  let entry: unknown;
  try {
    entry = JSON.parse(json);
  } catch {
    return json;
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return json;
  const e = entry as Record<string, unknown>;
  const time = typeof e['time'] === 'number' ? new Date(e['time']).toTimeString().slice(0, 8) : '';
  const level = typeof e['level'] === 'number' ? (LEVELS[e['level']] ?? String(e['level'])) : '';
  // A request line reads like an access log: method, route, status, duration.
  const request = e['msg'] === 'request' && typeof e['method'] === 'string';
  const head = request ? `${String(e['method'])} ${String(e['route'])} ${String(e['status'])} ${String(e['ms'])}ms` : String(e['msg'] ?? '');
  const skip = request ? new Set([...QUIET_KEYS, 'method', 'route', 'status', 'ms']) : QUIET_KEYS;
  const rest = Object.entries(e)
    // A value the message already says (the address in "ready at …") is not repeated.
    .filter(([k, v]) => !skip.has(k) && !(typeof v === 'string' && head.includes(v)))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return [time, level, head, ...rest].filter((p) => p !== '').join(' ');
}

export const silentLog = (): Log => pino({ level: 'silent' });

const fixedFieldLogs = new WeakMap<Log, Log>();
/**
 * `log` without redaction, for lines whose every field is fixed by the code that writes them (the
 * request line: id, method, route pattern, status, duration), never a header, URL, body or error.
 * Redaction walks every line against every censored path: ~6 µs a line, one line per request.
 */
export function fixedFieldLog(log: Log): Log {
  let plain = fixedFieldLogs.get(log);
  if (!plain) fixedFieldLogs.set(log, (plain = log.child({}, { redact: { paths: [] } })));
  return plain;
}
