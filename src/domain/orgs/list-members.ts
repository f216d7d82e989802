import { asc, eq, sql } from 'drizzle-orm';
import { preparedQuery } from '../../platform/db/prepared.ts';
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
  const rows = await preparedQuery(ctx.db, 'rf_members', (db) =>
    db
      .select({ userId: users.id, name: users.name, email: users.email, role: memberships.role, joinedAt: memberships.createdAt })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.orgId, sql.placeholder('orgId')))
      .orderBy(asc(users.name)),
  ).execute({ orgId: ctx.actor.orgId });
  return rows.map((r) => ({ ...r, role: Role.parse(r.role), joinedAt: r.joinedAt.toISOString() }));
}
