import { createHmac } from 'node:crypto';
import { hasScope } from './scopes.ts';
import type { Account } from './state.ts';

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/**
 * An OpenID Connect ID token for `account`. Google signs with RS256 keys from its JWKS; the sandbox signs
 * with HS256 and the client secret (a form OIDC allows), which is enough for a client that only decodes
 * the token it received directly from the token endpoint (reference §1.10).
 */
export function idToken(p: { account: Account; clientId: string; clientSecret: string; scopes: string[]; nonce: string | null; now: Date }): string {
  const iat = Math.floor(p.now.getTime() / 1000);
  const a = p.account;
  const claims: Record<string, unknown> = {
    iss: 'https://accounts.google.com',
    azp: p.clientId,
    aud: p.clientId,
    sub: a.sub,
    ...(a.hd ? { hd: a.hd } : {}),
    ...(hasScope(p.scopes, 'email') ? { email: a.email, email_verified: true } : {}),
    ...(p.nonce ? { nonce: p.nonce } : {}),
    ...(hasScope(p.scopes, 'profile') ? { name: a.name, given_name: a.givenName, family_name: a.familyName } : {}),
    iat,
    exp: iat + 3600,
  };
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${unsigned}.${createHmac('sha256', p.clientSecret).update(unsigned).digest('base64url')}`;
}
