import type { Context, Hono } from 'hono';
import type { Ctx } from './context.ts';
import { resolveBearer } from './grants.ts';
import { oauthError } from './google-errors.ts';
import { hasScope } from './scopes.ts';

/** OpenID userinfo (reference §1.10, shape UNCONFIRMED): claims follow the granted identity scopes. */
function userinfo(ctx: Ctx) {
  return (c: Context): Response => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
    const r = m?.[1] ? resolveBearer(ctx, m[1]) : { kind: 'invalid' as const };
    if (r.kind !== 'ok') {
      c.header('WWW-Authenticate', 'Bearer realm="https://accounts.google.com/", error="invalid_token"');
      return oauthError(c, 'invalid_request', 'Invalid Credentials', 401);
    }
    const scopes = r.scopes;
    if (!hasScope(scopes, 'openid') && !hasScope(scopes, 'email') && !hasScope(scopes, 'profile')) {
      return oauthError(c, 'insufficient_scope', 'Insufficient Permission', 403);
    }
    const a = r.account;
    return c.json({
      sub: a.sub,
      ...(hasScope(scopes, 'profile') ? { name: a.name, given_name: a.givenName, family_name: a.familyName } : {}),
      ...(hasScope(scopes, 'email') ? { email: a.email, email_verified: true } : {}),
      ...(a.hd ? { hd: a.hd } : {}),
    });
  };
}

export function mountUserinfo(app: Hono, ctx: Ctx): void {
  app.get('/v1/userinfo', userinfo(ctx));
  app.get('/oauth2/v3/userinfo', userinfo(ctx));
}
