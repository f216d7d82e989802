import { and, count, eq, gt } from 'drizzle-orm';
import { z } from 'zod';
import { DUMMY_PASSWORD_HASH, verifyPassword } from '../../platform/crypto.ts';
import { toNumber } from '../../platform/db/client.ts';
import { signInFailures, users } from '../../platform/db/schema.ts';
import { AppError } from '../../shared/errors.ts';
import { parseInput } from '../../shared/validate.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Deps, RequestMeta } from '../context.ts';
import { Email } from './fields.ts';
import { listUserMemberships } from './memberships.ts';
import { createSession } from './sessions.ts';

export const SignInInput = z.object({
  email: Email,
  password: z.string({ error: 'is required' }).min(1, 'is required').max(200, 'must be at most 200 characters'),
});

/** Checks the password and opens a session; failed attempts are counted per email and address. */
export async function signIn({ deps, meta, input }: { deps: Deps; meta: RequestMeta; input: unknown }) {
  const { email, password } = parseInput(SignInInput, input);
  const now = deps.clock.now();
  const windowMs = deps.settings.signIn.windowMinutes * 60_000;
  const since = new Date(now.getTime() - windowMs);
  const [failures] = await deps.db
    .select({ n: count() })
    .from(signInFailures)
    .where(and(eq(signInFailures.email, email), eq(signInFailures.ip, meta.ip), gt(signInFailures.at, since)));
  if (toNumber(failures?.n) >= deps.settings.signIn.maxFailures) {
    const minutes = deps.settings.signIn.windowMinutes;
    throw new AppError('rate_limited', `Too many failed sign-ins for ${email}. Wait ${minutes} minutes, then try again.`, {
      hint: 'If you forgot your password, ask an Owner or Admin of your organization for help.',
      retryAfterSeconds: minutes * 60,
    });
  }
  const [user] = await deps.db.select().from(users).where(eq(users.email, email));
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
  const orgs = user ? await listUserMemberships(deps.db, user.id) : [];
  if (!user || !ok) {
    await deps.db.transaction(async (tx) => {
      await tx.insert(signInFailures).values({ email, ip: meta.ip, at: now });
      // Each organization of a known account sees attempts on it; an unknown email has no organization.
      for (const m of orgs.length > 0 ? orgs : [null]) {
        await recordAudit(tx, deps.clock, meta, {
          orgId: m?.orgId ?? null,
          actorUserId: null,
          actorLabel: email,
          action: 'user.sign_in_failed',
          targetType: 'user',
          targetId: user?.id ?? null,
        });
      }
    });
    throw new AppError('unauthenticated', 'The email or password is not correct.', {
      hint: 'Check both and try again. Passwords are case-sensitive.',
    });
  }
  const orgId = orgs[0]?.orgId ?? null;
  const token = await createSession(deps, user.id, orgId);
  await deps.db.transaction(async (tx) => {
    await tx.delete(signInFailures).where(and(eq(signInFailures.email, email), eq(signInFailures.ip, meta.ip)));
    await recordAudit(tx, deps.clock, meta, {
      orgId,
      actorUserId: user.id,
      actorLabel: `${user.name} (${user.email})`,
      action: 'user.signed_in',
      targetType: 'user',
      targetId: user.id,
    });
  });
  return { token, userId: user.id, orgId };
}
