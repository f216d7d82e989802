import type { Hono } from 'hono';
import { authenticate, resolveUserParam } from './api-auth.ts';
import type { Ctx } from './context.ts';
import type { SandboxUser } from './state.ts';

/** GET /users/{id} body (reference §3.1); a pending user shows only id and created_at. */
export function userJson(ctx: Ctx, u: SandboxUser): Record<string, unknown> {
  if (u.status === 'pending') return { id: u.id, created_at: u.createdAt };
  return {
    id: u.id,
    first_name: u.firstName,
    last_name: u.lastName,
    display_name: `${u.firstName} ${u.lastName}`.trim(),
    email: u.email,
    type: u.type,
    role_name: u.roleName,
    pmi: u.pmi,
    use_pmi: false,
    personal_meeting_url: `${ctx.publicUrl}/j/${u.pmi}`,
    timezone: u.timezone,
    verified: 1,
    dept: u.dept,
    created_at: u.createdAt,
    last_login_time: u.createdAt,
    last_client_version: '6.0.0.0000(sandbox)',
    pic_url: '',
    language: u.language,
    phone_number: '',
    status: u.status,
    role_id: u.roleName === 'Owner' ? '0' : '2',
    account_id: u.accountId,
    account_number: u.accountNumber,
    cluster: 'sbx',
    user_created_at: u.createdAt,
    group_ids: [],
    jid: `${u.id.toLowerCase()}@xmpp.sandbox.zoom.test`,
    login_types: [100],
  };
}

export function mountUsers(app: Hono, ctx: Ctx): void {
  app.get('/v2/users/:userId', (c) => {
    const userId = c.req.param('userId');
    const caller = authenticate(c, ctx, 'readUser', userId === 'me');
    if (caller instanceof Response) return caller;
    const notSelf = resolveUserParam(c, caller, userId);
    if (notSelf) return notSelf;
    return c.json(userJson(ctx, caller.user));
  });
}
