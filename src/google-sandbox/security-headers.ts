import type { MiddlewareHandler } from 'hono';
import { STYLE_HASH } from './pages/layout.ts';

const HEADERS: Record<string, string> = {
  // The consent page's Allow and the "Remove access" buttons must not be clickable inside a frame.
  'x-frame-options': 'DENY',
  // No script at all; the pages' one inline stylesheet by its hash. Mounted inside Runframe (demo
  // mode) this policy is kept, as the Zoom sandbox's is, instead of Runframe's own (no inline style).
  'content-security-policy': `default-src 'self'; script-src 'none'; style-src ${STYLE_HASH}; img-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`,
  'x-content-type-options': 'nosniff',
  // Authorization codes travel in URLs: never leak them to another site through Referer.
  'referrer-policy': 'no-referrer',
};

/** Adds the headers above to every response the sandbox serves. */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    try {
      for (const [k, v] of Object.entries(HEADERS)) c.res.headers.set(k, v);
    } catch {
      // A response with immutable headers (e.g. one produced by fetch) is copied first.
      c.res = new Response(c.res.body, c.res);
      for (const [k, v] of Object.entries(HEADERS)) c.res.headers.set(k, v);
    }
  };
}
