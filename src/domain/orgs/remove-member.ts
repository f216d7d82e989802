import { and, eq } from 'drizzle-orm';
import { apiTokens, memberships } from '../../platform/db/schema.ts';
import { conflict, forbidden } from '../../shared/errors.ts';
import { ROLE_LABEL, requirePermission } from '../access/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Ctx } from '../context.ts';
import { actorLabel } from './fields.ts';
import { lockMember } from './members.ts';

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
