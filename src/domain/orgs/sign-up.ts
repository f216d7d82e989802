import { z } from 'zod';
import { users } from '../../platform/db/schema.ts';
import { AppError, validationError, type FieldProblem } from '../../shared/errors.ts';
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

const RawSignUp = z.object({ inviteToken: z.unknown().optional(), organizationName: z.unknown().optional() }).catch({});

/**
 * Every field is checked in one round: the organization name (required unless joining through an
 * invite) is reported together with the others, not only once they pass.
 */
export function parseSignUp(input: unknown): z.output<typeof SignUpInput> {
  const problems: FieldProblem[] = [];
  let data: z.output<typeof SignUpInput> | undefined;
  try {
    data = parseInput(SignUpInput, input);
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'validation') throw err;
    problems.push(...err.fields);
  }
  const raw = RawSignUp.parse(input);
  const invited = typeof raw['inviteToken'] === 'string' && raw['inviteToken'].trim() !== '';
  if (!invited && !problems.some((p) => p.field === 'organizationName')) {
    const org = OrgName.safeParse(typeof raw['organizationName'] === 'string' ? raw['organizationName'] : '');
    if (!org.success) problems.push({ field: 'organizationName', reason: org.error.issues[0]?.message ?? 'is required' });
  }
  if (problems.length > 0 || data === undefined) throw validationError(problems);
  return data;
}

/**
 * Creates an account and either a new organization (as Owner) or a membership through an invite.
 * An email that already has an account gets `created: false` and nothing changes; callers answer
 * both alike, so sign-up never tells whether an email is registered (the account's owner can sign in).
 */
export async function signUp({ deps, meta, input }: { deps: Deps; meta: RequestMeta; input: unknown }): Promise<SignUpResult> {
  const data = parseSignUp(input);
  const inviteToken = data.inviteToken?.trim() || undefined;
  const orgName = inviteToken === undefined ? OrgName.parse(data.organizationName ?? '') : undefined;
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
