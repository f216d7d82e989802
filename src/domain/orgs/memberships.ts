import { and, asc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../platform/db/client.ts';
import { preparedQuery } from '../../platform/db/prepared.ts';
import { memberships, organizations, sessions, users } from '../../platform/db/schema.ts';
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

/** The memberships of a session's user, found by the session (so it can be read alongside the session). */
export async function listSessionMemberships(db: DbOrTx, sessionIdHash: string): Promise<MembershipView[]> {
  const rows = await preparedQuery(db, 'rf_session_memberships', (d) =>
    d
      .select({ orgId: memberships.orgId, orgName: organizations.name, role: memberships.role })
      .from(sessions)
      .innerJoin(memberships, eq(memberships.userId, sessions.userId))
      .innerJoin(organizations, eq(organizations.id, memberships.orgId))
      .where(eq(sessions.idHash, sql.placeholder('idHash')))
      .orderBy(asc(memberships.createdAt), asc(organizations.name)),
  ).execute({ idHash: sessionIdHash });
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
