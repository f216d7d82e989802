import { and, eq, gt, isNull } from 'drizzle-orm';
import { sha256Hex } from '../../platform/crypto.ts';
import type { DbOrTx } from '../../platform/db/client.ts';
import { invites, memberships, organizations } from '../../platform/db/schema.ts';
import { AppError, conflict } from '../../shared/errors.ts';
import { ROLE_LABEL, Role } from '../access/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Deps, RequestMeta } from '../context.ts';
import { actorLabel } from './fields.ts';
import { findMembership } from './memberships.ts';

export const inviteUrl = (publicUrl: string, token: string): string => `${publicUrl}/invites/${token}`;

/** For the invite landing page: which organization and role the link is for, if it is still usable. */
export async function describeInvite(deps: Deps, token: string) {
  const [row] = await deps.db
    .select({ orgName: organizations.name, role: invites.role, expiresAt: invites.expiresAt, acceptedAt: invites.acceptedAt, revokedAt: invites.revokedAt })
    .from(invites)
    .innerJoin(organizations, eq(organizations.id, invites.orgId))
    .where(eq(invites.tokenHash, sha256Hex(token)));
  if (!row || row.acceptedAt !== null || row.revokedAt !== null || row.expiresAt <= deps.clock.now()) return null;
  return { orgName: row.orgName, role: Role.parse(row.role) };
}

export const invalidInvite = (): AppError =>
  new AppError('not_found', 'This invite link is not valid any more: it was used, revoked or has expired.', {
    hint: 'Ask the person who invited you for a new link.',
  });

/** Uses an invite once, inside the caller's transaction. */
export async function consumeInvite(tx: DbOrTx, deps: Pick<Deps, 'clock'>, meta: RequestMeta, user: { id: string; name: string; email: string }, token: string) {
  const now = deps.clock.now();
  // The conditional update wins the race between two people opening the same link: one gets it.
  const [invite] = await tx
    .update(invites)
    .set({ acceptedAt: now, acceptedBy: user.id })
    .where(and(eq(invites.tokenHash, sha256Hex(token)), isNull(invites.acceptedAt), isNull(invites.revokedAt), gt(invites.expiresAt, now)))
    .returning({ id: invites.id, orgId: invites.orgId, role: invites.role });
  if (!invite) throw invalidInvite();
  if ((await findMembership(tx, invite.orgId, user.id)) !== null) throw conflict('You are already a member of this organization.');
  const role = Role.parse(invite.role);
  await tx.insert(memberships).values({ orgId: invite.orgId, userId: user.id, role, createdAt: now });
  await recordAudit(tx, deps.clock, meta, {
    orgId: invite.orgId,
    actorUserId: user.id,
    actorLabel: actorLabel(user),
    action: 'invite.accepted',
    targetType: 'invite',
    targetId: invite.id,
    metadata: { role: ROLE_LABEL[role] },
  });
  return { orgId: invite.orgId, role };
}
