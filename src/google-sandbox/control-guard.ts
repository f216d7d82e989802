import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { googleError } from './google-errors.ts';

export const CONTROL_TOKEN_HEADER = 'x-google-sandbox-control-token';

const digest = (v: string): Buffer => createHash('sha256').update(v).digest();

/**
 * A browser sends Origin / Sec-Fetch-Site on a cross-site request and cannot omit them; test clients send
 * neither. Refusing those stops a page elsewhere (another localhost port included) from driving the API.
 */
function crossSite(origin: string | undefined, fetchSite: string | undefined, requestUrl: string): boolean {
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') return true;
  if (origin === undefined) return false;
  try {
    return new URL(origin).origin !== new URL(requestUrl).origin;
  } catch {
    return true;
  }
}

/** Guards `/_control/*` (see SandboxOptions.control): absent, open to non-browser clients, or token-only. */
export function controlGuard(control: boolean | { token: string }): MiddlewareHandler {
  const expected = typeof control === 'object' ? digest(control.token) : null;
  return async (c, next) => {
    if (control === false) return googleError(c, 404, 'NOT_FOUND', 'Not Found');
    if (crossSite(c.req.header('origin'), c.req.header('sec-fetch-site'), c.req.url)) {
      return googleError(c, 403, 'PERMISSION_DENIED', 'The sandbox control API refuses cross-site browser requests.');
    }
    if (expected) {
      const given = c.req.header(CONTROL_TOKEN_HEADER);
      if (given === undefined || !timingSafeEqual(digest(given), expected)) {
        return googleError(c, 401, 'UNAUTHENTICATED', `The sandbox control API needs the ${CONTROL_TOKEN_HEADER} header.`);
      }
    }
    await next();
  };
}
