// What an error from either database driver says, without touching a database: for the HTTP edge
// (503 instead of 500) and for logs (no parameters). Kept apart from db/ so http/ may import it.

// SQLSTATE classes and codes that mean "the database is not there right now", not "this query is wrong":
// 08 connection exception, 53300 too many connections, 57014 statement timeout, 57P0x shutting down.
const UNAVAILABLE_SQLSTATE = /^(08...|53300|57014|57P0[1-3])$/;
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// node-postgres reports its own timeouts and dropped connections with plain messages.
const UNAVAILABLE_MESSAGE = /connection terminated|timeout exceeded when trying to connect|query read timeout|not queryable|connection timeout|server closed the connection/i;

/** True when the error (or one it wraps) says the database cannot be reached or did not answer in time. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code))) return true;
    if (e instanceof Error && UNAVAILABLE_MESSAGE.test(e.message) && !('query' in e)) return true;
  }
  return false;
}

/** What a log may say about a failed query: its SQLSTATE and which statement, never parameters or values. */
export function describeDbError(err: unknown): { code: string | null; query: string | null; message: string } | null {
  const q = typeof err === 'object' && err !== null && 'query' in err && typeof err.query === 'string' ? err.query : null;
  let code: string | null = null;
  let message = '';
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const c = (e as { code?: unknown }).code;
    // A PostgreSQL error (SQLSTATE and severity), not an AppError's or an errno's code.
    if (code === null && typeof c === 'string' && ((/^[0-9A-Z]{5}$/.test(c) && 'severity' in e) || UNAVAILABLE_ERRNO.has(c))) code = c;
    if (e !== err && e instanceof Error && message === '') message = e.message;
  }
  if (q === null && code === null) return null;
  // PostgreSQL's own messages can quote values (e.g. "Key (email)=(…) already exists"): keep the code only.
  return { code, query: q === null ? null : queryName(q), message: safeMessage(message) };
}

const safeMessage = (m: string) => (UNAVAILABLE_MESSAGE.test(m) ? m.slice(0, 120) : 'database error');

/** `insert into "sessions" (…) values ($1, …)` → `insert sessions`: the statement's verb and first table. */
export function queryName(query: string): string {
  const text = query.replace(/\s+/g, ' ').trim().toLowerCase();
  const verb = /^(with|select|insert|update|delete)\b/.exec(text)?.[1] ?? text.split(' ')[0] ?? 'query';
  const table = /\b(?:from|into|update|join)\s+"?([a-z_][a-z0-9_.]*)"?/.exec(text)?.[1] ?? '';
  return table ? `${verb} ${table}` : verb;
}
