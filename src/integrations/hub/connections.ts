import { createHash } from 'node:crypto';
import { and, desc, eq, gt, sql } from 'drizzle-orm';
import { preparedQuery } from '../../platform/db/prepared.ts';
import type { DbOrTx } from '../../platform/db/client.ts';
import { integrationConnections, oauthStates, users } from '../../platform/db/schema.ts';
import { recordAudit } from '../../domain/audit/record-audit.ts';
import type { RequestMeta } from '../../domain/context.ts';
import type { Clock } from '../../shared/clock.ts';
import { StringListOrEmpty } from '../../shared/validate.ts';
import { forgetCredentials } from './credentials.ts';

export type ConnectionRow = typeof integrationConnections.$inferSelect;

/** Everything the Integrations Hub card shows; never the credentials. */
export interface ConnectionView {
  provider: string;
  status: 'connected' | 'reconnect_required';
  reconnectReason: string | null;
  account: { email: string; name: string; userId: string };
  canHost: boolean | null;
  scopes: string[];
  connectedBy: string | null;
  connectedAt: string;
  health: { checkedAt: string; ok: boolean; message: string } | null;
  /**
   * Reconnect required only because the credentials' encryption key is missing: the sealed blob is
   * kept, so restoring the key and testing the connection brings it back.
   */
  credentialsKept: boolean;
}

export async function findConnectionRow(db: DbOrTx, orgId: string, provider: string, opts: { forUpdate?: boolean } = {}): Promise<ConnectionRow | null> {
  const where = and(eq(integrationConnections.orgId, orgId), eq(integrationConnections.provider, provider));
  if (opts.forUpdate) return (await db.select().from(integrationConnections).where(where).for('update'))[0] ?? null;
  // Read before every provider call (the token getter): prepared.
  const [row] = await preparedQuery(db, 'rf_connection', (d) =>
    d
      .select()
      .from(integrationConnections)
      .where(and(eq(integrationConnections.orgId, sql.placeholder('orgId')), eq(integrationConnections.provider, sql.placeholder('provider')))),
  ).execute({ orgId, provider });
  return row ?? null;
}

/** Every connection row of the organization (one per provider), credentials included: Create War Room's read. */
export async function findConnectionRows(db: DbOrTx, orgId: string): Promise<ConnectionRow[]> {
  return preparedQuery(db, 'rf_org_connections', (d) => d.select().from(integrationConnections).where(eq(integrationConnections.orgId, sql.placeholder('orgId')))).execute({ orgId });
}

export async function findConnectionView(db: DbOrTx, orgId: string, provider: string): Promise<ConnectionView | null> {
  return (await listConnectionViews(db, orgId)).find((v) => v.provider === provider) ?? null;
}

/** Every connection of the organization (one per provider; the incident page needs them all at once). */
export async function listConnectionViews(db: DbOrTx, orgId: string): Promise<ConnectionView[]> {
  const rows = await preparedQuery(db, 'rf_connection_views', (d) =>
    d
      .select({ c: integrationConnections, by: users.name })
      .from(integrationConnections)
      .leftJoin(users, eq(users.id, integrationConnections.connectedBy))
      .where(eq(integrationConnections.orgId, sql.placeholder('orgId'))),
  ).execute({ orgId });
  return rows.map(toConnectionView);
}

function toConnectionView(row: { c: ConnectionRow; by: string | null }): ConnectionView {
  const c = row.c;
  return {
    provider: c.provider,
    status: c.status === 'connected' ? 'connected' : 'reconnect_required',
    reconnectReason: c.reconnectReason,
    account: { email: c.accountEmail, name: c.accountName, userId: c.externalUserId },
    canHost: c.canHost,
    scopes: StringListOrEmpty.parse(c.scopes),
    connectedBy: row.by,
    connectedAt: c.connectedAt.toISOString(),
    health: c.healthCheckedAt ? { checkedAt: c.healthCheckedAt.toISOString(), ok: c.healthOk === true, message: c.healthMessage ?? '' } : null,
    credentialsKept: c.status !== 'connected' && c.sealedCredentials !== null,
  };
}

/** A Connect click whose authorization never came back (tab closed, Back pressed at the provider). */
export interface AbandonedConnect {
  startedBy: string | null;
  startedAt: string;
}

/**
 * The newest Connect of this organization after `since` (the current connection, if any), when its
 * state was never used: the callback never came. A later used state (connected, declined, refused)
 * means the flow was settled, so nothing is reported.
 */
