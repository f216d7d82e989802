import type { RequestMeta } from '../../domain/context.ts';
import type { HubDeps } from './context.ts';
import { auditIntegration, findConnectionRow, type AuditSource, type ConnectionRow } from './connections.ts';
import { CredentialsUnreadable, openCredentials } from './credentials.ts';
import { ProviderError, type ProviderAdapter } from './provider.ts';

/**
 * Runframe is about to forget credentials that still work (the grant lacks a scope, the user
 * cannot host): revoke them at the provider first, best effort, so Runframe is not left listed as
 * an authorized app holding a grant nobody can use. A failed revoke is logged and audited, never
 * thrown. Returns the row as it is now, for the caller's conditional `markReconnectRequired`.
 * Not for grants the provider already ended (invalid_grant, deauthorized, superseded): revoking
 * there achieves nothing, and at Zoom revoking uninstalls the app for the user.
 */
export async function revokeBeforeDropping(hub: HubDeps, meta: RequestMeta, provider: ProviderAdapter, orgId: string, source: AuditSource): Promise<ConnectionRow | null> {
  const row = await findConnectionRow(hub.db, orgId, provider.id);
  if (!row || row.status !== 'connected' || !row.sealedCredentials || row.keyVersion === null) return row;
  try {
    const creds = openCredentials(hub.keyRing, row.id, row.sealedCredentials, row.keyVersion);
    await provider.revoke(creds.accessToken);
  } catch (err) {
    await recordRevokeFailure(hub, meta, orgId, source, provider, row, revokeFailureKind(err), {});
  }
  return row;
}

/** What went wrong with a revoke, in words fit for logs and audit metadata (never a token). */
export const revokeFailureKind = (err: unknown): string =>
  err instanceof ProviderError ? err.failure.kind : err instanceof CredentialsUnreadable ? 'encryption_key_missing' : 'error';

/** A grant Runframe meant to end at the provider was not ended: logged and audited, never thrown. */
export async function recordRevokeFailure(
  hub: HubDeps,
  meta: RequestMeta,
  orgId: string,
  source: AuditSource,
  provider: ProviderAdapter,
  row: Pick<ConnectionRow, 'credentialFingerprint'>,
  failure: string,
  extra: Record<string, string>,
): Promise<void> {
  hub.log.warn({ provider: provider.id, failure, step: extra['step'] ?? null }, 'the grant was not revoked at the provider');
  await auditIntegration(hub.db, hub.clock, meta, orgId, source, 'integration.revoke_failed', {
    provider: provider.id,
    failure,
    ...extra,
    credential_fingerprint: row.credentialFingerprint,
  }).catch((e: unknown) => hub.log.warn({ err: e, provider: provider.id }, 'could not audit a failed revoke'));
}
