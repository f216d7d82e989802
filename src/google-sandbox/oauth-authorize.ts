import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { Ctx } from './context.ts';
import { readFormFields } from './forms.ts';
import { activeGrant } from './grants.ts';
import { authCode } from './ids.ts';
import { TIME_LIMITS, consentPage } from './pages/consent-page.ts';
import { errorPage } from './pages/layout.ts';
import { grantedForm, isIdentityScope } from './scopes.ts';
import { WORKSPACE_SUB, type StoredApp } from './state.ts';

const AuthorizeQuery = z.object({
  client_id: z.string().optional(),
  redirect_uri: z.string().optional(),
  response_type: z.string().optional(),
  scope: z.string().optional(),
  state: z.string().optional(),
  access_type: z.string().optional(),
  prompt: z.string().optional(),
  include_granted_scopes: z.string().optional(),
  login_hint: z.string().optional(),
  hd: z.string().optional(),
  nonce: z.string().optional(),
  code_challenge: z.string().optional(),
  code_challenge_method: z.string().optional(),
});
type AuthorizeQuery = z.infer<typeof AuthorizeQuery>;

const Decision = AuthorizeQuery.extend({
  decision: z.enum(['allow', 'cancel']),
  account: z.string(),
  scope_requested: z.string().optional(),
  scope: z.union([z.string(), z.array(z.string())]).optional(),
  time_limit: z.string().optional(),
});

interface Checked {
  app: StoredApp;
  redirectUri: string;
  scopes: string[];
  method: 'S256' | 'plain' | null;
}

/** Errors Google shows on its own page: the person never returns to the app (reference §1.3). */
function check(c: Context, ctx: Ctx, q: AuthorizeQuery, scopeParam: string | undefined): { ok: true; v: Checked } | { ok: false; res: Response | Promise<Response> } {
  const fail = (status: 400 | 401, code: string, msg: string) => ({ ok: false as const, res: c.html(errorPage(`Error ${status}: ${code}`, msg), status) });
  const app = q.client_id ? ctx.store.state.apps[q.client_id] : undefined;
  if (!app) return fail(401, 'invalid_client', 'The OAuth client was not found.');
  // Exact match only: scheme, host, port, path and trailing slash all count (reference §1.2).
  if (!q.redirect_uri || !app.redirectUris.includes(q.redirect_uri)) {
    return fail(400, 'redirect_uri_mismatch', `You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy. If you're the app developer, register the redirect URI in the Google Cloud Console. Request details: redirect_uri=${q.redirect_uri ?? ''}`);
  }
  if (q.response_type !== 'code') return fail(400, 'invalid_request', `Invalid response_type: ${q.response_type ?? '(missing)'}. This app supports only "code".`);
  const scopes = (scopeParam ?? '').split(/[\s+]+/).filter(Boolean);
  if (scopes.length === 0) return fail(400, 'invalid_request', 'Missing required parameter: scope');
  let method: 'S256' | 'plain' | null = null;
  if (q.code_challenge) {
    // Without a method Google assumes plain (reference §1.2).
    const m = q.code_challenge_method ?? 'plain';
    if (m !== 'S256' && m !== 'plain') return fail(400, 'invalid_request', `Invalid code_challenge_method: ${m}`);
    method = m;
  } else if (q.code_challenge_method) {
    return fail(400, 'invalid_request', 'Missing required parameter: code_challenge');
  }
  if (q.access_type !== undefined && q.access_type !== 'online' && q.access_type !== 'offline') return fail(400, 'invalid_request', `Invalid access_type: ${q.access_type}`);
  return { ok: true, v: { app, redirectUri: q.redirect_uri, scopes, method } };
}

