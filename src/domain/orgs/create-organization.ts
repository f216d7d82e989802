import { z } from 'zod';
import { memberships, organizations } from '../../platform/db/schema.ts';
import type { DbOrTx } from '../../platform/db/client.ts';
import { newId } from '../../shared/ids.ts';
import { parseInput } from '../../shared/validate.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Deps, RequestMeta } from '../context.ts';
import { actorLabel, OrgName } from './fields.ts';
import { requireUser } from './memberships.ts';

export const CreateOrganizationInput = z.object({ organizationName: OrgName });

/** Inserts an organization with its first Owner; the caller owns the transaction. */
export async function insertOrganization(
  tx: DbOrTx,
  deps: Pick<Deps, 'clock'>,
  meta: RequestMeta,
  owner: { id: string; name: string; email: string },
  name: string,
): Promise<string> {
  const orgId = newId();
  const now = deps.clock.now();
  await tx.insert(organizations).values({ id: orgId, name, createdAt: now });
  await tx.insert(memberships).values({ orgId, userId: owner.id, role: 'owner', createdAt: now });
  await recordAudit(tx, deps.clock, meta, {
    orgId,
    actorUserId: owner.id,
    actorLabel: actorLabel(owner),
    action: 'organization.created',
    targetType: 'organization',
    targetId: orgId,
    metadata: { name },
  });
  return orgId;
}

/** Any signed-in user may start another organization, becoming its Owner. */
export async function createOrganization({ deps, meta, userId, input }: { deps: Deps; meta: RequestMeta; userId: string; input: unknown }) {
  const { organizationName } = parseInput(CreateOrganizationInput, input);
  return deps.db.transaction(async (tx) => {
    const user = await requireUser(tx, userId);
    return { orgId: await insertOrganization(tx, deps, meta, user, organizationName) };
  });
}
