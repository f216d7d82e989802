import { createHash } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { Ctx } from './context.ts';
import { createGrant, isActive, issueTokens, revokeGrant } from './grants.ts';
import type { SandboxApp } from './types.ts';
import { oauthError } from './zoom-errors.ts';

const Form = z.record(z.string(), z.union([z.string(), z.instanceof(File)]));

async function readForm(c: Context): Promise<Record<string, string>> {
  const type = c.req.header('content-type') ?? '';
  if (!type.includes('application/x-www-form-urlencoded') && !type.includes('multipart/form-data')) return {};
  const parsed = Form.safeParse(await c.req.parseBody().catch(() => ({})));
  if (!parsed.success) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed.data)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Grant type of a token request, for the call log and fault matching (the body is cached by Hono). */
export async function grantTypeOf(c: Context): Promise<string | undefined> {
  return (await readForm(c)).grant_type;
}

function basicClient(c: Context, ctx: Ctx): SandboxApp | null {
  const m = /^Basic\s+(.+)$/i.exec(c.req.header('authorization') ?? '');
  if (!m?.[1]) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const sep = decoded.indexOf(':');
  if (sep < 0) return null;
  const app = ctx.store.state.apps[decoded.slice(0, sep)];
  return app && app.clientSecret === decoded.slice(sep + 1) ? app : null;
}

function pkceMatches(method: 'S256' | 'plain', challenge: string, verifier: string): boolean {
  if (method === 'plain') return verifier === challenge;
  return createHash('sha256').update(verifier).digest('base64url') === challenge;
}

const INVALID_CLIENT = 'Invalid client_id or client_secret';
const INVALID_TOKEN = 'Invalid Token!';

export function mountToken(app: Hono, ctx: Ctx): void {
  app.post('/oauth/token', async (c) => {
    const client = basicClient(c, ctx);
    if (!client) return oauthError(c, INVALID_CLIENT, 'invalid_client');
    const form = await readForm(c);
    const { state } = ctx.store;
    const nowMs = ctx.now().getTime();

    if (form.grant_type === 'authorization_code') {
      const code = form.code ?? '';
      const rec = state.codes.find((x) => x.code === code && x.clientId === client.clientId);
      if (!rec || rec.used) return oauthError(c, `Invalid authorization code ${code}`, 'invalid_request');
      if (rec.expiresAt <= nowMs) return oauthError(c, 'Code is expired', 'invalid_request');
      if (form.redirect_uri !== rec.redirectUri) return oauthError(c, 'Redirect URI mismatch.', 'invalid_request');
      if (rec.codeChallenge && rec.codeChallengeMethod) {
        const verifier = form.code_verifier;
        if (!verifier || !pkceMatches(rec.codeChallengeMethod, rec.codeChallenge, verifier)) {
          return oauthError(c, 'Invalid code_verifier', 'invalid_grant');
        }
      }
      rec.used = true;
      const grant = createGrant(ctx, client.clientId, rec.userId, rec.scopes);
      const body = issueTokens(ctx, grant);
      ctx.store.save();
      return c.json(body);
    }

    if (form.grant_type === 'refresh_token') {
      const rec = state.refreshTokens.find((t) => t.token === form.refresh_token);
      const grant = rec && state.grants.find((g) => g.id === rec.grantId);
      if (!rec || !grant || rec.used || rec.expiresAt <= nowMs || !isActive(grant) || grant.clientId !== client.clientId) {
        return oauthError(c, INVALID_TOKEN, 'invalid_grant');
      }
      // Rotation: the presented refresh token is spent, only the new one works next time (§1.6).
      state.refreshTokens = state.refreshTokens.filter((t) => t !== rec);
      if (state.settings.invalidateAccessTokenOnRefresh) {
        state.accessTokens = state.accessTokens.filter((t) => t.grantId !== grant.id);
      }
      const body = issueTokens(ctx, grant);
      ctx.store.save();
      return c.json(body);
    }

    return oauthError(c, 'unsupported grant type', 'unsupported_grant_type');
  });

  app.post('/oauth/revoke', async (c) => {
    const client = basicClient(c, ctx);
    if (!client) return oauthError(c, INVALID_CLIENT, 'invalid_client');
    const token = (await readForm(c)).token ?? '';
    const { state } = ctx.store;
    const grantId = state.accessTokens.find((t) => t.token === token)?.grantId ?? state.refreshTokens.find((t) => t.token === token)?.grantId;
    const grant = state.grants.find((g) => g.id === grantId && g.clientId === client.clientId);
    if (!grant || !isActive(grant)) return oauthError(c, INVALID_TOKEN, 'invalid_request');
    revokeGrant(ctx, grant, 'revoked by the app via /oauth/revoke', true);
    ctx.store.save();
    return c.json({ status: 'success' });
  });

  // Legacy Data Compliance API (§5.6): accepted, never required.
  app.post('/oauth/data/compliance', (c) => {
    if (!basicClient(c, ctx)) return oauthError(c, INVALID_CLIENT, 'invalid_client');
    return c.json({ status: 'success' });
  });
}
