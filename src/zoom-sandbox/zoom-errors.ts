import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** REST errors: `{code, message}` (+ `errors[]` for validation), reference §4.1. */
export function zoomError(c: Context, status: ContentfulStatusCode, code: number, message: string, errors?: Array<{ field: string; message: string }>): Response {
  return c.json(errors ? { code, message, errors } : { code, message }, status);
}

/** OAuth endpoint errors: `{reason, error}` with no `code`, reference §1.7. */
export function oauthError(c: Context, reason: string, error: string, status: ContentfulStatusCode = 400): Response {
  return c.json({ reason, error }, status);
}

export const MESSAGES = {
  tokenExpired: 'Access token is expired.',
  tokenInvalid: 'Invalid access token.',
  tokenInQuery: 'Invalid access token, this access token is not supported as query parameter string.',
  cannotHost: 'Meeting hosting and scheduling capabilities are not allowed for your user account.',
  invalidJson: 'Request Body should be a valid JSON object.',
  validationFailed: 'Validation Failed.',
  qps: 'You have reached the maximum per-second rate limit for this API. Try again later.',
  daily: (limit: number) =>
    `You have exceeded the daily rate limit (${limit}) of Meeting Create/Update API requests permitted for this particular user. You may resume these requests at GMT 00:00:00.`,
  dailyDocumented: (limit: number) => `A maximum of ${limit} meetings can be created/updated for a single user in one day.`,
  userNotFound: (id: string) => `User does not exist: ${id}.`,
  meetingNotFound: (id: string) => `Meeting ${id} is not found or has expired.`,
  meetingDoesNotExist: (id: string) => `Meeting does not exist: ${id}.`,
  missingScopes: (scopes: string[]) => `Invalid access token, does not contain scopes:[${scopes.join(', ')}].`,
} as const;
