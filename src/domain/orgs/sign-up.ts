import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { hashPassword } from '../../platform/crypto.ts';
import { users } from '../../platform/db/schema.ts';
import { AppError, conflict, validationError, type FieldProblem } from '../../shared/errors.ts';
import { newId } from '../../shared/ids.ts';
import { parseInput } from '../../shared/validate.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Deps, RequestMeta } from '../context.ts';
import { insertOrganization } from './create-organization.ts';
import { Email, OrgName, Password, PersonName, actorLabel } from './fields.ts';
import { consumeInvite } from './invites.ts';

export const SignUpInput = z.object({
  name: PersonName,
  email: Email,
  password: Password,
  organizationName: z.string().trim().max(100, 'must be at most 100 characters').optional(),
  inviteToken: z.string().max(200).optional(),
});

const RawSignUp = z.object({ inviteToken: z.unknown().optional(), organizationName: z.unknown().optional() }).catch({});

/**
 * Every field is checked in one round: the organization name (required unless joining through an
 * invite) is reported together with the others, not only once they pass.
 */
function parseSignUp(input: unknown): z.output<typeof SignUpInput> {
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

/** Creates an account and either a new organization (as Owner) or a membership through an invite. */
export async function signUp({ deps, meta, input }: { deps: Deps; meta: RequestMeta; input: unknown }) {
  const data = parseSignUp(input);
  const inviteToken = data.inviteToken?.trim() || undefined;
  const orgName = inviteToken === undefined ? OrgName.parse(data.organizationName ?? '') : undefined;
  const passwordHash = await hashPassword(data.password);
  return deps.db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.email, data.email));
    if (existing) throw conflict(`An account with the email ${data.email} already exists.`, 'Sign in instead, or use another email.');
    const user = { id: newId(), name: data.name, email: data.email };
    // The unique index on email settles two sign-ups racing for the same address.
    await tx.insert(users).values({ ...user, passwordHash, createdAt: deps.clock.now() });
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
    return { userId: user.id, orgId };
  });
}
