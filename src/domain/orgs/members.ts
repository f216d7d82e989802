import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../../platform/db/client.ts';
import { users } from '../../platform/db/schema.ts';
import { notFound } from '../../shared/errors.ts';
import { isUuid } from '../../shared/ids.ts';
import { Role } from '../access/roles.ts';

const MemberRoles = z.object({ user_id: z.string(), role: Role }).array();

/** Locks the organization's memberships so "is this the last Owner?" cannot race with another change. */
export async function lockMember(tx: DbOrTx, orgId: string, userId: string) {
  if (!isUuid(userId)) throw notFound('That member');
  const rows = await tx.execute(sql`select user_id, role from memberships where org_id = ${orgId} for update`);
  const list = MemberRoles.parse((rows as unknown as { rows: unknown[] }).rows);
  const target = list.find((m) => m.user_id === userId);
  if (!target) throw notFound('That member');
  const owners = list.filter((m) => m.role === 'owner').length;
  const [user] = await tx.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, userId));
  return { role: target.role, owners, user: user ?? { name: 'unknown', email: '' } };
}
