import { and, asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../platform/db/client.ts';
import { memberships, organizations, users } from '../../platform/db/schema.ts';
import { notFound } from '../../shared/errors.ts';
import { Role } from '../access/roles.ts';

export interface MembershipView {
  orgId: string;
  orgName: string;
  role: Role;
}

export async function listUserMemberships(db: DbOrTx, userId: string): Promise<MembershipView[]> {
  const rows = await db
    .select({ orgId: memberships.orgId, orgName: organizations.name, role: memberships.role })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt), asc(organizations.name));
  return rows.map((r) => ({ ...r, role: Role.parse(r.role) }));
}

export async function findMembership(db: DbOrTx, orgId: string, userId: string): Promise<Role | null> {
  const [row] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
  return row ? Role.parse(row.role) : null;
}

export async function requireUser(db: DbOrTx, userId: string) {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) throw notFound('That user');
  return user;
}
