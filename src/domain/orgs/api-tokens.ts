import { and, eq, isNull } from 'drizzle-orm';
import { sha256Hex } from '../../platform/crypto.ts';
import { apiTokens, memberships, users } from '../../platform/db/schema.ts';
import { Role } from '../access/roles.ts';
import type { Actor, Deps } from '../context.ts';

export const PREFIX = 'rf_';

/** Resolves a bearer token to the member it acts for; revoked tokens and removed members get nothing. */
export async function authenticateApiToken(deps: Deps, token: string): Promise<Actor | null> {
  if (!token.startsWith(PREFIX)) return null;
  const [row] = await deps.db
    .select({ id: apiTokens.id, orgId: apiTokens.orgId, userId: users.id, name: users.name, email: users.email, role: memberships.role })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .innerJoin(memberships, and(eq(memberships.userId, apiTokens.userId), eq(memberships.orgId, apiTokens.orgId)))
    .where(and(eq(apiTokens.tokenHash, sha256Hex(token)), isNull(apiTokens.revokedAt)));
  if (!row) return null;
  await deps.db.update(apiTokens).set({ lastUsedAt: deps.clock.now() }).where(eq(apiTokens.id, row.id));
  return { userId: row.userId, name: row.name, email: row.email, orgId: row.orgId, role: Role.parse(row.role), via: 'api_token' };
}
