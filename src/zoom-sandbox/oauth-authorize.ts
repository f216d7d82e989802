import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { Ctx } from './context.ts';
import { readFormFields } from './forms.ts';
import { opaqueToken } from './ids.ts';
import { consentPage } from './pages/consent-page.ts';
import { errorPage } from './pages/layout.ts';
import { HOST_USER_ID } from './state.ts';
import type { SandboxApp } from './types.ts';

const AuthorizeQuery = z.object({
  response_type: z.string().optional(),
  client_id: z.string().optional(),
  redirect_uri: z.string().optional(),
  state: z.string().optional(),
  code_challenge: z.string().optional(),
  code_challenge_method: z.string().optional(),
  user_id: z.string().optional(),
});
type AuthorizeQuery = z.infer<typeof AuthorizeQuery>;

const Decision = AuthorizeQuery.extend({
  decision: z.enum(['allow', 'decline']),
  user_id: z.string(),
  scope: z.union([z.string(), z.array(z.string())]).optional(),
});

type Checked = { ok: true; app: SandboxApp; redirectUri: string; method: 'S256' | 'plain' | null } | { ok: false; res: Response | Promise<Response> };

function check(c: Context, ctx: Ctx, q: AuthorizeQuery): Checked {
  const fail = (title: string, msg: string): Checked => ({ ok: false, res: c.html(errorPage(title, msg), 400) });
  const app = q.client_id ? ctx.store.state.apps[q.client_id] : undefined;
  if (!app) return fail('Invalid client_id', `Invalid client_id: ${q.client_id ?? '(missing)'} (4700)`);
  // Exact match only, as Zoom's allow list (4709): no prefix or trailing-slash leniency.
  if (!q.redirect_uri || !app.redirectUris.includes(q.redirect_uri)) return fail('Redirect URI mismatch', 'Redirect URI mismatch. (4709)');
  if (q.response_type !== 'code') return fail('Unsupported response type', `Unsupported response_type: ${q.response_type ?? '(missing)'}. Only "code" is supported.`);
  let method: 'S256' | 'plain' | null = null;
  if (q.code_challenge) {
    const m = q.code_challenge_method ?? 'plain';
    if (m !== 'S256' && m !== 'plain') return fail('Invalid code_challenge_method', `Invalid code_challenge_method: ${m}. Use S256 or plain.`);
    method = m;
  } else if (q.code_challenge_method) {
    return fail('Missing code_challenge', 'code_challenge_method was given without code_challenge.');
  }
  return { ok: true, app, redirectUri: q.redirect_uri, method };
}

export function requestedScopes(app: SandboxApp): Array<{ scope: string; required: boolean }> {
  // Without optionalScopes every scope may be unticked; with it, `scopes` are the required set.
  const required = app.optionalScopes === undefined ? [] : app.scopes;
  const all = [...new Set([...app.scopes, ...(app.optionalScopes ?? [])])];
  return all.map((scope) => ({ scope, required: required.includes(scope) }));
}

function withParams(uri: string, params: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

export function mountAuthorize(app: Hono, ctx: Ctx): void {
  app.get('/oauth/authorize', (c) => {
    const q = AuthorizeQuery.safeParse(c.req.query());
    if (!q.success) return c.html(errorPage('Invalid request', 'The authorization request is malformed.'), 400);
    const checked = check(c, ctx, q.data);
    if (!checked.ok) return checked.res;
    const users = ctx.store.state.users.filter((u) => u.status !== 'pending');
    const selected = users.some((u) => u.id === q.data.user_id) ? (q.data.user_id ?? HOST_USER_ID) : HOST_USER_ID;
    const hidden: Record<string, string> = { client_id: checked.app.clientId, redirect_uri: checked.redirectUri, response_type: 'code' };
    if (q.data.state !== undefined) hidden.state = q.data.state;
    if (q.data.code_challenge) hidden.code_challenge = q.data.code_challenge;
    if (checked.method) hidden.code_challenge_method = checked.method;
    return c.html(
      consentPage({
        action: `${ctx.basePath}/oauth/authorize/decision`,
        app: checked.app,
        users,
        selectedUserId: selected,
        requested: requestedScopes(checked.app),
        hidden,
      }),
    );
  });

  app.post('/oauth/authorize/decision', async (c) => {
    const fields = await readFormFields(c);
    if (!fields) return c.html(errorPage('Invalid request', 'The consent form could not be read: its body is not a valid form. Start the authorization again.'), 400);
    const body = Decision.safeParse(fields);
    if (!body.success) return c.html(errorPage('Invalid request', 'The consent form was incomplete. Start the authorization again.'), 400);
    const d = body.data;
    const checked = check(c, ctx, { ...d, response_type: 'code' });
    if (!checked.ok) return checked.res;
    if (d.decision === 'decline') {
      return c.redirect(withParams(checked.redirectUri, { error: 'access_denied', error_description: 'The user denied the authorization request.', state: d.state }), 302);
    }
    const user = ctx.store.state.users.find((u) => u.id === d.user_id && u.status !== 'pending');
    if (!user) return c.html(errorPage('Unknown user', `No sandbox user ${d.user_id}.`), 400);
    const ticked = d.scope === undefined ? [] : Array.isArray(d.scope) ? d.scope : [d.scope];
    const scopes = requestedScopes(checked.app)
      .filter((s) => s.required || ticked.includes(s.scope))
      .map((s) => s.scope);
    const code = opaqueToken('sbx_code').replace('.', '');
    const { state } = ctx.store;
    const nowMs = ctx.now().getTime();
    state.codes = state.codes.filter((x) => x.expiresAt > nowMs - 60 * 60_000);
    state.codes.push({
      code,
      clientId: checked.app.clientId,
      userId: user.id,
      redirectUri: checked.redirectUri,
      scopes,
      codeChallenge: d.code_challenge ?? null,
      codeChallengeMethod: checked.method,
      expiresAt: nowMs + state.settings.codeLifetimeMs,
      used: false,
    });
    ctx.store.save();
    return c.redirect(withParams(checked.redirectUri, { code, state: d.state }), 302);
  });
}
