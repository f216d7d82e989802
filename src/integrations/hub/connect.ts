import { and, eq, ne } from 'drizzle-orm';
import type { DbOrTx } from '../../platform/db/client.ts';
import { integrationConnections } from '../../platform/db/schema.ts';
import { can, requirePermission } from '../../domain/access/roles.ts';
import { findMembership } from '../../domain/orgs/memberships.ts';
import { actorLabel } from '../../domain/orgs/fields.ts';
import type { Actor, RequestMeta } from '../../domain/context.ts';
import { AppError } from '../../shared/errors.ts';
import { newId } from '../../shared/ids.ts';
import { requireProvider, type HubDeps } from './context.ts';
import { openCredentials, sealCredentials } from './credentials.ts';
import { recordRevokeFailure, revokeFailureKind } from './revoke-before-dropping.ts';
import { expiresSoon } from './token-getter.ts';
import { externalUserFingerprint, findConnectionRow, markReconnectRequired, providerSource, auditIntegration, type ConnectionRow } from './connections.ts';
import { consumeOAuthState, createOAuthState } from './oauth-state.ts';
import { cannotHostFor, ProviderError, type Credentials, type ProviderAdapter } from './provider.ts';
import { scheduleHealthCheck } from './health-check.ts';

/** Connect: a signed state bound to this session, organization and user, and PKCE; the provider's authorize URL names any scopes. */
export async function startConnect(hub: HubDeps, actor: Actor, sessionHash: string, providerId: string): Promise<string> {
  requirePermission(actor, 'integration:manage');
  const provider = requireProvider(hub, providerId);
  const { state, codeChallenge } = await createOAuthState(hub, { orgId: actor.orgId, userId: actor.userId, sessionHash, provider: provider.id });
  return provider.authorizeUrl(state, codeChallenge);
}

/** The user finishing the callback may no longer manage integrations in the state's organization. */
export class ConnectNotAllowed extends AppError {
  constructor(displayName: string) {
    super('forbidden', `Your role no longer allows managing integrations in this organization, so ${displayName} was not connected and nothing was stored.`, {
      hint: `Ask an Owner or Admin to connect ${displayName}.`,
    });
  }
}

export type ConnectOutcome = 'connected' | 'denied' | 'missing_scope' | 'no_refresh_token' | 'failed';

export interface CallbackParams {
  state?: string | undefined;
  code?: string | undefined;
  error?: string | undefined;
}

/**
 * The OAuth callback. The state is checked before anything else; then a refusal at the provider,
 * the code exchange, the granted scopes and the provider user. Nothing is stored as connected
 * unless all of it succeeded.
 */
