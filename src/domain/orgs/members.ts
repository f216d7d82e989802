import { and, asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../../platform/db/client.ts';
import { apiTokens, memberships, users } from '../../platform/db/schema.ts';
import { conflict, forbidden, notFound } from '../../shared/errors.ts';
import { isUuid } from '../../shared/ids.ts';
import { parseInput } from '../../shared/validate.ts';
import { ROLE_LABEL, Role, requirePermission } from '../access/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Ctx } from '../context.ts';
import { actorLabel } from './fields.ts';

export interface MemberView {
  userId: string;
  name: string;
  email: string;
  role: Role;
  joinedAt: string;
}

/** Every member may see who else is in the organization (to pick an incident lead). */
export async function listMembers(ctx: Ctx): Promise<MemberView[]> {
  requirePermission(ctx.actor, 'incident:view');
  const rows = await ctx.db
    .select({ userId: users.id, name: users.name, email: users.email, role: memberships.role, joinedAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.orgId, ctx.actor.orgId))
    .orderBy(asc(users.name));
  return rows.map((r) => ({ ...r, role: Role.parse(r.role), joinedAt: r.joinedAt.toISOString() }));
}

/** Locks the organization's memberships so "is this the last Owner?" cannot race with another change. */
async function lockMember(tx: DbOrTx, orgId: string, userId: string) {
  if (!isUuid(userId)) throw notFound('That member');
  const rows = await tx.execute(sql`select user_id, role from memberships where org_id = ${orgId} for update`);
  const list = z.object({ user_id: z.string(), role: Role }).array().parse((rows as unknown as { rows: unknown[] }).rows);
  const target = list.find((m) => m.user_id === userId);
  if (!target) throw notFound('That member');
  const owners = list.filter((m) => m.role === 'owner').length;
  const [user] = await tx.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, userId));
  return { role: target.role, owners, user: user ?? { name: 'unknown', email: '' } };
}

export const ChangeMemberRoleInput = z.object({ role: Role });

export async function changeMemberRole({ ctx, userId, input }: { ctx: Ctx; userId: string; input: unknown }) {
  requirePermission(ctx.actor, 'member:manage');
  const { role } = parseInput(ChangeMemberRoleInput, input);
  await ctx.db.transaction(async (tx) => {
    const target = await lockMember(tx, ctx.actor.orgId, userId);
    if ((role === 'owner' || target.role === 'owner') && ctx.actor.role !== 'owner') {
      throw forbidden('Only an Owner can make someone an Owner or change an Owner’s role.', 'Ask an Owner.');
    }
    if (target.role === 'owner' && role !== 'owner' && target.owners <= 1) {
      throw conflict(`${target.user.name} is the last Owner and cannot be demoted.`, 'Make another member an Owner first.');
    }
    if (target.role === role) return;
    await tx.update(memberships).set({ role }).where(and(eq(memberships.orgId, ctx.actor.orgId), eq(memberships.userId, userId)));
    await recordAudit(tx, ctx.clock, ctx.meta, {
      orgId: ctx.actor.orgId,
      actorUserId: ctx.actor.userId,
      actorLabel: actorLabel(ctx.actor),
      action: 'member.role_changed',
      targetType: 'user',
      targetId: userId,
      metadata: { from: ROLE_LABEL[target.role], to: ROLE_LABEL[role], member: target.user.email },
    });
  });
}

export async function removeMember({ ctx, userId }: { ctx: Ctx; userId: string }) {
  requirePermission(ctx.actor, 'member:manage');
  await ctx.db.transaction(async (tx) => {
    const target = await lockMember(tx, ctx.actor.orgId, userId);
    if (target.role === 'owner' && ctx.actor.role !== 'owner') throw forbidden('Only an Owner can remove an Owner.', 'Ask an Owner.');
    if (target.role === 'owner' && target.owners <= 1) {
      throw conflict(`${target.user.name} is the last Owner and cannot be removed.`, 'Make another member an Owner first.');
    }
    await tx.delete(memberships).where(and(eq(memberships.orgId, ctx.actor.orgId), eq(memberships.userId, userId)));
    // Their API tokens for this organization stop working with the membership.
    await tx.update(apiTokens).set({ revokedAt: ctx.clock.now() }).where(and(eq(apiTokens.orgId, ctx.actor.orgId), eq(apiTokens.userId, userId)));
    await recordAudit(tx, ctx.clock, ctx.meta, {
      orgId: ctx.actor.orgId,
      actorUserId: ctx.actor.userId,
      actorLabel: actorLabel(ctx.actor),
      action: 'member.removed',
      targetType: 'user',
      targetId: userId,
      metadata: { member: target.user.email, role: ROLE_LABEL[target.role] },
    });
  });
}
