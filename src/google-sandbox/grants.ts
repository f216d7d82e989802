import type { Ctx } from './context.ts';
import { idToken } from './id-token.ts';
import { accessToken, refreshToken, shortId } from './ids.ts';
import { grantedForm, isIdentityScope } from './scopes.ts';
import type { Account, AuthCode, Grant, RefreshToken, StoredApp } from './state.ts';

export interface TokenResponse {
  access_token: string;
  expires_in: number;
  refresh_token?: string;
  refresh_token_expires_in?: number;
  scope: string;
  token_type: 'Bearer';
  id_token?: string;
}

export const isActive = (g: Grant): boolean => g.revokedAt === null;

export function activeGrant(ctx: Ctx, clientId: string, sub: string): Grant | undefined {
  return ctx.store.state.grants.find((g) => isActive(g) && g.clientId === clientId && g.sub === sub);
}

export function activeGrantsOf(ctx: Ctx, sub: string, clientId?: string): Grant[] {
  return ctx.store.state.grants.filter((g) => isActive(g) && g.sub === sub && (clientId === undefined || g.clientId === clientId));
}

/** Ends the whole grant: every access and refresh token of it stops working. The caller saves. */
export function revokeGrant(ctx: Ctx, grant: Grant, reason: string): void {
  if (!isActive(grant)) return;
  grant.revokedAt = ctx.now().toISOString();
  grant.revokedReason = reason;
  const { state } = ctx.store;
  state.accessTokens = state.accessTokens.filter((t) => t.grantId !== grant.id);
  for (const r of state.refreshTokens) {
    if (r.grantId === grant.id && !r.revoked) {
      r.revoked = true;
      r.revokedReason = reason;
    }
  }
}

function scopeString(ctx: Ctx, scopes: string[]): string {
  const long = ctx.store.state.settings.longFormIdentityScopes;
  return [...new Set(scopes.map((s) => grantedForm(s, long)))].join(' ');
}

function newAccessToken(ctx: Ctx, grant: Grant, scopes: string[]): { token: string; expiresIn: number } {
  const { settings } = ctx.store.state;
  const token = accessToken();
  const nowMs = ctx.now().getTime();
  // Old access tokens of the grant are dropped once expired, so the state file stays small.
  ctx.store.state.accessTokens = ctx.store.state.accessTokens.filter((t) => t.expiresAt > nowMs - 60 * 60_000);
  ctx.store.state.accessTokens.push({ token, grantId: grant.id, scopes, expiresAt: nowMs + settings.accessTokenLifetimeMs });
  // Google reports one second under the hour class (3599 widely reported, reference §1.7).
  return { token, expiresIn: Math.round(settings.accessTokenLifetimeMs / 1000) - 1 };
}

function withIdToken(ctx: Ctx, app: StoredApp, account: Account, scopes: string[], nonce: string | null): { id_token?: string } {
  if (!scopes.includes('openid')) return {};
  return { id_token: idToken({ account, clientId: app.clientId, clientSecret: app.clientSecret, scopes, nonce, now: ctx.now() }) };
}

/** The Testing-status expiry, unless only identity scopes were granted (exemption UNCONFIRMED, a setting). */
function testingExpiry(ctx: Ctx, app: StoredApp, scopes: string[], nowMs: number): number | null {
  const { settings } = ctx.store.state;
  if (app.publishingStatus !== 'testing') return null;
  if (settings.testingExemptsIdentityOnly && scopes.every(isIdentityScope)) return null;
  return nowMs + settings.testingRefreshTokenLifetimeMs;
}

