import { z } from 'zod';

// Failure classes for everything the Google client can meet; nothing outside this folder reads
// Google's codes. Messages are built from the operation and the class only: safe to log.

export type GoogleFailure =
  | { kind: 'token_invalid' }
  | { kind: 'invalid_grant' }
  | { kind: 'missing_scope'; scopes: string[] }
  | { kind: 'cannot_host' }
  | { kind: 'no_refresh_token' }
  | { kind: 'rate_limited'; daily: boolean; retryAt?: Date }
  | { kind: 'not_found' }
  /** `rpcStatus`: Google's `error.status` (e.g. FAILED_PRECONDITION) when the answer had one. */
  | { kind: 'rejected'; status: number; message: string; rpcStatus?: string | undefined }
  | { kind: 'unavailable'; reason: 'http_5xx' | 'timeout' | 'network' };

export class GoogleError extends Error {
  override readonly name = 'GoogleError';
  constructor(
    readonly operation: string,
    readonly failure: GoogleFailure,
  ) {
    super(`Google ${operation} failed: ${failure.kind}${failure.kind === 'rejected' ? ` (HTTP ${failure.status})` : failure.kind === 'unavailable' ? ` (${failure.reason})` : ''}`);
  }
}

export const isGoogleError = (e: unknown): e is GoogleError => e instanceof GoogleError;

/** Which Google host answered: the OAuth token/revoke/userinfo endpoints or the Meet REST API. */
export type Endpoint = 'oauth' | 'userinfo' | 'meet';

/** What a 403 PERMISSION_DENIED without a reason means depends on the call (§3.9). */
export type ForbiddenMeans = 'cannot_host' | 'not_found';

interface ErrorBody {
  /** OAuth: `{"error":"invalid_grant","error_description":…}`. */
  oauthError?: string;
  /** Google RPC: `{"error":{"code","message","status","details":[{reason}]}}`. */
  rpcStatus?: string;
  reasons: string[];
}

// Both of Google's error shapes (§1.9, §3.9); anything else reads as no detail at all.
const ErrorJson = z.object({
  error: z.union([
    z.string(),
    z.object({
      status: z.string().optional().catch(undefined),
      details: z.array(z.object({ reason: z.string().optional().catch(undefined) }).loose()).optional().catch(undefined),
    }),
  ]),
});

function readErrorBody(text: string): ErrorBody {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { reasons: [] };
  }
  const parsed = ErrorJson.safeParse(raw);
  if (!parsed.success) return { reasons: [] };
  const e = parsed.data.error;
  if (typeof e === 'string') return { oauthError: e, reasons: [] };
  return { ...(e.status === undefined ? {} : { rpcStatus: e.status }), reasons: (e.details ?? []).flatMap((d) => (d.reason === undefined ? [] : [d.reason])) };
}

/** Maps one non-2xx Google answer onto a failure class: switch on status and reason, never on message (§3.9). */
export function classifyResponse(r: { status: number; text: string; endpoint: Endpoint; forbidden: ForbiddenMeans; now: Date; meetScope: string }): GoogleFailure {
  const body = readErrorBody(r.text);
  if (r.status >= 500) return { kind: 'unavailable', reason: 'http_5xx' };
  if (r.status === 429 || body.rpcStatus === 'RESOURCE_EXHAUSTED') {
    // Per-minute quotas (§3.10) and no Retry-After: come back after the minute.
    return { kind: 'rate_limited', daily: false, retryAt: new Date(r.now.getTime() + 60_000) };
  }
  if (r.endpoint === 'oauth') {
    if (body.oauthError === 'invalid_grant') return { kind: 'invalid_grant' };
    return { kind: 'rejected', status: r.status, message: body.oauthError ?? 'Google refused the request.' };
  }
  if (r.status === 401) return { kind: 'token_invalid' };
  if (r.status === 403) {
    if (body.reasons.includes('ACCESS_TOKEN_SCOPE_INSUFFICIENT')) return { kind: 'missing_scope', scopes: [r.meetScope] };
    if (body.reasons.includes('SERVICE_DISABLED')) return { kind: 'rejected', status: 403, message: 'The Google Meet REST API is not enabled in the Google Cloud project of Runframe’s OAuth client.' };
    return { kind: r.forbidden };
  }
  if (r.status === 404) return { kind: 'not_found' };
  return { kind: 'rejected', status: r.status, message: body.rpcStatus ?? body.oauthError ?? 'Google refused the request.', rpcStatus: body.rpcStatus };
}

export function classifyThrown(err: unknown): GoogleFailure {
  const name = err && typeof err === 'object' && 'name' in err ? String(err.name) : '';
  if (name === 'TimeoutError' || name === 'AbortError') return { kind: 'unavailable', reason: 'timeout' };
  return { kind: 'unavailable', reason: 'network' };
}
