import { z } from 'zod';
import { Role } from '../../domain/access/roles.ts';
import { changeMemberRole, ChangeMemberRoleInput } from '../../domain/orgs/change-member-role.ts';
import { createInvite, CreateInviteInput } from '../../domain/orgs/create-invite.ts';
import { listMembers } from '../../domain/orgs/list-members.ts';
import { listPendingInvites } from '../../domain/orgs/list-pending-invites.ts';
import { removeMember } from '../../domain/orgs/remove-member.ts';
import { revokeInvite } from '../../domain/orgs/revoke-invite.ts';
import { notFound } from '../../shared/errors.ts';
import { ctxOf } from '../context.ts';
import { noContent, readJson, respond, type ApiRoute } from './registry.ts';

const MemberSchema = z.object({
  userId: z.string(),
  name: z.string(),
  email: z.string(),
  role: Role.describe('owner, admin, responder or viewer'),
  joinedAt: z.string(),
});
export const MembersResponse = z.object({ members: z.array(MemberSchema) });
export const MemberResponse = z.object({ member: MemberSchema });

const InviteSchema = z.object({ id: z.string(), role: Role, createdAt: z.string(), expiresAt: z.string() });
export const InvitesResponse = z.object({ invites: z.array(InviteSchema) });
export const CreatedInviteResponse = z.object({
  invite: z.object({
    id: z.string(),
    role: Role,
    url: z.string().describe('The invite link, shown this once: only its hash is stored. Send it to the person you invite.'),
    expiresAt: z.string(),
  }),
});

const USER_ID = { userId: 'The member’s user id (userId in GET /members)' };
const INVITE_ID = { inviteId: 'The invite’s id (id in GET /invites)' };

/** Members and invites, with the rules of the Organization › Members page (the same domain operations). */
export const memberRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/members',
    summary: 'The organization’s members and their roles (every member may read it, as on the Members page)',
    tag: 'Members',
    responses: { 200: MembersResponse },
    handler: async (c) => respond(c, MembersResponse, { members: await listMembers(ctxOf(c)) }),
  },
  {
    method: 'patch',
    path: '/members/{userId}',
    summary: 'Change a member’s role (Owners and Admins; only an Owner makes or changes an Owner; the last Owner keeps the role)',
    tag: 'Members',
    params: USER_ID,
    body: ChangeMemberRoleInput,
    responses: { 200: MemberResponse },
    errors: { 409: 'The member is the last Owner and cannot be demoted' },
    handler: async (c) => {
      const ctx = ctxOf(c);
      const userId = c.req.param('userId') ?? '';
      await changeMemberRole({ ctx, userId, input: await readJson(c) });
      const member = (await listMembers(ctx)).find((m) => m.userId === userId);
      if (!member) throw notFound('That member');
      return respond(c, MemberResponse, { member });
    },
  },
  {
    method: 'delete',
    path: '/members/{userId}',
    summary: 'Remove a member: they lose access and their API tokens for this organization stop working (Owners and Admins; only an Owner removes an Owner)',
    tag: 'Members',
    params: USER_ID,
    responses: { 204: null },
    errors: { 409: 'The member is the last Owner and cannot be removed' },
    handler: async (c) => {
      await removeMember({ ctx: ctxOf(c), userId: c.req.param('userId') ?? '' });
      return noContent(c);
    },
  },
  {
    method: 'get',
    path: '/invites',
    summary: 'Pending invites: not used, revoked or expired (Owners and Admins)',
    tag: 'Members',
    responses: { 200: InvitesResponse },
    handler: async (c) => {
      const rows = await listPendingInvites(ctxOf(c));
      return respond(c, InvitesResponse, {
        invites: rows.map((r) => ({ id: r.id, role: Role.parse(r.role), createdAt: r.createdAt.toISOString(), expiresAt: r.expiresAt.toISOString() })),
      });
    },
  },
  {
    method: 'post',
    path: '/invites',
    summary: 'Create an invite link for a role, valid 7 days and usable once (Owners and Admins; only an Owner invites an Owner)',
    tag: 'Members',
    body: CreateInviteInput,
    responses: { 201: CreatedInviteResponse },
    handler: async (c) => {
      const invite = await createInvite({ ctx: ctxOf(c), input: await readJson(c) });
      return respond(c, CreatedInviteResponse, { invite }, 201);
    },
  },
  {
    method: 'delete',
    path: '/invites/{inviteId}',
    summary: 'Revoke a pending invite: its link stops working (Owners and Admins)',
    tag: 'Members',
    params: INVITE_ID,
    responses: { 204: null },
    handler: async (c) => {
      await revokeInvite({ ctx: ctxOf(c), inviteId: c.req.param('inviteId') ?? '' });
      return noContent(c);
    },
  },
];