/** Code exchange: the grant grows by the consented scopes; a refresh token only when consent allowed one. */
export function exchangeCode(ctx: Ctx, app: StoredApp, account: Account, code: AuthCode): TokenResponse {
  const now = ctx.now();
  const nowMs = now.getTime();
  const { state } = ctx.store;
  let grant = activeGrant(ctx, app.clientId, account.sub);
  if (!grant) {
    grant = { id: shortId(), clientId: app.clientId, sub: account.sub, scopes: [], createdAt: now.toISOString(), revokedAt: null, revokedReason: null };
    state.grants.push(grant);
  }
  grant.scopes = [...new Set([...grant.scopes, ...code.scopes])];
  const scopes = code.includeGrantedScopes ? grant.scopes : code.scopes;
  const access = newAccessToken(ctx, grant, scopes);
  const body: TokenResponse = { access_token: access.token, expires_in: access.expiresIn, scope: scopeString(ctx, scopes), token_type: 'Bearer' };
  if (code.issueRefreshToken) {
    const limits = [testingExpiry(ctx, app, scopes, nowMs), code.timeLimitMs === null ? null : nowMs + code.timeLimitMs].filter((v): v is number => v !== null);
    const expiresAt = limits.length > 0 ? Math.min(...limits) : null;
    const rt: RefreshToken = { token: refreshToken(), grantId: grant.id, scopes, issuedAt: nowMs, lastUsedAt: nowMs, expiresAt, revoked: false, revokedReason: null };
    state.refreshTokens.push(rt);
    enforceTokenLimit(ctx, grant);
    body.refresh_token = rt.token;
    // Only for time-based access (field name UNCONFIRMED, reference §1.7).
    if (code.timeLimitMs !== null) body.refresh_token_expires_in = Math.round(code.timeLimitMs / 1000);
  }
  return { ...body, ...withIdToken(ctx, app, account, scopes, code.nonce) };
}

/** Past the per-grant limit the oldest live refresh tokens die silently (reference §1.8). */
function enforceTokenLimit(ctx: Ctx, grant: Grant): void {
  const live = ctx.store.state.refreshTokens.filter((r) => r.grantId === grant.id && !r.revoked).sort((a, b) => a.issuedAt - b.issuedAt);
  const excess = live.length - ctx.store.state.settings.maxRefreshTokensPerGrant;
  for (const r of live.slice(0, Math.max(0, excess))) {
    r.revoked = true;
    r.revokedReason = 'too many live refresh tokens for this user and client';
  }
}

/** Why a refresh token no longer works, or null when it does. */
export function deadReason(ctx: Ctx, rt: RefreshToken): string | null {
  const nowMs = ctx.now().getTime();
  const grant = ctx.store.state.grants.find((g) => g.id === rt.grantId);
  if (rt.revoked) return rt.revokedReason ?? 'revoked';
  if (!grant || !isActive(grant)) return grant?.revokedReason ?? 'revoked';
  if (rt.expiresAt !== null && rt.expiresAt <= nowMs) return 'expired';
  if (nowMs - rt.lastUsedAt > ctx.store.state.settings.refreshTokenIdleMs) return 'unused for too long';
  return null;
}

/** Refresh: a new access token, no new refresh token (Google does not rotate, reference §1.6). */
export function refreshAccess(ctx: Ctx, app: StoredApp, rt: RefreshToken): TokenResponse {
  const { state } = ctx.store;
  const grant = state.grants.find((g) => g.id === rt.grantId);
  const account = grant && state.accounts.find((a) => a.sub === grant.sub);
  if (!grant || !account) throw new Error('refresh token without a grant');
  rt.lastUsedAt = ctx.now().getTime();
  const access = newAccessToken(ctx, grant, rt.scopes);
  const body: TokenResponse = { access_token: access.token, expires_in: access.expiresIn, scope: scopeString(ctx, rt.scopes), token_type: 'Bearer' };
  return state.settings.idTokenOnRefresh ? { ...body, ...withIdToken(ctx, app, account, rt.scopes, null) } : body;
}

export type BearerResult = { kind: 'ok'; grant: Grant; account: Account; app: StoredApp; scopes: string[] } | { kind: 'expired' } | { kind: 'invalid' };

export function resolveBearer(ctx: Ctx, token: string): BearerResult {
  const { state } = ctx.store;
  const record = state.accessTokens.find((t) => t.token === token);
  const grant = record && state.grants.find((g) => g.id === record.grantId);
  const account = grant && state.accounts.find((a) => a.sub === grant.sub);
  const app = grant && state.apps[grant.clientId];
  if (!record || !grant || !account || !app || !isActive(grant)) return { kind: 'invalid' };
  if (record.expiresAt <= ctx.now().getTime()) return { kind: 'expired' };
  return { kind: 'ok', grant, account, app, scopes: record.scopes };
}
