import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { routePath } from 'hono/route';
import { randomToken, safeEqual } from '../platform/crypto.ts';
import { fixedFieldLog } from '../platform/log.ts';
import { observeSeconds } from '../platform/metrics.ts';
import { clientOf, noTrustedProxies } from '../platform/proxies.ts';
import { authenticateApiToken, authenticateApiTokenForWarRoom, authenticateApiTokenWithIncident } from '../domain/orgs/api-tokens.ts';
import type { Actor } from '../domain/context.ts';
import { resolveSession, resolveSessionWithPageStamp, type SessionView } from '../domain/orgs/sessions.ts';
import { incidentNumberOf } from '../domain/incidents/require-incident.ts';
import { AppError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { AppEnv } from './env.ts';
import { lastText, readForm } from './form.ts';

export const SESSION_COOKIE = 'rf_session';
export const ANON_CSRF_COOKIE = 'rf_csrf';

/** `/incidents/42` or `/incidents/INC-42`: the incident page, by number. */
const incidentPageNumber = (path: string): number | null => {
  const m = /^\/incidents\/([^/]+)$/.exec(path);
  return m?.[1] === undefined ? null : incidentNumberOf(m[1]);
};

function peerAddress(c: Context<AppEnv>): string {
  const env: unknown = c.env;
  if (typeof env === 'object' && env !== null && 'incoming' in env) {
    const incoming = (env as { incoming?: { socket?: { remoteAddress?: string } } }).incoming;
    return incoming?.socket?.remoteAddress ?? '';
  }
  return '';
}

/** The real client: the peer itself, or what trusted proxies (TRUSTED_PROXIES) say it is. */
function clientOfRequest(c: Context<AppEnv>) {
  return clientOf(peerAddress(c), c.req.header('x-forwarded-for'), c.req.header('x-forwarded-proto'), c.get('web').trustedProxies ?? noTrustedProxies);
}

export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const requestId = newId();
  c.set('requestId', requestId);
  const client = clientOfRequest(c);
  c.set('meta', { ip: client.ip, userAgent: c.req.header('user-agent') ?? '', requestId });
  c.header('x-request-id', requestId);
  const started = performance.now();
  await next();
  // One line per request. The route's pattern stands in for the path, so what a URL carries (invite
  // tokens, OAuth codes and states, incident titles in queries) never reaches the log.
  // The route that answered (after next(), routeIndex points at it); the last match may be a later catch-all.
  const route = routePath(c);
  const line = { requestId, ...(client.proto ? { proto: client.proto } : {}), method: c.req.method, route: route === '*' || route === '/*' ? '(no route)' : route, status: c.res.status, ms: Math.round(performance.now() - started) };
  observeSeconds('runframe_http_request_duration_seconds', 'HTTP requests by route pattern, method and status (until the response starts).', { method: line.method, route: line.route, status: String(line.status) }, (performance.now() - started) / 1000);
  // Open incident pages poll their war-room fragment every few seconds: those stay at debug.
  // Every field of the line is set just above (nothing a caller sent), so it skips redaction.
  const log = fixedFieldLog(c.get('deps').log);
  if (route.endsWith('/fragment') && c.res.status < 400) log.debug(line, 'request');
  else log.info(line, 'request');
};

/** Resolves who is calling: a bearer API token, else the session cookie, else nobody. */
export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const deps = c.get('deps');
  const header = c.req.header('authorization');
  if (header !== undefined && /^bearer\s+/i.test(header)) {
    const token = header.replace(/^bearer\s+/i, '').trim();
    // GET /api/v1/incidents/{id} (the API's most frequent read) and POST …/war-room (a SEV's first
    // call) read the incident with the token, in one statement (the war room its connections too).
    const m = /^\/api\/v1\/incidents\/([^/]+)(\/war-room)?$/.exec(c.req.path);
    const ref = m && (m[2] === undefined ? c.req.method === 'GET' : c.req.method === 'POST') ? m[1] : undefined;
    let actor: Actor | null;
    if (ref !== undefined && m?.[2] !== undefined) {
      // Create War Room also takes the organization's connection rows (its token) from the statement.
      const found = await authenticateApiTokenForWarRoom(deps, token, ref);
      actor = found?.actor ?? null;
      if (found) c.set('incidentRead', { ref, incident: found.incident, connections: found.connections });
    } else if (ref !== undefined) {
      const found = await authenticateApiTokenWithIncident(deps, token, ref);
      actor = found?.actor ?? null;
      if (found) c.set('incidentRead', { ref, incident: found.incident, connections: null });
    } else actor = await authenticateApiToken(deps, token);
    if (!actor) {
      throw new AppError('unauthenticated', 'The API token is not valid: it was revoked, or its owner left the organization.', {
        hint: 'Create a new token on the API tokens page (API tokens in the top menu).',
      });
    }
    c.set('auth', { kind: 'token', actor });
    c.set('csrfToken', '');
    return next();
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  // A view of an incident page reads the incident's stamp with the session: a page the page cache
  // holds is then one statement (http/web/incidents/page-cache.ts).
  const number = cookie && c.req.method === 'GET' ? incidentPageNumber(c.req.path) : null;
  let session: SessionView | null = null;
  if (cookie && number !== null && c.req.query('before') === undefined) {
    const position = c.get('live')?.position();
    const found = await resolveSessionWithPageStamp(deps, cookie, number);
    if (found) c.set('incidentPage', { number, position, stamp: found.stamp });
    session = found?.session ?? null;
  } else if (cookie) session = await resolveSession(deps, cookie);
  if (session) {
    c.set('auth', { kind: 'session', session, actor: session.actor });
    c.set('csrfToken', session.csrfToken);
  } else {
    c.set('auth', null);
    let anon = getCookie(c, ANON_CSRF_COOKIE);
    if (!anon || anon.length < 20) {
      anon = randomToken(24);
      setCookie(c, ANON_CSRF_COOKIE, anon, { httpOnly: true, sameSite: 'Lax', secure: c.get('web').secureCookies, path: '/' });
    }
    c.set('csrfToken', anon);
  }
  return next();
};

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Every state-changing request made with a cookie must carry the CSRF token: in the form field
 * `_csrf` or the `x-csrf-token` header. Bearer-token calls carry no ambient credential and are exempt.
 */
