import { z } from 'zod';
import { randomToken, sha256Hex } from '../../platform/crypto.ts';
import { apiTokens } from '../../platform/db/schema.ts';
import { newId } from '../../shared/ids.ts';
import { parseInput } from '../../shared/validate.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Ctx } from '../context.ts';
import { PREFIX } from './api-tokens.ts';
import { actorLabel } from './fields.ts';

export const CreateApiTokenInput = z.object({
  name: z.string({ error: 'is required' }).trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
});

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