function withParams(uri: string, params: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

const PASSED_ON = ['client_id', 'redirect_uri', 'response_type', 'state', 'access_type', 'prompt', 'include_granted_scopes', 'hd', 'nonce', 'code_challenge', 'code_challenge_method'] as const;

export function mountAuthorize(app: Hono, ctx: Ctx): void {
  app.get('/o/oauth2/v2/auth', (c) => {
    const q = AuthorizeQuery.safeParse(c.req.query());
    if (!q.success) return c.html(errorPage('Error 400: invalid_request', 'The authorization request is malformed.'), 400);
    const checked = check(c, ctx, q.data, q.data.scope);
    if (!checked.ok) return checked.res;
    const { app: oauthApp, scopes } = checked.v;
    const accounts = ctx.store.state.accounts;
    const hinted = accounts.find((a) => a.email.toLowerCase() === q.data.login_hint?.toLowerCase() || a.sub === q.data.login_hint);
    const selected = hinted?.sub ?? WORKSPACE_SUB;
    const hidden: Record<string, string> = { scope_requested: scopes.join(' ') };
    for (const k of PASSED_ON) {
      const v = q.data[k];
      if (v !== undefined) hidden[k] = v;
    }
    return c.html(
      consentPage({
        action: `${ctx.basePath}/o/oauth2/v2/auth/decision`,
        appName: oauthApp.name,
        accounts,
        selectedSub: accounts.some((a) => a.sub === selected) ? selected : (accounts[0]?.sub ?? ''),
        fixed: scopes.filter(isIdentityScope),
        optional: scopes.filter((s) => !isIdentityScope(s)),
        preticked: ctx.store.state.settings.consentPreticked,
        previouslyGranted: hinted ? activeGrant(ctx, oauthApp.clientId, hinted.sub) !== undefined : false,
        hidden,
      }),
    );
  });

  app.post('/o/oauth2/v2/auth/decision', async (c) => {
    const fields = await readFormFields(c);
    if (!fields) return c.html(errorPage('Error 400: invalid_request', 'The consent form could not be read: its body is not a valid form. Start the sign-in again.'), 400);
    const body = Decision.safeParse(fields);
    if (!body.success) return c.html(errorPage('Error 400: invalid_request', 'The consent form was incomplete. Start the sign-in again.'), 400);
    const d = body.data;
    const checked = check(c, ctx, { ...d, scope: d.scope_requested }, d.scope_requested);
    if (!checked.ok) return checked.res;
    const { app: oauthApp, redirectUri, scopes, method } = checked.v;
    // Cancel: back to the app with error=access_denied and the state, no code (reference §1.3).
    if (d.decision === 'cancel') return c.redirect(withParams(redirectUri, { error: 'access_denied', state: d.state }), 302);
    const account = ctx.store.state.accounts.find((a) => a.sub === d.account);
    if (!account) return c.html(errorPage('Error 400: invalid_request', `No sandbox account ${d.account}.`), 400);
    const ticked = d.scope === undefined ? [] : Array.isArray(d.scope) ? d.scope : [d.scope];
    const granted = scopes.filter((s) => isIdentityScope(s) || ticked.includes(s));
    const prompts = (d.prompt ?? '').split(' ');
    // A refresh token only with offline access, and only on first consent unless prompt=consent (reference §1.7).
    const firstConsent = activeGrant(ctx, oauthApp.clientId, account.sub) === undefined;
    const issueRefreshToken = d.access_type === 'offline' && (prompts.includes('consent') || firstConsent);
    const timeLimitMs = TIME_LIMITS[d.time_limit ?? 'unlimited'] ?? null;
    const code = authCode();
    const { state } = ctx.store;
    const nowMs = ctx.now().getTime();
    state.codes = state.codes.filter((x) => x.expiresAt > nowMs - 60 * 60_000);
    state.codes.push({
      code,
      clientId: oauthApp.clientId,
      sub: account.sub,
      redirectUri,
      scopes: granted,
      codeChallenge: d.code_challenge ?? null,
      codeChallengeMethod: method,
      issueRefreshToken,
      includeGrantedScopes: d.include_granted_scopes === 'true',
      timeLimitMs,
      nonce: d.nonce ?? null,
      expiresAt: nowMs + state.settings.codeLifetimeMs,
      used: false,
    });
    ctx.store.save();
    const extras = state.settings.callbackExtras ? { authuser: '0', ...(account.hd ? { hd: account.hd } : {}), prompt: 'consent' } : {};
    const scope = granted.map((s) => grantedForm(s, state.settings.longFormIdentityScopes)).join(' ');
    return c.redirect(withParams(redirectUri, { state: d.state, code, scope, ...extras }), 302);
  });
}
