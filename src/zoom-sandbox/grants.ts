import type { Ctx } from './context.ts';
import { opaqueToken, shortId } from './ids.ts';
import type { Grant, SandboxUser } from './state.ts';
import type { SandboxApp } from './types.ts';
import { hmacHex } from './webhook-signature.ts';

export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  refresh_token: string;
  expires_in: number;
  scope: string;
  api_url: string;
}

export function isActive(grant: Grant): boolean {
  return grant.revokedAt === null;
}

export function activeGrantsOf(ctx: Ctx, userId: string, clientId?: string): Grant[] {
  return ctx.store.state.grants.filter((g) => isActive(g) && g.userId === userId && (clientId === undefined || g.clientId === clientId));
}

export function createGrant(ctx: Ctx, clientId: string, userId: string, scopes: string[]): Grant {
  const now = ctx.now();
  // "With multiple authorizations, the last token issued is considered valid" (OAuth error 4741, §1.6).
  for (const g of activeGrantsOf(ctx, userId, clientId)) revokeGrant(ctx, g, 'superseded by a newer authorization', false);
  const grant: Grant = { id: shortId(), clientId, userId, scopes, createdAt: now.toISOString(), revokedAt: null, revokedReason: null };
  ctx.store.state.grants.push(grant);
  return grant;
}

/** Adds a new token pair to the grant; the caller saves the store. */
export function issueTokens(ctx: Ctx, grant: Grant): TokenResponse {
  const now = ctx.now().getTime();
  const { settings } = ctx.store.state;
  const access = opaqueToken('sbx_at');
  const refresh = opaqueToken('sbx_rt');
  ctx.store.state.accessTokens.push({ token: access, grantId: grant.id, expiresAt: now + settings.accessTokenLifetimeMs, revoked: false });
  ctx.store.state.refreshTokens.push({ token: refresh, grantId: grant.id, expiresAt: now + settings.refreshTokenLifetimeMs, used: false });
  return {
    access_token: access,
    token_type: 'bearer',
    refresh_token: refresh,
    // Zoom reports one second less than the real lifetime of one hour (§1.5).
    expires_in: Math.round(settings.accessTokenLifetimeMs / 1000) - 1,
    scope: grant.scopes.join(' '),
    api_url: ctx.publicUrl,
  };
}

/**
 * `deleteData`: the user asked the app to delete what it keeps about them, sent as
 * `user_data_retention: "false"` (older docs, §5.5); otherwise the field is left out, as current types do.
 */
export function revokeGrant(ctx: Ctx, grant: Grant, reason: string, notify: boolean, opts: { deleteData?: boolean } = {}): void {
  if (!isActive(grant)) return;
  const now = ctx.now();
  grant.revokedAt = now.toISOString();
  grant.revokedReason = reason;
  const app = ctx.store.state.apps[grant.clientId];
  const user = ctx.store.state.users.find((u) => u.id === grant.userId);
  if (notify && app && user) sendDeauthorized(ctx, app, user, now, opts.deleteData === true);
}

function sendDeauthorized(ctx: Ctx, app: SandboxApp, user: SandboxUser, at: Date, deleteData: boolean): void {
  const deauthorizationTime = at.toISOString();
  ctx.webhooks.send(app, 'app_deauthorized', {
    account_id: user.accountId,
    user_id: user.id,
    signature: hmacHex(app.clientSecret, `${user.accountId}:${user.id}:${deauthorizationTime}`),
    deauthorization_time: deauthorizationTime,
    client_id: app.clientId,
    ...(deleteData ? { user_data_retention: 'false' } : {}),
  });
}

export type BearerResult =
  | { kind: 'ok'; grant: Grant; user: SandboxUser; app: SandboxApp }
  | { kind: 'expired' }
  | { kind: 'invalid' };

export function resolveBearer(ctx: Ctx, token: string): BearerResult {
  const { state } = ctx.store;
  const record = state.accessTokens.find((t) => t.token === token);
  const grant = record && state.grants.find((g) => g.id === record.grantId);
  const user = grant && state.users.find((u) => u.id === grant.userId);
  const app = grant && state.apps[grant.clientId];
  if (!record || !grant || !user || !app || record.revoked || !isActive(grant)) return { kind: 'invalid' };
  if (record.expiresAt <= ctx.now().getTime()) return { kind: 'expired' };
  return { kind: 'ok', grant, user, app };
}
