import { AuditQuery, listAudit } from '../../domain/audit/list-audit.ts';
import { ctxOf, requireActor } from '../context.ts';
import { queryOf, respond, type ApiRoute } from './registry.ts';
import { AuditResponse, MeResponse } from './schemas.ts';
import { ROLE_LABEL } from '../../domain/access/roles.ts';

export const auditRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/audit-log',
    summary: 'The organization audit log, newest first (Owners and Admins)',
    tag: 'Audit log',
    query: AuditQuery,
    responses: { 200: AuditResponse },
    handler: async (c) => respond(c, AuditResponse, await listAudit({ ctx: ctxOf(c), input: queryOf(c) })),
  },
  {
    method: 'get',
    path: '/me',
    summary: 'Who the credentials act for',
    tag: 'Account',
    responses: { 200: MeResponse },
    handler: async (c) => {
      const actor = requireActor(c);
      const auth = c.get('auth');
      const orgName = auth?.kind === 'session' ? (auth.session.memberships.find((m) => m.orgId === actor.orgId)?.orgName ?? '') : '';
      return respond(c, MeResponse, {
        user: { id: actor.userId, name: actor.name, email: actor.email },
        organization: { id: actor.orgId, name: orgName },
        role: ROLE_LABEL[actor.role],
      });
    },
  },
];
