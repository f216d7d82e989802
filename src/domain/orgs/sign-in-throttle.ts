import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../platform/db/client.ts';
import { signInThrottle } from '../../platform/db/schema.ts';
import type { Clock } from '../../shared/clock.ts';

/** Counter keys: per account and client address, per address across accounts, and the audit rate limit. */
export const throttleKeys = (email: string, ip: string) => ({
  account: `account:${email}|${ip}`,
  address: `address:${ip}`,
  audit: `audit:${email}`,
});

/**
 * Counts one attempt on `key` and returns the count in the current window (a fixed window starting
 * at the first attempt). One upsert: concurrent attempts each see a distinct count, so no more
 * than the limit ever get past the check.
 */
export async function countAttempt(db: DbOrTx, clock: Clock, key: string, windowMs: number): Promise<{ count: number; windowEndsAt: Date }> {
  const now = clock.now();
  const since = new Date(now.getTime() - windowMs).toISOString();
  const expired = sql`${signInThrottle.windowStartedAt} <= ${since}`;
  const [row] = await db
    .insert(signInThrottle)
    .values({ key, windowStartedAt: now, count: 1 })
    .onConflictDoUpdate({
      target: signInThrottle.key,
      set: {
        count: sql`case when ${expired} then 1 else ${signInThrottle.count} + 1 end`,
        windowStartedAt: sql`case when ${expired} then ${now.toISOString()}::timestamptz else ${signInThrottle.windowStartedAt} end`,
      },
    })
    .returning({ count: signInThrottle.count, startedAt: signInThrottle.windowStartedAt });
  return { count: row?.count ?? 1, windowEndsAt: new Date((row?.startedAt ?? now).getTime() + windowMs) };
}

/** A successful sign-in takes back its own attempt: only failures count against an address. */
export async function forgiveAttempt(db: DbOrTx, key: string): Promise<void> {
  await db.update(signInThrottle).set({ count: sql`greatest(${signInThrottle.count} - 1, 0)` }).where(eq(signInThrottle.key, key));
}

export async function clearAttempts(db: DbOrTx, key: string): Promise<void> {
  await db.delete(signInThrottle).where(eq(signInThrottle.key, key));
}