export const csrfProtection: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!UNSAFE.has(c.req.method) || c.get('auth')?.kind === 'token') return next();
  // An API call with no credentials at all is unauthenticated, whatever it sent: say so (401), not "form expired".
  if (c.get('auth') === null && c.req.path.startsWith('/api/')) {
    throw new AppError('unauthenticated', 'You are not signed in.', { hint: 'Sign in, or send an API token as "Authorization: Bearer …".' });
  }
  const expected = c.get('csrfToken');
  let sent = c.req.header('x-csrf-token');
  if (sent === undefined) {
    const type = c.req.header('content-type') ?? '';
    if (type.includes('application/x-www-form-urlencoded') || type.includes('multipart/form-data')) {
      sent = lastText((await readForm(c))['_csrf']);
    }
  }
  if (!expected || sent === undefined || !safeEqual(sent, expected)) {
    throw new AppError('forbidden', 'This form has expired or did not come from Runframe, so nothing was changed.', {
      hint: 'Reload the page and try again.',
    });
  }
  return next();
};

/** No inline script or style anywhere; no framing; forms may still post to the provider's consent page. */
export const CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/**
 * Headers for every response. A mounted app (the Zoom sandbox) may set a stricter policy of its own;
 * anything that did not choose a cache policy is not stored, since pages and API answers carry join
 * links with passcodes, secrets shown once and personal data.
 */
export function securityHeaders(web: { secureCookies: boolean }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    let headers = c.res.headers;
    const set = (name: string, value: string, keep = false) => {
      if (keep && headers.has(name)) return;
      try {
        headers.set(name, value);
      } catch {
        // A response with immutable headers (one produced by fetch) is copied first.
        c.res = new Response(c.res.body, c.res);
        headers = c.res.headers;
        headers.set(name, value);
      }
    };
    set('content-security-policy', CONTENT_SECURITY_POLICY, true);
    set('x-content-type-options', 'nosniff');
    set('referrer-policy', 'same-origin', true);
    set('x-frame-options', 'DENY');
    set('cache-control', 'no-store', true);
    if (web.secureCookies) set('strict-transport-security', 'max-age=31536000');
  };
}

/**
 * Requests start one per turn of the event loop, in the order they arrived (docs/decisions/0006).
 *
 * Node (libuv) accepts one new connection per turn of its event loop, and a turn runs every request
 * whose bytes have arrived, each to its first real wait. On PGlite a request's queries run on this
 * thread and do not wait, so a busy turn (50 open connections × ~2–3 ms) lasts 100–150 ms, and the 50th
 * new connection was accepted ~5 s after it connected: in the bench, the first requests of 50 fresh
 * connections took up to 3 s while the others were answered in 100 ms. Starting one request per turn
 * keeps turns short, so a new connection waits one request, not a whole turn, to be accepted. With
 * nothing else waiting it costs one `setImmediate` hop.
 */
export function takeTurns(): MiddlewareHandler<AppEnv> {
  const waiting: Array<() => void> = [];
  let scheduled = false;
  const turn = () => {
    scheduled = false;
    waiting.shift()?.();
    if (waiting.length > 0) schedule();
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    // An immediate queued while immediates run waits for the next turn: one start per turn.
    setImmediate(turn);
  };
  return async (_c, next) => {
    await new Promise<void>((resolve) => {
      waiting.push(resolve);
      schedule();
    });
    await next();
  };
}
