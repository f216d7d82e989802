import { createHash } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { Ctx } from './context.ts';
import { deadReason, exchangeCode, refreshAccess, revokeGrant } from './grants.ts';
import { oauthError } from './google-errors.ts';
import type { StoredApp } from './state.ts';

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

type ClientCheck = { ok: true; app: StoredApp } | { ok: false; res: Response };

/** Client secret as form fields (what Google's libraries send) or HTTP Basic (reference §1.4). */
function authenticateClient(c: Context, ctx: Ctx, form: Record<string, string>): ClientCheck {
  let id = form.client_id;
  let secret = form.client_secret;
  const basic = /^Basic\s+(.+)$/i.exec(c.req.header('authorization') ?? '');
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const sep = decoded.indexOf(':');
    if (sep >= 0) {
      id = decodeURIComponent(decoded.slice(0, sep));
      secret = decodeURIComponent(decoded.slice(sep + 1));
    }
  }
  const status = ctx.store.state.settings.invalidClientStatus;
  const app = id ? ctx.store.state.apps[id] : undefined;
  if (!app) return { ok: false, res: oauthError(c, 'invalid_client', 'The OAuth client was not found.', status) };
  if (secret !== app.clientSecret) return { ok: false, res: oauthError(c, 'invalid_client', 'Unauthorized', status) };
  return { ok: true, app };
}

function pkceMatches(method: 'S256' | 'plain', challenge: string, verifier: string): boolean {
  if (method === 'plain') return verifier === challenge;
  return createHash('sha256').update(verifier).digest('base64url') === challenge;
}

const DEAD_TOKEN = 'Token has been expired or revoked.';

export function mountToken(app: Hono, ctx: Ctx): void {
  app.post('/token', async (c) => {
    // Token answers must never be cached (as Google's are marked).
    c.header('Cache-Control', 'no-cache, no-store, max-age=0, must-revalidate');
    c.header('Pragma', 'no-cache');
    const form = await readForm(c);
    const client = authenticateClient(c, ctx, form);
    if (!client.ok) return client.res;
    const { state } = ctx.store;
    const nowMs = ctx.now().getTime();

    if (form.grant_type === 'authorization_code') {
      if (!form.code) return oauthError(c, 'invalid_request', 'Missing required parameter: code');
      const rec = state.codes.find((x) => x.code === form.code && x.clientId === client.app.clientId);
      if (!rec) return oauthError(c, 'invalid_grant', /^4\/[A-Za-z0-9_-]+$/.test(form.code) ? 'Bad Request' : 'Malformed auth code.');
      if (rec.used) return oauthError(c, 'invalid_grant', state.settings.reusedCodeDescription);
      // Expired code, different redirect_uri and PKCE mismatch all read "Bad Request" (reference §1.9).
      if (rec.expiresAt <= nowMs || form.redirect_uri !== rec.redirectUri) return oauthError(c, 'invalid_grant', 'Bad Request');
      if (rec.codeChallenge && rec.codeChallengeMethod) {
        if (!form.code_verifier || !pkceMatches(rec.codeChallengeMethod, rec.codeChallenge, form.code_verifier)) return oauthError(c, 'invalid_grant', 'Bad Request');
      }
      const account = state.accounts.find((a) => a.sub === rec.sub);
      if (!account) return oauthError(c, 'invalid_grant', 'Bad Request');
      rec.used = true;
      const body = exchangeCode(ctx, client.app, account, rec);
      ctx.store.save();
      return c.json(body);
    }

    if (form.grant_type === 'refresh_token') {
      if (!form.refresh_token) return oauthError(c, 'invalid_request', 'Missing required parameter: refresh_token');
      const rt = state.refreshTokens.find((t) => t.token === form.refresh_token);
      const grant = rt && state.grants.find((g) => g.id === rt.grantId);
      // Revoked, expired (Testing, time-limited), idle or evicted all surface as the same invalid_grant (§1.8).
      if (!rt || !grant || grant.clientId !== client.app.clientId || deadReason(ctx, rt) !== null) return oauthError(c, 'invalid_grant', DEAD_TOKEN);
      const body = refreshAccess(ctx, client.app, rt);
      ctx.store.save();
      return c.json(body);
    }

    if (!form.grant_type) return oauthError(c, 'invalid_request', 'Missing required parameter: grant_type');
    return oauthError(c, 'unsupported_grant_type', `Invalid grant_type: ${form.grant_type}`);
  });

  // POST only (a GET is 404, reference §1.11); the token may come in the form body or the query string.
  app.post('/revoke', async (c) => {
    const token = (await readForm(c)).token ?? c.req.query('token') ?? '';
    const { state } = ctx.store;
    const grantId = state.accessTokens.find((t) => t.token === token)?.grantId ?? state.refreshTokens.find((t) => t.token === token && !t.revoked)?.grantId;
    const grant = state.grants.find((g) => g.id === grantId && g.revokedAt === null);
    if (!grant) return oauthError(c, 'invalid_token', 'Token expired or revoked');
    // Either token revokes the whole grant (reference §1.11).
    revokeGrant(ctx, grant, 'revoked by the app via /revoke');
    ctx.store.save();
    return c.json({});
  });
}