export async function completeConnect(
  hub: HubDeps,
  meta: RequestMeta,
  who: { userId: string; name: string; email: string; sessionHash: string },
  providerId: string,
  params: CallbackParams,
): Promise<{ outcome: ConnectOutcome; orgId: string; detail?: string }> {
  const provider = requireProvider(hub, providerId);
  const { orgId, codeVerifier } = await consumeOAuthState(hub, params.state, { userId: who.userId, sessionHash: who.sessionHash, provider: provider.id });
  // The role may have changed (or the membership ended) since Connect was clicked: check it again
  // before the code is exchanged, so a refusal leaves nothing behind here or at the provider.
  const role = await findMembership(hub.db, orgId, who.userId);
  if (!role || !can(role, 'integration:manage')) throw new ConnectNotAllowed(provider.displayName);
  const source = { userId: who.userId, label: actorLabel(who) };
  if (params.error !== undefined || !params.code) return { outcome: 'denied', orgId };
  let creds;
  let identity;
  try {
    creds = await provider.exchangeCode(params.code, codeVerifier);
    const missing = provider.missingScopes(creds.scopes);
    if (missing.length > 0) {
      await refuseIncompleteGrant(hub, meta, orgId, provider, creds.accessToken);
      return { outcome: 'missing_scope', orgId, detail: missing.join(', ') };
    }
    identity = await provider.identify(creds.accessToken);
  } catch (err) {
    if (err instanceof ProviderError) {
      hub.log.warn({ provider: provider.id, failure: err.failure.kind, trackingId: err.trackingId }, 'connect failed at the provider');
      if (err.failure.kind === 'missing_scope') return { outcome: 'missing_scope', orgId, detail: err.failure.scopes.join(', ') };
      // Stored nothing: without a refresh token the connection would die with its first access token.
      if (err.failure.kind === 'no_refresh_token') return { outcome: 'no_refresh_token', orgId };
      return { outcome: 'failed', orgId, detail: err.failure.kind };
    }
    throw err;
  }
  const now = hub.clock.now();
  const replaced = await hub.db.transaction(async (tx) => {
    const { sealed, replaced } = await storeConnection(hub, tx, orgId, provider.id, creds, {
      status: 'connected',
      reconnectReason: null,
      externalUserId: identity.userId,
      externalAccountId: identity.accountId,
      accountEmail: identity.email,
      accountName: identity.name,
      canHost: identity.canHost,
      scopes: creds.scopes,
      accessExpiresAt: creds.expiresAt,
      // New credentials: a refresh still running on the old ones must not store its result.
      refreshLeaseId: null,
      refreshLeaseUntil: null,
      connectedBy: who.userId,
      connectedAt: now,
      healthCheckedAt: now,
      healthOk: identity.canHost !== false,
      healthMessage: identity.canHost === false ? cannotHostFor(provider) : 'Ready for war rooms',
      updatedAt: now,
    });
    await auditIntegration(tx, hub.clock, meta, orgId, source, 'integration.connected', {
      provider: provider.id,
      account: identity.email,
      external_user: externalUserFingerprint(provider.id, identity.userId),
      scopes: creds.scopes.join(' '),
      credential_fingerprint: sealed.credentialFingerprint,
    });
    // The provider keeps only the newest grant of a user: other organizations connected with the same
    // user have just lost theirs, and their cards should say so before anyone needs a war room.
    // Grants that coexist (Google) leave the other organizations' connections working.
    const others = !provider.singleGrantPerUser
      ? []
      : await tx
          .select()
          .from(integrationConnections)
          .where(and(eq(integrationConnections.provider, provider.id), eq(integrationConnections.externalUserId, identity.userId), ne(integrationConnections.orgId, orgId), eq(integrationConnections.status, 'connected')));
    for (const other of others) {
      await markReconnectRequired(
        tx,
        hub.clock,
        meta,
        other,
        `The ${provider.displayName} user ${identity.email} authorized Runframe for another organization, and ${provider.displayName} keeps only the newest authorization.`,
        providerSource(provider.displayName),
      );
    }
    await scheduleHealthCheck(tx, hub.clock, orgId, provider.id, new Date(now.getTime() + hub.healthCheckIntervalMs));
    return replaced;
  });
  // The connection now holds another provider user's grant (a reconnect as someone else, or another
  // Admin's Connect that finished first): the grant it replaced would stay authorized at the
  // provider, so it is revoked. The same user's earlier grant was already ended by the provider.
  if (replaced && replaced.externalUserId !== identity.userId) await revokeReplacedGrant(hub, meta, orgId, provider, replaced, source);
  return { outcome: 'connected', orgId };
}

/** Best effort, after the new connection is stored: a failure is logged and audited, never shown as a failed connect. */
async function revokeReplacedGrant(hub: HubDeps, meta: RequestMeta, orgId: string, provider: ProviderAdapter, row: ConnectionRow, source: { userId: string; label: string }): Promise<void> {
  if (!row.sealedCredentials || row.keyVersion === null) return;
  try {
    const creds = openCredentials(hub.keyRing, row.id, row.sealedCredentials, row.keyVersion);
    // Revoke takes an access token; one that expired may be unknown to the provider, so renew it first.
    const token = expiresSoon(creds, hub.clock.now()) ? (await provider.refresh(creds.refreshToken)).accessToken : creds.accessToken;
    await provider.revoke(token);
    await auditIntegration(hub.db, hub.clock, meta, orgId, source, 'integration.previous_grant_revoked', {
      provider: provider.id,
      account: row.accountEmail,
      external_user: externalUserFingerprint(provider.id, row.externalUserId),
      credential_fingerprint: row.credentialFingerprint,
    });
  } catch (err) {
    await recordRevokeFailure(hub, meta, orgId, source, provider, row, revokeFailureKind(err), { step: 'replaced grant' });
  }
}

type ConnectionValues = Omit<typeof integrationConnections.$inferInsert, 'id' | 'orgId' | 'provider' | 'sealedCredentials' | 'keyVersion' | 'credentialFingerprint'>;

