import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The canonical google.rpc.Code names that go in `error.status` (reference §3.9). */
export const RPC_STATUSES = [
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;
export type RpcStatus = (typeof RPC_STATUSES)[number];

export interface ErrorInfo {
  '@type': 'type.googleapis.com/google.rpc.ErrorInfo';
  reason: string;
  domain: string;
  metadata: Record<string, string>;
}

export function errorInfo(reason: string, metadata: Record<string, string> = {}): ErrorInfo {
  return { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'googleapis.com', metadata };
}

/** Google APIs' error body: `{"error":{"code","message","status","details"}}`. */
export function googleError(c: Context, code: ContentfulStatusCode, status: RpcStatus, message: string, details: unknown[] = []): Response {
  return c.json({ error: { code, message, status, details } }, code);
}

/** OAuth endpoints answer `{"error","error_description"}` (reference §1.9). */
export function oauthError(c: Context, error: string, description: string, status: ContentfulStatusCode = 400): Response {
  return c.json({ error, error_description: description }, status);
}

export const MESSAGES = {
  unauthenticated:
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
  insufficientScopes: 'Request had insufficient authentication scopes.',
  spaceDenied: 'Permission denied on resource MeetingSpace (or it might not exist)',
  callerDenied: 'The caller does not have permission',
  meetDisabled: 'Google Meet is turned off for this account by its administrator.',
  consumerDenied: 'This account type cannot create meeting spaces.',
  openNotAllowed: "Your organization's policy does not allow OPEN meeting spaces.",
  serviceDisabled: (project: string) =>
    `Google Meet REST API has not been used in project ${project} before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/meet.googleapis.com/overview?project=${project} then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.`,
  quota: (metric: string, limit: string, project: string) =>
    `Quota exceeded for quota metric '${metric}' and limit '${limit}' of service 'meet.googleapis.com' for consumer 'project_number:${project}'.`,
  noActiveConference: 'There is no active conference in this space.',
  invalidJson: (detail: string) => `Invalid JSON payload received. ${detail}`,
} as const;
