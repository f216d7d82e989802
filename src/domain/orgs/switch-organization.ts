import { eq } from 'drizzle-orm';
import { sessions } from '../../platform/db/schema.ts';
import { notFound } from '../../shared/errors.ts';
import { isUuid } from '../../shared/ids.ts';
import type { Deps } from '../context.ts';
import { findMembership } from './memberships.ts';
import type { SessionView } from './sessions.ts';

export async function switchOrganization(deps: Deps, view: SessionView, orgId: string): Promise<void> {
  if (!isUuid(orgId) || (await findMembership(deps.db, orgId, view.user.id)) === null) throw notFound('That organization');
  await deps.db.update(sessions).set({ activeOrgId: orgId }).where(eq(sessions.idHash, view.idHash));
}
