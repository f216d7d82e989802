import { sql } from 'drizzle-orm';
import { migrationsApplied } from '../platform/db/client.ts';
import type { Deps } from './context.ts';

/** Ready means the database answers and every committed migration is applied. */
export async function checkReadiness(deps: Pick<Deps, 'db'>): Promise<{ ready: true } | { ready: false; reason: string }> {
  try {
    await deps.db.execute(sql`select 1`);
  } catch {
    return { ready: false, reason: 'database unreachable' };
  }
  return (await migrationsApplied(deps.db)) ? { ready: true } : { ready: false, reason: 'migrations are not applied' };
}
