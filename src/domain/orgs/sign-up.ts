import { z } from 'zod';
import { users } from '../../platform/db/schema.ts';
import { validationError } from '../../shared/errors.ts';
import { newId } from '../../shared/ids.ts';
import { parseInput } from '../../shared/validate.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Deps, RequestMeta } from '../context.ts';
import { insertOrganization } from './create-organization.ts';
import { Email, OrgName, Password, PersonName, actorLabel } from './fields.ts';
import { consumeInvite, describeInvite, invalidInvite } from './invites.ts';

export const SignUpInput = z.object({
  name: PersonName,
  email: Email,
  password: Password,
  organizationName: z.string().trim().max(100, 'must be at most 100 characters').optional(),
  inviteToken: z.string().max(200).optional(),
});

export type SignUpResult = { created: true; userId: string; orgId: string } | { created: false };

/**
 * Creates an account and either a new organization (as Owner) or a membership through an invite.
 * An email that already has an account gets `created: false` and nothing changes; callers answer
 * both alike, so sign-up never tells whether an email is registered (the account's owner can sign in).
 */
export async function signUp({ deps, meta, input }: { deps: Deps; meta: RequestMeta; input: unknown }): Promise<SignUpResult> {
  const data = parseInput(SignUpInput, input);
  const inviteToken = data.inviteToken?.trim() || undefined;
  let orgName: string | undefined;
  if (inviteToken === undefined) {
    const parsed = OrgName.safeParse(data.organizationName ?? '');
    if (!parsed.success) throw validationError([{ field: 'organizationName', reason: parsed.error.issues[0]?.message ?? 'is required' }]);
    orgName = parsed.data;
  }
  // Hashed first whatever happens next, so both outcomes take the same time.
  const passwordHash = await deps.passwords.hash(data.password);
  return deps.db.transaction(async (tx): Promise<SignUpResult> => {
    const user = { id: newId(), name: data.name, email: data.email };
    // The unique index on email settles two sign-ups racing for the same address.
    const [inserted] = await tx.insert(users).values({ ...user, passwordHash, createdAt: deps.clock.now() }).onConflictDoNothing().returning({ id: users.id });
    if (!inserted) {
      // A spent invite link says so for any email alike.
      if (inviteToken !== undefined && (await describeInvite(deps, inviteToken)) === null) throw invalidInvite();
      return { created: false };
    }
    let orgId: string;
    if (inviteToken !== undefined) {
      orgId = (await consumeInvite(tx, deps, meta, user, inviteToken)).orgId;
    } else {
      orgId = await insertOrganization(tx, deps, meta, user, orgName ?? '');
    }
    await recordAudit(tx, deps.clock, meta, {
      orgId,
      actorUserId: user.id,
      actorLabel: actorLabel(user),
      action: 'user.signed_up',
      targetType: 'user',
      targetId: user.id,
    });
    return { created: true, userId: user.id, orgId };
  });
}
