import type { Deps } from '../context.ts';
import { authenticateApiToken, authenticateApiTokenForWarRoom, authenticateApiTokenWithIncident, PREFIX } from './api-tokens.ts';
import { resolveSession, resolveSessionWithPageStamp } from './sessions.ts';

/** PostgreSQL plans a named statement afresh on each of its first five runs on a connection, then settles on one plan. */
const RUNS = 6;

/**
 * Each request's first statement (who is calling, and what the API and the incident page read with
 * it), run with a token and a session that do not exist: nothing is found and nothing is written.
 * Run on each kept connection at start (`database.warm`), so the first burst of a SEV neither plans
 * these joins five times per connection nor loads their tables' catalogs (docs/decisions/0006).
 */
export async function warmHotReads(deps: Deps): Promise<void> {
  const token = `${PREFIX}warm-up-no-such-token`;
  const id = '00000000-0000-4000-8000-000000000000';
  for (let i = 0; i < RUNS; i++) {
    await authenticateApiTokenForWarRoom(deps, token, id);
    await authenticateApiTokenForWarRoom(deps, token, '1');
    await authenticateApiTokenWithIncident(deps, token, id);
    await authenticateApiTokenWithIncident(deps, token, '1');
    await authenticateApiToken(deps, token);
    await resolveSession(deps, 'warm-up-no-such-session');
    await resolveSessionWithPageStamp(deps, 'warm-up-no-such-session', 1);
  }
}
