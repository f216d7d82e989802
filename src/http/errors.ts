import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isDatabaseUnavailable } from '../platform/db-errors.ts';
import { AppError, type ErrorCode } from '../shared/errors.ts';

export const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  too_large: 413,
  method_not_allowed: 405,
  precondition_failed: 412,
  precondition_required: 428,
  needs_reconnect: 409,
  provider_rejected: 422,
  provider_unavailable: 503,
  unavailable: 503,
  internal: 500,
};

export interface ErrorEnvelope {
  error: { code: ErrorCode; message: string; hint: string | null; requestId: string; fields?: { field: string; reason: string }[] };
}

/** Anything that is not an AppError is unexpected: the user sees a generic message and the request id. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isDatabaseUnavailable(err)) {
    return new AppError('unavailable', 'Runframe cannot reach its database right now, so nothing was changed.', {
      hint: 'Try again in a few seconds.',
      retryAfterSeconds: 5,
    });
  }
  return new AppError('internal', 'Something went wrong on our side.', {
    hint: 'Try again. If it keeps happening, contact support@runframe.io with the request id.',
  });
}

export function envelope(err: AppError, requestId: string): ErrorEnvelope {
  return {
    error: {
      code: err.code,
      message: err.message,
      hint: err.hint ?? null,
      requestId,
      ...(err.fields.length > 0 ? { fields: err.fields } : {}),
    },
  };
}

/** The status of an error answer; a rate limit also tells the caller when to try again (Retry-After). */
export function errorStatus(c: Context, err: AppError): ContentfulStatusCode {
  if (err.retryAfterSeconds !== undefined) c.header('retry-after', String(err.retryAfterSeconds));
  return STATUS[err.code];
}
