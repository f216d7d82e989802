import { asc, eq } from 'drizzle-orm';
import { memberships, users } from '../../platform/db/schema.ts';
import { Role, requirePermission } from '../access/roles.ts';
import type { Ctx } from '../context.ts';

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
