import type { DbOrTx } from '../../platform/db/client.ts';
import { validationError } from '../../shared/errors.ts';
import { ROLE_LABEL, can, requirePermission, rolesWith } from '../access/roles.ts';
import type { Ctx } from '../context.ts';
import { listMembers, type MemberView } from '../orgs/list-members.ts';
import { findMembership } from '../orgs/memberships.ts';

const EDITORS = rolesWith('incident:edit')
  .map((r) => ROLE_LABEL[r])
  .join(', ')
  .replace(/, ([^,]*)$/, ' or $1');

/** Who may lead an incident: members whose role can edit incidents (a Viewer could not act on it). */
export async function listLeadCandidates(ctx: Ctx): Promise<MemberView[]> {
  return (await listMembers(ctx)).filter((m) => can(m.role, 'incident:edit'));
}

/** The same rule for a lead being set: a member of the organization who can edit incidents. */
export async function requireLeadCandidate(db: DbOrTx, orgId: string, userId: string): Promise<void> {
  const role = await findMembership(db, orgId, userId);
  if (role === null) throw validationError([{ field: 'leadUserId', reason: 'is not a member of this organization' }]);
  if (!can(role, 'incident:edit')) {
    throw validationError([{ field: 'leadUserId', reason: `is a ${ROLE_LABEL[role]}, who cannot edit incidents: pick an ${EDITORS}` }]);
  }
}
