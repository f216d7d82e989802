import { and, desc, eq, isNull } from 'drizzle-orm';
import { apiTokens } from '../../platform/db/schema.ts';
import type { Ctx } from '../context.ts';

export async function listApiTokens(ctx: Ctx) {
  const rows = await ctx.db
    .select({ id: apiTokens.id, name: apiTokens.name, prefix: apiTokens.tokenPrefix, createdAt: apiTokens.createdAt, lastUsedAt: apiTokens.lastUsedAt })
    .from(apiTokens)
    .where(and(eq(apiTokens.orgId, ctx.actor.orgId), eq(apiTokens.userId, ctx.actor.userId), isNull(apiTokens.revokedAt)))
    .orderBy(desc(apiTokens.createdAt));
  return rows;
}
