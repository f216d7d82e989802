import { z } from 'zod';
import { send, parseBody, type FetchLike } from './http.ts';

const DEFAULT_TIMEOUT_MS = 10_000;

export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  scopes: string[];
  /** API host Zoom names for this user (`https://api.zoom.us`, no `/v2`), when given (§0). */
  apiUrl?: string;
}

// §1.5: `scope` is one space-separated string; token_type is "bearer" (lower-case).
export const ZoomTokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string().refine((t) => t.toLowerCase() === 'bearer'),
  refresh_token: z.string().min(1),
  expires_in: z.number().positive(),
  scope: z.string().transform((s) => s.split(/\s+/).filter((x) => x.length > 0)),
  // Kept only when it is a URL: an odd value must not fail the whole token exchange.
  api_url: z.string().optional().transform((u) => (u !== undefined && URL.canParse(u) ? u : undefined)),
});
export type ZoomTokenResponse = z.infer<typeof ZoomTokenResponse>;

const RevokeResponse = z.object({ status: z.string() }).loose();

export interface OAuthClientOptions {
  oauthBaseUrl: string;
  clientId: string;
  clientSecret: string;
  fetch?: FetchLike;
  timeoutMs?: number;
  now?: () => Date;
}

export interface AuthorizeUrlInput {
  oauthBaseUrl: string;
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
}

const trim = (base: string): string => base.replace(/\/+$/, '');

/** No `scope` parameter: Zoom takes the app's configured scopes and rejects unexpected ones (§1.1). */
export function buildAuthorizeUrl(i: AuthorizeUrlInput): string {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: i.clientId,
    redirect_uri: i.redirectUri,
    state: i.state,
    code_challenge: i.codeChallenge,
    code_challenge_method: 'S256',
  });
  return `${trim(i.oauthBaseUrl)}/oauth/authorize?${q.toString()}`;
}

function basicAuth(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
}

/** POSTs a form to /oauth/{path}; values go in the body, never the query string (§0). */
async function postForm(o: OAuthClientOptions, path: 'token' | 'revoke', operation: string, form: Record<string, string>) {
  return send({
    fetch: o.fetch ?? globalThis.fetch,
    url: `${trim(o.oauthBaseUrl)}/oauth/${path}`,
    init: {
      method: 'POST',
      headers: {
        authorization: basicAuth(o.clientId, o.clientSecret),
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(form).toString(),
    },
    timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    operation,
    endpoint: 'oauth',
    now: o.now ?? (() => new Date()),
    secrets: [o.clientSecret, ...Object.values(form)],
  });
}

function toTokenSet(t: ZoomTokenResponse, now: Date): TokenSet {
  const set: TokenSet = {
    accessToken: t.access_token,
    refreshToken: t.refresh_token,
    expiresAt: new Date(now.getTime() + t.expires_in * 1000),
    scopes: t.scope,
  };
  if (t.api_url !== undefined) set.apiUrl = t.api_url;
  return set;
}

async function tokenGrant(o: OAuthClientOptions, operation: string, form: Record<string, string>): Promise<TokenSet> {
  // Read the clock before sending, so the computed expiry errs early rather than late.
  const now = (o.now ?? (() => new Date()))();
  const r = await postForm(o, 'token', operation, form);
  return toTokenSet(parseBody(operation, r, ZoomTokenResponse), now);
}

export function exchangeCode(o: OAuthClientOptions & { code: string; redirectUri: string; codeVerifier: string }): Promise<TokenSet> {
  return tokenGrant(o, 'code exchange', { grant_type: 'authorization_code', code: o.code, redirect_uri: o.redirectUri, code_verifier: o.codeVerifier });
}

/** Zoom rotates the refresh token on every refresh; the caller must store the new one (§1.6). */
export function refreshTokens(o: OAuthClientOptions & { refreshToken: string }): Promise<TokenSet> {
  return tokenGrant(o, 'token refresh', { grant_type: 'refresh_token', refresh_token: o.refreshToken });
}

/** Revoking also uninstalls the app for the user and triggers `app_deauthorized` (§1.8). */
export async function revokeToken(o: OAuthClientOptions & { token: string }): Promise<void> {
  const r = await postForm(o, 'revoke', 'token revoke', { token: o.token });
  parseBody('token revoke', r, RevokeResponse);
}
