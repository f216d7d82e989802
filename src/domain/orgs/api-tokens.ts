import { and, desc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { randomToken, sha256Hex } from '../../platform/crypto.ts';
import { apiTokens, memberships, users } from '../../platform/db/schema.ts';
import { notFound } from '../../shared/errors.ts';
import { isUuid, newId } from '../../shared/ids.ts';
import { parseInput } from '../../shared/validate.ts';
import { Role } from '../access/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Actor, Ctx, Deps } from '../context.ts';
import { actorLabel } from './fields.ts';

export const CreateApiTokenInput = z.object({
  name: z.string({ error: 'is required' }).trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
});

const PREFIX = 'rf_';

/** The token is returned once; only its hash and a short prefix (to recognise it) are stored. */
export async function createApiToken({ ctx, input }: { ctx: Ctx; input: unknown }) {
  const { name } = parseInput(CreateApiTokenInput, input);
  const token = PREFIX + randomToken(30);
  const id = newId();
  const tokenPrefix = token.slice(0, 10);
  await ctx.db.transaction(async (tx) => {
    await tx.insert(apiTokens).values({ id, orgId: ctx.actor.orgId, userId: ctx.actor.userId, name, tokenHash: sha256Hex(token), tokenPrefix, createdAt: ctx.clock.now() });
    await recordAudit(tx, ctx.clock, ctx.meta, {
      orgId: ctx.actor.orgId,
      actorUserId: ctx.actor.userId,
      actorLabel: actorLabel(ctx.actor),
      action: 'api_token.created',
      targetType: 'api_token',
      targetId: id,
      metadata: { token_name: name, token_prefix: tokenPrefix },
    });
  });
  return { id, name, token, prefix: tokenPrefix };
}

export async function listApiTokens(ctx: Ctx) {
  const rows = await ctx.db
    .select({ id: apiTokens.id, name: apiTokens.name, prefix: apiTokens.tokenPrefix, createdAt: apiTokens.createdAt, lastUsedAt: apiTokens.lastUsedAt })
    .from(apiTokens)
    .where(and(eq(apiTokens.orgId, ctx.actor.orgId), eq(apiTokens.userId, ctx.actor.userId), isNull(apiTokens.revokedAt)))
    .orderBy(desc(apiTokens.createdAt));
  return rows;
}

export async function revokeApiToken({ ctx, tokenId }: { ctx: Ctx; tokenId: string }) {
  if (!isUuid(tokenId)) throw notFound('That API token');
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .update(apiTokens)
      .set({ revokedAt: ctx.clock.now() })
      .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.orgId, ctx.actor.orgId), eq(apiTokens.userId, ctx.actor.userId), isNull(apiTokens.revokedAt)))
      .returning({ name: apiTokens.name, prefix: apiTokens.tokenPrefix });
    if (!row) throw notFound('That API token');
    await recordAudit(tx, ctx.clock, ctx.meta, {
      orgId: ctx.actor.orgId,
      actorUserId: ctx.actor.userId,
      actorLabel: actorLabel(ctx.actor),
      action: 'api_token.revoked',
      targetType: 'api_token',
      targetId: tokenId,
      metadata: { token_name: row.name, token_prefix: row.prefix },
    });
  });
}

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
