import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { HashingBusyError } from '../../platform/crypto.ts';
import { users } from '../../platform/db/schema.ts';
import { AppError } from '../../shared/errors.ts';
import { parseInput } from '../../shared/validate.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Deps, RequestMeta } from '../context.ts';
import { Email } from './fields.ts';
import { listUserMemberships } from './memberships.ts';
import { createSession } from './sessions.ts';
import { clearAttempts, countAttempt, forgiveAttempt, throttleKeys } from './sign-in-throttle.ts';

export const SignInInput = z.object({
  email: Email,
  password: z.string({ error: 'is required' }).min(1, 'is required').max(200, 'must be at most 200 characters'),
});

const waitFor = (deps: Deps, endsAt: Date) => Math.max(1, Math.ceil((endsAt.getTime() - deps.clock.now().getTime()) / 1000));

/**
 * Checks the password and opens a session. Each attempt is counted before the password is checked,
 * per (account, client address) and per address across accounts (password spraying); a wrong
 * password from one address never locks the account out for another.
 */
export async function signIn({ deps, meta, input }: { deps: Deps; meta: RequestMeta; input: unknown }) {
  const { email, password } = parseInput(SignInInput, input);
  const { maxFailures, maxFailuresPerAddress, windowMinutes } = deps.settings.signIn;
  const windowMs = windowMinutes * 60_000;
  const keys = throttleKeys(email, meta.ip);
  // The account's counter first: attempts it refuses do not also count against the address.
  const account = await countAttempt(deps.db, deps.clock, keys.account, windowMs);
  if (account.count > maxFailures) {
    const seconds = waitFor(deps, account.windowEndsAt);
    throw new AppError('rate_limited', `Too many failed sign-ins for ${email}. Wait ${Math.ceil(seconds / 60)} minutes, then try again.`, {
      hint: 'If you forgot your password, ask an Owner or Admin of your organization for help.',
      retryAfterSeconds: seconds,
    });
  }
  const address = await countAttempt(deps.db, deps.clock, keys.address, windowMs);
  if (address.count > maxFailuresPerAddress) {
    await forgiveAttempt(deps.db, keys.account);
    const seconds = waitFor(deps, address.windowEndsAt);
    throw new AppError('rate_limited', `Too many failed sign-ins from your network. Wait ${Math.ceil(seconds / 60)} minutes, then try again.`, {
      hint: 'Sign-ins from this address are paused for a while after many wrong passwords.',
      retryAfterSeconds: seconds,
    });
  }
  const [user] = await deps.db.select().from(users).where(eq(users.email, email));
  let ok: boolean;
  try {
    ok = await deps.passwords.verify(password, user?.passwordHash ?? deps.passwords.dummyHash);
  } catch (err) {
    if (!(err instanceof HashingBusyError)) throw err;
    await forgiveAttempt(deps.db, keys.account);
    await forgiveAttempt(deps.db, keys.address);
    throw new AppError('rate_limited', 'Runframe is busy checking other sign-ins. Try again in a moment.', { hint: 'Nothing was wrong with what you typed.', retryAfterSeconds: 2 });
  }
  if (!user || !ok) {
    // One audit row per account and window, in its first organization: guessing cannot flood an audit log.
    const first = (await countAttempt(deps.db, deps.clock, keys.audit, windowMs)).count === 1;
    if (first) {
      const orgs = user ? await listUserMemberships(deps.db, user.id) : [];
      await recordAudit(deps.db, deps.clock, meta, {
        orgId: orgs[0]?.orgId ?? null,
        actorUserId: null,
        actorLabel: email,
        action: 'user.sign_in_failed',
        targetType: 'user',
        targetId: user?.id ?? null,
        metadata: { window_minutes: windowMinutes },
      });
    }
    throw new AppError('unauthenticated', 'The email or password is not correct.', {
      hint: 'Check both and try again. Passwords are case-sensitive.',
    });
  }
  // Hashes made with weaker parameters than today's are replaced while the password is at hand.
  if (deps.passwords.needsRehash(user.passwordHash)) {
    await deps.db.update(users).set({ passwordHash: await deps.passwords.hash(password) }).where(eq(users.id, user.id));
  }
  const orgs = await listUserMemberships(deps.db, user.id);
  const orgId = orgs[0]?.orgId ?? null;
  const token = await createSession(deps, user.id, orgId);
  await deps.db.transaction(async (tx) => {
    await clearAttempts(tx, keys.account);
    await forgiveAttempt(tx, keys.address);
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
