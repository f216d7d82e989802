import type { DbOrTx } from '../../platform/db/client.ts';
import { auditLog } from '../../platform/db/schema.ts';
import { newId } from '../../shared/ids.ts';
import type { Clock } from '../../shared/clock.ts';
import type { RequestMeta } from '../context.ts';

export interface AuditInput {
  orgId: string | null;
  actorUserId: string | null;
  actorLabel: string;
  action: `${string}.${string}`;
  targetType: string;
  targetId?: string | null;
  metadata?: Record<string, string | number | boolean | null | string[]>;
}

// Keys that could carry a credential or a meeting host link (start_url) never reach audit metadata.
const SECRETISH = /token|secret|password|code|cookie|authorization|start_url/i;

/**
 * Writes one audit row inside the caller's transaction. Metadata never holds a secret: keys that
 * look like one are refused loudly in development rather than silently stored.
 */
export async function recordAudit(tx: DbOrTx, clock: Clock, meta: RequestMeta, input: AuditInput): Promise<void> {
  await tx.insert(auditLog).values(auditRow(clock, meta, input));
}

export interface AuditRow {
  id: string;
  orgId: string | null;
  actorUserId: string | null;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  ip: string;
  userAgent: string;
  metadata: NonNullable<AuditInput['metadata']>;
  createdAt: Date;
}

/** The audit row recordAudit writes, for a statement that writes it along with other changes. */
export function auditRow(clock: Clock, meta: RequestMeta, input: AuditInput): AuditRow {
  const metadata = input.metadata ?? {};
  for (const key of Object.keys(metadata)) {
    if (SECRETISH.test(key) && !key.endsWith('_fingerprint') && !key.endsWith('_prefix') && !key.endsWith('_name')) {
      throw new Error(`audit metadata key "${key}" looks like a secret`);
    }
  }
  return {
    id: newId(),
    orgId: input.orgId,
    actorUserId: input.actorUserId,
    actorLabel: input.actorLabel,
    action: input.action,
    targetType: input.targetType,
    targetId: input.targetId ?? null,
    ip: meta.ip,
    userAgent: meta.userAgent.slice(0, 500),
    metadata,
    createdAt: clock.now(),
  };
}
