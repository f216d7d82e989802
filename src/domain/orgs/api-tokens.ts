import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { preparedQuery } from '../../platform/db/prepared.ts';
import { sha256Hex } from '../../platform/crypto.ts';
import { apiTokens, memberships, users } from '../../platform/db/schema.ts';
import { Role } from '../access/roles.ts';
import type { Actor, Deps } from '../context.ts';

export const PREFIX = 'rf_';
/** How fresh `last used` is kept: Settings › API tokens shows it to the minute. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** Resolves a bearer token to the member it acts for; revoked tokens and removed members get nothing. */
export async function authenticateApiToken(deps: Deps, token: string): Promise<Actor | null> {
  if (!token.startsWith(PREFIX)) return null;
  const [row] = await preparedQuery(deps.db, 'rf_api_token', (db) =>
    db
      .select({ id: apiTokens.id, lastUsedAt: apiTokens.lastUsedAt, orgId: apiTokens.orgId, userId: users.id, name: users.name, email: users.email, role: memberships.role })
      .from(apiTokens)
      .innerJoin(users, eq(users.id, apiTokens.userId))
      .innerJoin(memberships, and(eq(memberships.userId, apiTokens.userId), eq(memberships.orgId, apiTokens.orgId)))
      .where(and(eq(apiTokens.tokenHash, sql.placeholder('hash')), isNull(apiTokens.revokedAt))),
  ).execute({ hash: sha256Hex(token) });
  if (!row) return null;
  // At most one write a minute per token: a write on every call made every API read wait on a row
  // lock (and, on PGlite, serialized all reads). The condition keeps racing processes to one write too.
  const now = deps.clock.now();
  const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  if (row.lastUsedAt === null || row.lastUsedAt < stale) {
    await deps.db
      .update(apiTokens)
      .set({ lastUsedAt: now })
      .where(and(eq(apiTokens.id, row.id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, stale))));
  }
  return { userId: row.userId, name: row.name, email: row.email, orgId: row.orgId, role: Role.parse(row.role), via: 'api_token' };
}
