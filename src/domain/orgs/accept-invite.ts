import type { Deps, RequestMeta } from '../context.ts';
import { consumeInvite } from './invites.ts';

export async function acceptInvite({ deps, meta, user, token }: { deps: Deps; meta: RequestMeta; user: { id: string; name: string; email: string }; token: string }) {
  return deps.db.transaction((tx) => consumeInvite(tx, deps, meta, user, token));
}
