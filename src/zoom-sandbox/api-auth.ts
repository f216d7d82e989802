import type { Context } from 'hono';
import type { Ctx } from './context.ts';
import { resolveBearer } from './grants.ts';
import { checkQps, type Category } from './rate-limits.ts';
import { missingScopes, type Operation } from './scopes.ts';
import type { Grant, SandboxUser } from './state.ts';
import type { SandboxApp } from './types.ts';
import { MESSAGES, zoomError } from './zoom-errors.ts';

export interface Caller {
  grant: Grant;
  user: SandboxUser;
  app: SandboxApp;
}

const CATEGORY: Record<Operation, Category> = {
  readUser: 'Light',
  createMeeting: 'Medium',
  listMeetings: 'Medium',
  readMeeting: 'Light',
  updateMeeting: 'Light',
  deleteMeeting: 'Light',
  updateStatus: 'Light',
};

/** Bearer-only authentication, then the scope check, then the QPS limit. */
export function authenticate(c: Context, ctx: Ctx, op: Operation, isMe = false): Caller | Response {
  // Tokens in the query string are refused since Feb 2023 (§0), even next to a valid header.
  if (c.req.query('access_token') !== undefined) return zoomError(c, 401, 124, MESSAGES.tokenInQuery);
  const m = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
  if (!m?.[1]) return zoomError(c, 401, 124, MESSAGES.tokenInvalid);
  const r = resolveBearer(ctx, m[1]);
  if (r.kind === 'expired') return zoomError(c, 401, 124, MESSAGES.tokenExpired);
  if (r.kind === 'invalid') return zoomError(c, 401, 124, MESSAGES.tokenInvalid);
  const missing = missingScopes(op, r.grant.scopes, r.app.scopes, isMe);
  if (missing) return zoomError(c, 400, 4711, MESSAGES.missingScopes(missing));
  c.header('X-RateLimit-Category', CATEGORY[op]);
  const limited = checkQps(c, ctx, r.user.accountId, CATEGORY[op]);
  if (limited) return limited;
  return { grant: r.grant, user: r.user, app: r.app };
}

/** `me`, the caller's id or email; a user-managed app sees no one else (404/1001). */
export function resolveUserParam(c: Context, caller: Caller, userId: string): Response | null {
  const self = caller.user;
  if (userId === 'me' || userId === self.id || userId.toLowerCase() === self.email.toLowerCase()) return null;
  return zoomError(c, 404, 1001, MESSAGES.userNotFound(userId));
}
