import { z } from 'zod';
import { GoogleError } from './errors.ts';
import { send, parseBody, type FetchLike } from './http.ts';
import { googleMeetManifest } from './manifest.ts';

const DEFAULT_TIMEOUT_MS = 10_000;

/** Base URLs of Google's hosts (§0); each is configuration, so tests and demo mode swap the host only. */
export interface GoogleOAuthOptions {
  /** https://accounts.google.com — the browser's consent page. */
  authBaseUrl: string;
  /** https://oauth2.googleapis.com — token and revoke. */
  tokenBaseUrl: string;
  /** https://openidconnect.googleapis.com — userinfo. */
  userinfoBaseUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  fetch?: FetchLike;
  timeoutMs?: number;
  now?: () => Date;
}

export interface GoogleTokenSet {
  accessToken: string;
  /** Absent on a refresh (Google does not rotate) and on a code exchange without a new grant (§1.6, §1.7). */
  refreshToken: string | undefined;
  expiresAt: Date;
  scopes: string[];
}

// §1.7: `scope` is one space-delimited string of the scopes actually granted; token_type "Bearer".
const TokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().transform((s) => s.split(/\s+/).filter((x) => x.length > 0)),
  token_type: z.string().refine((t) => t.toLowerCase() === 'bearer'),
  id_token: z.string().optional(),
});

// §1.10: `sub` is the stable account id; `hd` only for Workspace accounts.
const UserInfo = z.object({ sub: z.string().min(1), email: z.string().optional(), email_verified: z.boolean().optional(), hd: z.string().optional(), name: z.string().optional() });
export type GoogleUserInfo = z.infer<typeof UserInfo>;

const trim = (base: string): string => base.replace(/\/+$/, '');

/**
 * §1.2: code flow with PKCE (S256), offline access for a refresh token, and `prompt=consent` so Google
 * sends a refresh token again on a reconnect (it sends one only on a first consent otherwise, §7.1).
 */
export function buildAuthorizeUrl(o: Pick<GoogleOAuthOptions, 'authBaseUrl' | 'clientId' | 'redirectUri'> & { state: string; codeChallenge: string }): string {
  const q = new URLSearchParams({
    client_id: o.clientId,
    redirect_uri: o.redirectUri,
    response_type: 'code',
    scope: googleMeetManifest.scopes.join(' '),
    state: o.state,
    access_type: 'offline',
    prompt: 'consent',
    include_granted_scopes: 'true',
    code_challenge: o.codeChallenge,
    code_challenge_method: 'S256',
  });
  return `${trim(o.authBaseUrl)}/o/oauth2/v2/auth?${q.toString()}`;
}

/** POSTs a form to the token host; the client secret goes as form fields, as Google's own libraries send it (§1.4). */
async function postForm(o: GoogleOAuthOptions, path: 'token' | 'revoke', operation: string, form: Record<string, string>) {
  return send({
    fetch: o.fetch ?? globalThis.fetch,
    url: `${trim(o.tokenBaseUrl)}/${path}`,
    init: { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() },
    timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    operation,
    endpoint: 'oauth',
    now: o.now ?? (() => new Date()),
  });
}

async function tokenGrant(o: GoogleOAuthOptions, operation: string, form: Record<string, string>): Promise<GoogleTokenSet> {
  // Read the clock before sending, so the computed expiry errs early rather than late.
  const now = (o.now ?? (() => new Date()))();
  const t = parseBody(operation, await postForm(o, 'token', operation, form), TokenResponse);
  return { accessToken: t.access_token, refreshToken: t.refresh_token, expiresAt: new Date(now.getTime() + t.expires_in * 1000), scopes: t.scope };
}

/** §1.5. A grant without a refresh token cannot serve war rooms later: `no_refresh_token`. */
export async function exchangeCode(o: GoogleOAuthOptions & { code: string; codeVerifier: string }): Promise<GoogleTokenSet & { refreshToken: string }> {
  const t = await tokenGrant(o, 'code exchange', {
    grant_type: 'authorization_code',
    code: o.code,
    redirect_uri: o.redirectUri,
    client_id: o.clientId,
    client_secret: o.clientSecret,
    code_verifier: o.codeVerifier,
  });
  if (t.refreshToken === undefined) throw new GoogleError('code exchange', { kind: 'no_refresh_token' });
  return { ...t, refreshToken: t.refreshToken };
}

/** §1.6: no rotation; the stored refresh token stays unless Google ever sends a new one. */
export async function refreshTokens(o: GoogleOAuthOptions & { refreshToken: string }): Promise<GoogleTokenSet & { refreshToken: string }> {
  const t = await tokenGrant(o, 'token refresh', { grant_type: 'refresh_token', refresh_token: o.refreshToken, client_id: o.clientId, client_secret: o.clientSecret });
  return { ...t, refreshToken: t.refreshToken ?? o.refreshToken };
}

/** §1.11: POST only; revokes the whole grant. A 400 means it is gone already. */
export async function revokeToken(o: GoogleOAuthOptions & { token: string }): Promise<void> {
  try {
    await postForm(o, 'revoke', 'token revoke', { token: o.token });
  } catch (err) {
    if (err instanceof GoogleError && err.failure.kind === 'rejected' && err.failure.status === 400) return;
    throw err;
  }
}

/** §1.10: who is connected. */
export async function getUserInfo(o: GoogleOAuthOptions, accessToken: string): Promise<GoogleUserInfo> {
  const r = await send({
    fetch: o.fetch ?? globalThis.fetch,
    url: `${trim(o.userinfoBaseUrl)}/v1/userinfo`,
    init: { method: 'GET', headers: { accept: 'application/json', authorization: `Bearer ${accessToken}` } },
    timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    operation: 'userinfo',
    endpoint: 'userinfo',
    now: o.now ?? (() => new Date()),
  });
  return parseBody('userinfo', r, UserInfo);
}
