import { and, eq, isNull } from 'drizzle-orm';
import { invites } from '../../platform/db/schema.ts';
import { notFound } from '../../shared/errors.ts';
import { isUuid } from '../../shared/ids.ts';
import { requirePermission } from '../access/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Ctx } from '../context.ts';
import { actorLabel } from './fields.ts';

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
