import type { HeaderReader } from '../../platform/http-request.ts';

// Provider-neutral failure classes for everything the Zoom client can meet; the hub and
// domain map these to their own error set, so nothing outside this folder reads Zoom codes.
export type ZoomFailure =
  | { kind: 'token_invalid' }
  | { kind: 'invalid_grant' }
  | { kind: 'missing_scope'; scopes: string[] }
  | { kind: 'cannot_host' }
  | { kind: 'rate_limited'; daily: boolean; retryAt?: Date }
  | { kind: 'not_found' }
  | { kind: 'rejected'; status: number; code?: number; message: string }
  | { kind: 'unavailable'; reason: 'http_5xx' | 'timeout' | 'network' | 'list_incomplete' };

export type ZoomFailureKind = ZoomFailure['kind'];

/**
 * Thrown by every client call. `message` is built only from the operation name and the
 * failure kind, never from request data or vendor text, so it is safe to log.
 */
export class ZoomError extends Error {
  override readonly name = 'ZoomError';
  readonly failure: ZoomFailure;
  readonly operation: string;
  readonly trackingId: string | undefined;

  constructor(operation: string, failure: ZoomFailure, trackingId?: string) {
    const detail = failure.kind === 'rejected' ? ` (HTTP ${failure.status}${failure.code !== undefined ? `, code ${failure.code}` : ''})` : failure.kind === 'unavailable' ? ` (${failure.reason})` : '';
    super(`Zoom ${operation} failed: ${failure.kind}${detail}`);
    this.failure = failure;
    this.operation = operation;
    this.trackingId = trackingId;
  }
}

export function isZoomError(e: unknown): e is ZoomError {
  return e instanceof ZoomError;
}

interface ErrorBody {
  code?: number;
  message?: string;
  error?: string;
  reason?: string;
}

/** Reads `{code,message}` / `{reason,error}` JSON, or the occasional XML `<result>` body (§4.1). */
export function readErrorBody(text: string): ErrorBody {
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const out: ErrorBody = {};
      if (typeof o.code === 'number') out.code = o.code;
      else if (typeof o.code === 'string' && /^\d+$/.test(o.code)) out.code = Number(o.code);
      if (typeof o.message === 'string') out.message = o.message;
      if (typeof o.error === 'string') out.error = o.error;
      if (typeof o.reason === 'string') out.reason = o.reason;
      return out;
    }
  } catch {
    // not JSON: fall through to XML / plain text
  }
  const out: ErrorBody = {};
  const code = /<code>\s*(\d+)\s*<\/code>/i.exec(text)?.[1];
  const message = /<message>([\s\S]*?)<\/message>/i.exec(text)?.[1];
  if (code !== undefined) out.code = Number(code);
  if (message !== undefined) out.message = message.trim();
  return out;
}

/** `…does not contain scopes:[a, b].` → ['a', 'b'] (§2, §4.2). */
export function parseMissingScopes(message: string): string[] {
  const list = /does not contain scopes\s*:?\s*\[([^\]]*)\]/i.exec(message)?.[1];
  if (list === undefined) return [];
  return list.split(/[,\s]+/).map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Replaces every secret we sent (token, code, verifier, client secret) before vendor text is kept. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out.slice(0, 500);
}

function nextUtcMidnight(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}

/** Retry-After is an ISO timestamp on Zoom's daily limit (§4.3); tolerate delta-seconds too. */
export function parseRetryAfter(value: string | null, now: Date): Date | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return new Date(now.getTime() + Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t);
}

export interface ClassifyInput {
  status: number;
  text: string;
  headers: HeaderReader;
  /** `oauth` for /oauth/token and /oauth/revoke (`{reason,error}` bodies), `api` for REST. */
  endpoint: 'oauth' | 'api';
  now: Date;
  secrets?: readonly string[];
}

/** Maps one non-2xx Zoom answer onto a failure class. */
export function classifyResponse(r: ClassifyInput): ZoomFailure {
  const body = readErrorBody(r.text);
  const message = redact(body.message ?? body.reason ?? body.error ?? '', r.secrets ?? []);
  if (r.status >= 500) return { kind: 'unavailable', reason: 'http_5xx' };

  // The per-user daily limit has two wordings: the 429 "daily rate limit (100)" text, and the
  // documented "A maximum of {n} meetings can be created/updated for a single user in one day",
  // which Zoom has sent with HTTP 300 (§4.2). Either means the same, whatever status carries it.
  const dailyText = /daily rate limit/i.test(message) || /meetings can be created\/updated for a single user in one day/i.test(message);
  if (r.status === 429 || dailyText) {
    const daily = dailyText || /daily/i.test(r.headers.get('x-ratelimit-type') ?? '');
    // A daily 429 was seen without Retry-After (§4.3); the message says it resumes at 00:00 GMT.
    const retryAt = parseRetryAfter(r.headers.get('retry-after'), r.now) ?? (daily ? nextUtcMidnight(r.now) : undefined);
    return retryAt ? { kind: 'rate_limited', daily, retryAt } : { kind: 'rate_limited', daily };
  }

  if (r.endpoint === 'oauth') {
    // Token-endpoint statuses moved from 401 to 400 over time: key on `error` (§1.6, §7.15).
    if (body.error === 'invalid_grant') return { kind: 'invalid_grant' };
    return { kind: 'rejected', status: r.status, message: body.error ? `${body.error}: ${message}` : message };
  }

  if (body.code === 4711 || /does not contain scopes/i.test(message)) {
    return { kind: 'missing_scope', scopes: parseMissingScopes(message) };
  }
  if (r.status === 401 || body.code === 124) return { kind: 'token_invalid' };
  if (body.code === 3161) return { kind: 'cannot_host' };
  if (r.status === 404 || body.code === 3001 || body.code === 1001) return { kind: 'not_found' };
  return body.code !== undefined ? { kind: 'rejected', status: r.status, code: body.code, message } : { kind: 'rejected', status: r.status, message };
}

/** Maps a thrown fetch error: our timeout signal, or a refused/dropped connection. */
export function classifyThrown(err: unknown): ZoomFailure {
  const name = err && typeof err === 'object' && 'name' in err ? String(err.name) : '';
  if (name === 'TimeoutError' || name === 'AbortError') return { kind: 'unavailable', reason: 'timeout' };
  return { kind: 'unavailable', reason: 'network' };
}
