import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { randomToken, sha256Hex } from '../../platform/crypto.ts';
import type { DbOrTx } from '../../platform/db/client.ts';
import { invites, memberships, organizations } from '../../platform/db/schema.ts';
import { AppError, conflict, forbidden, notFound } from '../../shared/errors.ts';
import { isUuid, newId } from '../../shared/ids.ts';
import { parseInput } from '../../shared/validate.ts';
import { ROLE_LABEL, Role, requirePermission } from '../access/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Ctx, Deps, RequestMeta } from '../context.ts';
import { actorLabel } from './fields.ts';
import { findMembership } from './memberships.ts';

const INVITE_DAYS = 7;
export const CreateInviteInput = z.object({ role: Role });

export const inviteUrl = (publicUrl: string, token: string): string => `${publicUrl}/invites/${token}`;

/** The link is shown once to the inviter (no mail server needed); only its hash is stored. */
export async function createInvite({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx.actor, 'member:manage');
  const { role } = parseInput(CreateInviteInput, input);
  if (role === 'owner' && ctx.actor.role !== 'owner') throw forbidden('Only an Owner can invite another Owner.', 'Pick Admin, or ask an Owner.');
  const token = randomToken();
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + INVITE_DAYS * 86_400_000);
  const id = newId();
  await ctx.db.transaction(async (tx) => {
    await tx.insert(invites).values({ id, orgId: ctx.actor.orgId, tokenHash: sha256Hex(token), role, createdBy: ctx.actor.userId, createdAt: now, expiresAt });
    await recordAudit(tx, ctx.clock, ctx.meta, {
      orgId: ctx.actor.orgId,
      actorUserId: ctx.actor.userId,
      actorLabel: actorLabel(ctx.actor),
      action: 'invite.created',
      targetType: 'invite',
      targetId: id,
      metadata: { role: ROLE_LABEL[role] },
    });
  });
  return { id, role, url: inviteUrl(ctx.settings.publicUrl, token), expiresAt: expiresAt.toISOString() };
}

export async function listPendingInvites(ctx: Ctx) {
  requirePermission(ctx.actor, 'member:manage');
  return ctx.db
    .select({ id: invites.id, role: invites.role, createdAt: invites.createdAt, expiresAt: invites.expiresAt })
    .from(invites)
    .where(and(eq(invites.orgId, ctx.actor.orgId), isNull(invites.acceptedAt), isNull(invites.revokedAt), gt(invites.expiresAt, ctx.clock.now())))
    .orderBy(desc(invites.createdAt));
}

export async function revokeInvite({ ctx, inviteId }: { ctx: Ctx; inviteId: string }) {
  requirePermission(ctx.actor, 'member:manage');
  if (!isUuid(inviteId)) throw notFound('That invite');
  await ctx.db.transaction(async (tx) => {
    const done = await tx
      .update(invites)
      .set({ revokedAt: ctx.clock.now() })
      .where(and(eq(invites.id, inviteId), eq(invites.orgId, ctx.actor.orgId), isNull(invites.acceptedAt), isNull(invites.revokedAt)))
      .returning({ id: invites.id });
    if (done.length === 0) throw notFound('That invite');
    await recordAudit(tx, ctx.clock, ctx.meta, {
      orgId: ctx.actor.orgId,
      actorUserId: ctx.actor.userId,
      actorLabel: actorLabel(ctx.actor),
      action: 'invite.revoked',
      targetType: 'invite',
      targetId: inviteId,
    });
  });
}

/** For the invite landing page: which organization and role the link is for, if it is still usable. */
export async function describeInvite(deps: Deps, token: string) {
  const [row] = await deps.db
    .select({ orgName: organizations.name, role: invites.role, expiresAt: invites.expiresAt, acceptedAt: invites.acceptedAt, revokedAt: invites.revokedAt })
    .from(invites)
    .innerJoin(organizations, eq(organizations.id, invites.orgId))
    .where(eq(invites.tokenHash, sha256Hex(token)));
  if (!row || row.acceptedAt !== null || row.revokedAt !== null || row.expiresAt <= deps.clock.now()) return null;
  return { orgName: row.orgName, role: Role.parse(row.role) };
}

/** Uses an invite once, inside the caller's transaction. */
export async function consumeInvite(tx: DbOrTx, deps: Pick<Deps, 'clock'>, meta: RequestMeta, user: { id: string; name: string; email: string }, token: string) {
  const now = deps.clock.now();
  // The conditional update wins the race between two people opening the same link: one gets it.
  const [invite] = await tx
    .update(invites)
    .set({ acceptedAt: now, acceptedBy: user.id })
    .where(and(eq(invites.tokenHash, sha256Hex(token)), isNull(invites.acceptedAt), isNull(invites.revokedAt), gt(invites.expiresAt, now)))
    .returning({ id: invites.id, orgId: invites.orgId, role: invites.role });
  if (!invite) {
    throw new AppError('not_found', 'This invite link is not valid any more: it was used, revoked or has expired.', {
      hint: 'Ask the person who invited you for a new link.',
    });
  }
  if ((await findMembership(tx, invite.orgId, user.id)) !== null) throw conflict('You are already a member of this organization.');
  const role = Role.parse(invite.role);
  await tx.insert(memberships).values({ orgId: invite.orgId, userId: user.id, role, createdAt: now });
  await recordAudit(tx, deps.clock, meta, {
    orgId: invite.orgId,
    actorUserId: user.id,
    actorLabel: actorLabel(user),
    action: 'invite.accepted',
    targetType: 'invite',
    targetId: invite.id,
    metadata: { role: ROLE_LABEL[role] },
  });
  return { orgId: invite.orgId, role };
}

export async function acceptInvite({ deps, meta, user, token }: { deps: Deps; meta: RequestMeta; user: { id: string; name: string; email: string }; token: string }) {
  return deps.db.transaction((tx) => consumeInvite(tx, deps, meta, user, token));
}
