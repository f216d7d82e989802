import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import { invites } from '../../platform/db/schema.ts';
import { requirePermission } from '../access/roles.ts';
import type { Ctx } from '../context.ts';

export async function listPendingInvites(ctx: Ctx) {
  requirePermission(ctx.actor, 'member:manage');
  return ctx.db
    .select({ id: invites.id, role: invites.role, createdAt: invites.createdAt, expiresAt: invites.expiresAt })
    .from(invites)
    .where(and(eq(invites.orgId, ctx.actor.orgId), isNull(invites.acceptedAt), isNull(invites.revokedAt), gt(invites.expiresAt, ctx.clock.now())))
    .orderBy(desc(invites.createdAt));
}