/**
 * One connection per organization and provider: reconnecting replaces the credentials. Two callbacks
 * of one organization at once may both find no row; the unique index lets one insert, the other's
 * insert waits for it and does nothing, and that one then replaces the row: the later one wins.
 */
async function storeConnection(hub: HubDeps, tx: DbOrTx, orgId: string, providerId: string, creds: Credentials, values: ConnectionValues) {
  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await findConnectionRow(tx, orgId, providerId, { forUpdate: true });
    // The blob is bound to the row it lives in, so it is sealed for the row that keeps it.
    const id = existing?.id ?? newId();
    const sealed = sealCredentials(hub.keyRing, id, creds);
    if (existing) {
      // A refused create (3161) is about that provider user: it stays for the same user, not for another.
      const sameUser = existing.externalUserId === values.externalUserId;
      const refused = sameUser && existing.hostRefusedAt !== null && values.canHost !== true;
      const host = refused ? { canHost: false, healthOk: false, healthMessage: cannotHostFor(requireProvider(hub, providerId)) } : { hostRefusedAt: null };
      await tx.update(integrationConnections).set({ ...values, ...host, ...sealed }).where(eq(integrationConnections.id, id));
      return { sealed, replaced: existing };
    }
    const inserted = await tx
      .insert(integrationConnections)
      .values({ id, orgId, provider: providerId, ...values, ...sealed })
      .onConflictDoNothing({ target: [integrationConnections.orgId, integrationConnections.provider] })
      .returning({ id: integrationConnections.id });
    if (inserted.length > 0) return { sealed, replaced: null };
  }
  throw new Error('the connection row was neither insertable nor found');
}

/**
 * A grant without the required scopes is not kept: it is revoked at the provider (so Runframe is not
 * left listed as an authorized app), and when the provider keeps only the newest grant of a user, a
 * connection this organization already had is dead now too and must say so (grants that coexist,
 * as Google's, leave it working).
 */
async function refuseIncompleteGrant(hub: HubDeps, meta: RequestMeta, orgId: string, provider: ProviderAdapter, accessToken: string): Promise<void> {
  const existing = provider.singleGrantPerUser ? await findConnectionRow(hub.db, orgId, provider.id) : null;
  if (existing && existing.status === 'connected') {
    await hub.db.transaction((tx) =>
      markReconnectRequired(tx, hub.clock, meta, existing, `${provider.displayName} did not grant the meeting scope: connect again and approve it.`, providerSource(provider.displayName)),
    );
  }
  await provider.revoke(accessToken).catch((err: unknown) => {
    hub.log.warn({ provider: provider.id, failure: err instanceof ProviderError ? err.failure.kind : 'error' }, 'could not revoke an incomplete grant');
  });
}

export const OUTCOME_MESSAGES = (name: string): Record<ConnectOutcome | 'state' | 'disconnected' | 'checked' | 'check_failed', { kind: 'ok' | 'error'; text: string; hint?: string }> => ({
  connected: { kind: 'ok', text: `${name} is connected.` },
  denied: { kind: 'error', text: `${name} authorization was declined or not completed, so ${name} is not connected.`, hint: `Click Connect again and complete the ${name} authorization flow.` },
  missing_scope: { kind: 'error', text: `${name} did not grant the meeting scope: connect again and approve it.`, hint: `Re-authorize ${name} and approve the requested meeting scope. If the box cannot be ticked, ask your ${name} admin to allow it.` },
  no_refresh_token: {
    kind: 'error',
    text: `${name} did not send a refresh token, so nothing was connected: Runframe could not keep working after the first hour.`,
    hint: `Click Connect again and approve access. If it keeps happening, remove Runframe in the ${name} account's third-party access, then connect.`,
  },
  failed: { kind: 'error', text: `${name} did not complete the authorization, so nothing was connected.`, hint: `Click Connect again. If it keeps failing, ${name} may be unavailable; try again in a few minutes.` },
  state: { kind: 'error', text: `That ${name} authorization could not be matched to a Connect click of yours (it expired, was already used, or came from another browser session). Nothing was changed.`, hint: 'Click Connect again.' },
  disconnected: { kind: 'ok', text: `${name} is disconnected. Existing incidents, timelines and war-room links are kept.` },
  checked: { kind: 'ok', text: `${name} connection checked: ready for war rooms.` },
  check_failed: { kind: 'error', text: `The ${name} connection check found a problem: see the card below.` },
});

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
