import { Hono } from 'hono';
import { can, requirePermission } from '../../../domain/access/roles.ts';
import { listAudit } from '../../../domain/audit/list-audit.ts';
import { createApiToken } from '../../../domain/orgs/create-api-token.ts';
import { listApiTokens } from '../../../domain/orgs/list-api-tokens.ts';
import { revokeApiToken } from '../../../domain/orgs/revoke-api-token.ts';
import { createInvite } from '../../../domain/orgs/create-invite.ts';
import { listPendingInvites } from '../../../domain/orgs/list-pending-invites.ts';
import { revokeInvite } from '../../../domain/orgs/revoke-invite.ts';
import { changeMemberRole } from '../../../domain/orgs/change-member-role.ts';
import { listMembers } from '../../../domain/orgs/list-members.ts';
import { removeMember } from '../../../domain/orgs/remove-member.ts';
import type { AppError } from '../../../shared/errors.ts';
import type { AppEnv } from '../../env.ts';
import { attempt, formOf, html, pageCtx, sessionOf, shell, signedIn, statusOf, type C } from '../helpers.tsx';
import { ApiTokensPage, RevokeTokenPage } from '../settings/api-tokens-page.tsx';
import { AuditPage } from './audit-page.tsx';
import { MembersPage, RemoveMemberPage } from './members-page.tsx';

const orgNameOf = (c: C) => {
  const s = sessionOf(c);
  return s?.memberships.find((m) => m.orgId === s.actor?.orgId)?.orgName ?? '';
};

async function renderMembers(c: C, extra: { error?: AppError; notice?: string; newInvite?: { url: string; role: 'owner' | 'admin' | 'responder' | 'viewer'; expiresAt: string } } = {}) {
  const ctx = pageCtx(c);
  const canManage = can(ctx.actor.role, 'member:manage');
  return html(
    c,
    <MembersPage
      shell={shell(c, 'Members', 'members')}
      orgName={orgNameOf(c)}
      members={await listMembers(ctx)}
      canManage={canManage}
      viewerRole={ctx.actor.role}
      currentUserId={ctx.actor.userId}
      invites={canManage ? await listPendingInvites(ctx) : []}
      {...extra}
    />,
    extra.error ? statusOf(c, extra.error) : 200,
  );
}

async function renderTokens(c: C, extra: { error?: AppError; notice?: string; created?: { name: string; token: string } } = {}) {
  const ctx = pageCtx(c);
  return html(c, <ApiTokensPage shell={shell(c, 'API tokens', 'tokens')} tokens={await listApiTokens(ctx)} {...extra} />, extra.error ? statusOf(c, extra.error) : 200);
}

export function organizationPages(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('/organization/*', signedIn);
  app.use('/settings/*', signedIn);

  app.get('/organization', (c) => c.redirect('/organization/members', 303));
  app.get('/organization/members', (c) => renderMembers(c));

  app.post('/organization/invites', async (c) => {
    const r = await attempt(async () => createInvite({ ctx: pageCtx(c), input: await formOf(c) }));
    return r.ok ? renderMembers(c, { newInvite: r.value }) : renderMembers(c, { error: r.error });
  });
  app.post('/organization/invites/:id/revoke', async (c) => {
    const r = await attempt(() => revokeInvite({ ctx: pageCtx(c), inviteId: c.req.param('id') }));
    return r.ok ? renderMembers(c, { notice: 'Invite revoked: its link no longer works.' }) : renderMembers(c, { error: r.error });
  });
  app.post('/organization/members/:userId/role', async (c) => {
    const r = await attempt(async () => changeMemberRole({ ctx: pageCtx(c), userId: c.req.param('userId'), input: await formOf(c) }));
    return r.ok ? renderMembers(c, { notice: 'Role updated.' }) : renderMembers(c, { error: r.error });
  });
  app.get('/organization/members/:userId/remove', async (c) => {
    const ctx = pageCtx(c);
    requirePermission(ctx.actor, 'member:manage');
    const member = (await listMembers(ctx)).find((m) => m.userId === c.req.param('userId'));
    if (!member) return c.redirect('/organization/members', 303);
    return html(c, <RemoveMemberPage shell={shell(c, `Remove ${member.name}`, 'members')} member={member} orgName={orgNameOf(c)} />);
  });
  app.post('/organization/members/:userId/remove', async (c) => {
    const r = await attempt(() => removeMember({ ctx: pageCtx(c), userId: c.req.param('userId') }));
    return r.ok ? renderMembers(c, { notice: 'Member removed.' }) : renderMembers(c, { error: r.error });
  });

  app.get('/organization/audit', async (c) => {
    const ctx = pageCtx(c);
    requirePermission(ctx.actor, 'audit:view');
    const r = await attempt(() => listAudit({ ctx, input: c.req.query() }));
    const filters = { action: c.req.query('action'), actor: c.req.query('actor') };
    if (!r.ok) return html(c, <AuditPage shell={shell(c, 'Audit log', 'audit')} entries={[]} filters={filters} page={1} perPage={50} total={0} error={r.error} />, statusOf(c, r.error));
    return html(c, <AuditPage shell={shell(c, 'Audit log', 'audit')} entries={r.value.entries} filters={filters} page={r.value.page} perPage={r.value.perPage} total={r.value.total} providerNames={Object.fromEntries([...c.get('hub').providers.values()].map((p) => [p.id, p.displayName]))} />);
  });

  app.get('/settings/api-tokens', (c) => renderTokens(c));
  app.post('/settings/api-tokens', async (c) => {
    const r = await attempt(async () => createApiToken({ ctx: pageCtx(c), input: await formOf(c) }));
    return r.ok ? renderTokens(c, { created: { name: r.value.name, token: r.value.token } }) : renderTokens(c, { error: r.error });
  });
  app.get('/settings/api-tokens/:id/revoke', async (c) => {
    const token = (await listApiTokens(pageCtx(c))).find((t) => t.id === c.req.param('id'));
    if (!token) return c.redirect('/settings/api-tokens', 303);
    return html(c, <RevokeTokenPage shell={shell(c, 'Revoke token', 'tokens')} token={token} />);
  });
  app.post('/settings/api-tokens/:id/revoke', async (c) => {
    const r = await attempt(() => revokeApiToken({ ctx: pageCtx(c), tokenId: c.req.param('id') }));
    return r.ok ? renderTokens(c, { notice: 'Token revoked.' }) : renderTokens(c, { error: r.error });
  });
  return app;
}
