import { z } from 'zod';
import { randomToken, sha256Hex } from '../../platform/crypto.ts';
import { invites } from '../../platform/db/schema.ts';
import { forbidden } from '../../shared/errors.ts';
import { newId } from '../../shared/ids.ts';
import { parseInput } from '../../shared/validate.ts';
import { ROLE_LABEL, Role, requirePermission } from '../access/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Ctx } from '../context.ts';
import { actorLabel } from './fields.ts';
import { inviteUrl } from './invites.ts';

const INVITE_DAYS = 7;
export const CreateInviteInput = z.object({ role: Role });

/** The link is shown once to the inviter (no mail server needed); only its hash is stored. */
export async function createInvite({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx.actor, 'member:manage');
  const { role } = parseInput(CreateInviteInput, input);
  if (role === 'owner' && ctx.actor.role !== 'owner') throw forbidden('Only an Owner can invite another Owner.', 'Pick Admin, or ask an Owner.');
  const token = randomToken();
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + INVITE_DAYS * 86_400_000);
  const id = newId();
  await ctx.db.transaction(async (tx) => {
    await tx.insert(invites).values({ id, orgId: ctx.actor.orgId, tokenHash: sha256Hex(token), role, createdBy: ctx.actor.userId, createdAt: now, expiresAt });
    await recordAudit(tx, ctx.clock, ctx.meta, {
      orgId: ctx.actor.orgId,
      actorUserId: ctx.actor.userId,
      actorLabel: actorLabel(ctx.actor),
      action: 'invite.created',
      targetType: 'invite',
      targetId: id,
      metadata: { role: ROLE_LABEL[role] },
    });
  });
  return { id, role, url: inviteUrl(ctx.settings.publicUrl, token), expiresAt: expiresAt.toISOString() };
}
