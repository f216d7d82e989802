import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { memberships } from '../../platform/db/schema.ts';
import { conflict, forbidden } from '../../shared/errors.ts';
import { parseInput } from '../../shared/validate.ts';
import { ROLE_LABEL, Role, requirePermission } from '../access/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Ctx } from '../context.ts';
import { actorLabel } from './fields.ts';
import { lockMember } from './members.ts';

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
