import { sql } from 'drizzle-orm';
import { migrationsApplied } from '../platform/db/client.ts';
import type { Deps } from './context.ts';

/** A load balancer gives up on a probe after a few seconds: answer "not ready" before it does. */
export const READINESS_TIMEOUT_MS = 2_000;

/** Ready means the database answers (within READINESS_TIMEOUT_MS) and every committed migration is applied. */
export async function checkReadiness(deps: Pick<Deps, 'db'>, timeoutMs = READINESS_TIMEOUT_MS): Promise<{ ready: true } | { ready: false; reason: string }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
  const check = (async () => {
    try {
      await deps.db.execute(sql`select 1`);
    } catch {
      return { ready: false as const, reason: 'database unreachable' };
    }
    return (await migrationsApplied(deps.db)) ? { ready: true as const } : { ready: false as const, reason: 'migrations are not applied' };
  })();
  try {
    const r = await Promise.race([check, late]);
    return r === 'late' ? { ready: false, reason: `database did not answer within ${timeoutMs / 1000} s` } : r;
  } finally {
    clearTimeout(timer);
  }
}