export async function findAbandonedConnect(db: DbOrTx, orgId: string, provider: string, since: Date | null): Promise<AbandonedConnect | null> {
  const [row] = await db
    .select({ usedAt: oauthStates.usedAt, createdAt: oauthStates.createdAt, by: users.name })
    .from(oauthStates)
    .leftJoin(users, eq(users.id, oauthStates.userId))
    .where(and(eq(oauthStates.orgId, orgId), eq(oauthStates.provider, provider), since ? gt(oauthStates.createdAt, since) : undefined))
    .orderBy(desc(oauthStates.createdAt))
    .limit(1);
  if (!row || row.usedAt !== null) return null;
  return { startedBy: row.by, startedAt: row.createdAt.toISOString() };
}

export interface AuditSource {
  userId: string | null;
  label: string;
}

/** Audit rows of the hub name the provider and a credential fingerprint, never a credential. */
export async function auditIntegration(
  tx: DbOrTx,
  clock: Clock,
  meta: RequestMeta,
  orgId: string,
  source: AuditSource,
  action: `integration.${string}`,
  metadata: Record<string, string | number | boolean | null>,
): Promise<void> {
  await recordAudit(tx, clock, meta, {
    orgId,
    actorUserId: source.userId,
    actorLabel: source.label,
    action,
    targetType: 'integration',
    targetId: String(metadata['provider'] ?? ''),
    metadata,
  });
}

/**
 * Flips a connection to Reconnect required and forgets its credentials: a dead token must never be
 * used again, and a live one Runframe gives up on is revoked first (`revokeBeforeDropping`). The
 * fingerprint condition keeps a stale failure from undoing a reconnect that happened meanwhile.
 */
export async function markReconnectRequired(
  tx: DbOrTx,
  clock: Clock,
  meta: RequestMeta,
  row: Pick<ConnectionRow, 'id' | 'orgId' | 'provider' | 'credentialFingerprint'>,
  reason: string,
  source: AuditSource,
  action: 'integration.reconnect_required' | 'integration.deauthorized' = 'integration.reconnect_required',
): Promise<boolean> {
  const cond = row.credentialFingerprint
    ? and(eq(integrationConnections.id, row.id), eq(integrationConnections.credentialFingerprint, row.credentialFingerprint))
    : eq(integrationConnections.id, row.id);
  const changed = await tx
    .update(integrationConnections)
    .set({
      status: 'reconnect_required',
      reconnectReason: reason,
      sealedCredentials: null,
      keyVersion: null,
      accessExpiresAt: null,
      refreshLeaseId: null,
      refreshLeaseUntil: null,
      // The last check no longer describes this connection.
      healthCheckedAt: clock.now(),
      healthOk: false,
      healthMessage: reason,
      updatedAt: clock.now(),
    })
    .where(cond)
    .returning({ id: integrationConnections.id });
  if (changed.length === 0) return false;
  // Its credentials are dropped: this process keeps no decrypted copy either.
  forgetCredentials(row.id);
  await auditIntegration(tx, clock, meta, row.orgId, source, action, {
    provider: row.provider,
    reason,
    credential_fingerprint: row.credentialFingerprint ?? null,
  });
  return true;
}

/**
 * Reconnect required because the stored credentials cannot be opened (their key version is not
 * configured). Unlike `markReconnectRequired` the sealed blob stays, so restoring the key can bring
 * the connection back; conditional on the blob, so a reconnect meanwhile is not undone.
 */
export async function markCredentialsUnreadable(
  tx: DbOrTx,
  clock: Clock,
  meta: RequestMeta,
  row: Pick<ConnectionRow, 'id' | 'orgId' | 'provider' | 'credentialFingerprint'> & { sealedCredentials: string },
  reason: string,
): Promise<boolean> {
  const now = clock.now();
  const changed = await tx
    .update(integrationConnections)
    .set({ status: 'reconnect_required', reconnectReason: reason, refreshLeaseId: null, refreshLeaseUntil: null, healthCheckedAt: now, healthOk: false, healthMessage: reason, updatedAt: now })
    .where(and(eq(integrationConnections.id, row.id), eq(integrationConnections.status, 'connected'), eq(integrationConnections.sealedCredentials, row.sealedCredentials)))
    .returning({ id: integrationConnections.id });
  if (changed.length === 0) return false;
  await auditIntegration(tx, clock, meta, row.orgId, RUNFRAME_SOURCE, 'integration.reconnect_required', {
    provider: row.provider,
    reason,
    credential_fingerprint: row.credentialFingerprint ?? null,
  });
  return true;
}

export const providerSource = (displayName: string): AuditSource => ({ userId: null, label: displayName });

/**
 * Stands for a provider user in audit metadata, so the rows that name the account can be found and
 * cleared if the provider asks for the user's data to be deleted, even after a disconnect.
 */
export const externalUserFingerprint = (provider: string, externalUserId: string): string =>
  createHash('sha256').update(`${provider}:${externalUserId}`).digest('hex').slice(0, 24);
export const RUNFRAME_SOURCE: AuditSource = { userId: null, label: 'Runframe' };
