import type { Context } from 'hono';
import type { Ctx } from './context.ts';
import { resolveBearer } from './grants.ts';
import { MESSAGES, errorInfo, googleError } from './google-errors.ts';
import { QUOTA_LIMITS, type QuotaClass } from './quotas.ts';
import { ACCEPTED, type MeetMethod } from './scopes.ts';
import type { Account, Grant, StoredApp } from './state.ts';

export interface Caller {
  grant: Grant;
  account: Account;
  app: StoredApp;
  scopes: string[];
}

const RPC: Record<MeetMethod, string> = {
  'spaces.create': 'google.apps.meet.v2.SpacesService.CreateSpace',
  'spaces.get': 'google.apps.meet.v2.SpacesService.GetSpace',
  'spaces.endActiveConference': 'google.apps.meet.v2.SpacesService.EndActiveConference',
  'conferenceRecords.list': 'google.apps.meet.v2.ConferenceRecordsService.ListConferenceRecords',
  'conferenceRecords.get': 'google.apps.meet.v2.ConferenceRecordsService.GetConferenceRecord',
  'participants.list': 'google.apps.meet.v2.ConferenceRecordsService.ListParticipants',
};

const QUOTA_CLASS: Record<MeetMethod, QuotaClass> = {
  'spaces.create': 'create',
  'spaces.get': 'read',
  'spaces.endActiveConference': 'write',
  'conferenceRecords.list': 'read',
  'conferenceRecords.get': 'read',
  'participants.list': 'read',
};

export function unauthenticated(c: Context, reason: string | null): Response {
  c.header('WWW-Authenticate', 'Bearer realm="https://accounts.google.com/", error="invalid_token"');
  return googleError(c, 401, 'UNAUTHENTICATED', MESSAGES.unauthenticated, reason ? [errorInfo(reason, { service: 'meet.googleapis.com' })] : []);
}

export function serviceDisabled(c: Context, project: string): Response {
  return googleError(c, 403, 'PERMISSION_DENIED', MESSAGES.serviceDisabled(project), [
    errorInfo('SERVICE_DISABLED', {
      service: 'meet.googleapis.com',
      consumer: `projects/${project}`,
      serviceTitle: 'Google Meet REST API',
      activationUrl: `https://console.developers.google.com/apis/api/meet.googleapis.com/overview?project=${project}`,
    }),
  ]);
}

export function quotaExceeded(c: Context, cls: QuotaClass, project: string): Response {
  const q = QUOTA_LIMITS[cls];
  return googleError(c, 429, 'RESOURCE_EXHAUSTED', MESSAGES.quota(q.metric, q.limit, project), [
    errorInfo('RATE_LIMIT_EXCEEDED', { service: 'meet.googleapis.com', consumer: `projects/${project}`, quota_metric: q.metric, quota_limit: q.limit, quota_limit_value: String(q.perUser) }),
  ]);
}

export function quotaClassOf(method: MeetMethod): QuotaClass {
  return QUOTA_CLASS[method];
}

/** Bearer token, then API enablement, then the scope matrix, then the per-minute quota (reference §3.9, §3.10). */
export function authenticate(c: Context, ctx: Ctx, method: MeetMethod): Caller | Response {
  const header = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')?.[1];
  // The discovery document also lists `access_token` as a query parameter (reference §0).
  const token = header ?? c.req.query('access_token');
  if (!token) return unauthenticated(c, 'CREDENTIALS_MISSING');
  const r = resolveBearer(ctx, token);
  if (r.kind === 'expired') return unauthenticated(c, 'ACCESS_TOKEN_EXPIRED');
  if (r.kind === 'invalid') return unauthenticated(c, null);
  if (!r.app.meetApiEnabled) return serviceDisabled(c, r.app.projectNumber);
  if (!r.scopes.some((s) => ACCEPTED[method].includes(s))) {
    return googleError(c, 403, 'PERMISSION_DENIED', MESSAGES.insufficientScopes, [
      errorInfo('ACCESS_TOKEN_SCOPE_INSUFFICIENT', { service: 'meet.googleapis.com', method: RPC[method] }),
    ]);
  }
  const cls = QUOTA_CLASS[method];
  if (ctx.store.state.settings.quotas && !ctx.quotas.take(`${r.app.clientId}:${r.account.sub}`, cls, ctx.now().getTime())) {
    return quotaExceeded(c, cls, r.app.projectNumber);
  }
  return { grant: r.grant, account: r.account, app: r.app, scopes: r.scopes };
}
