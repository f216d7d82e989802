import type { MiddlewareHandler } from 'hono';

const HEADERS: Record<string, string> = {
  // The consent page's Allow and the "Remove access" buttons must not be clickable inside a frame.
  'x-frame-options': 'DENY',
  'content-security-policy': "frame-ancestors 'none'",
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
