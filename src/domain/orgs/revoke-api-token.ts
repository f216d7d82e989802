import { and, eq, isNull } from 'drizzle-orm';
import { apiTokens } from '../../platform/db/schema.ts';
import { notFound } from '../../shared/errors.ts';
import { isUuid } from '../../shared/ids.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Ctx } from '../context.ts';
import { actorLabel } from './fields.ts';

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
