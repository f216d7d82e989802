import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { requireProvider } from '../integrations/hub/context.ts';
import type { HubDeps } from '../integrations/hub/context.ts';
import { handleWebhook, type MeetingEventHandler } from '../integrations/hub/webhooks.ts';
import { integrationPages } from './web/integrations/routes.tsx';
import { checkReadiness } from '../domain/readiness.ts';
import { auditRoutes } from './api/audit.ts';
import { incidentRoutes } from './api/incidents.ts';
import { warRoomRoutes } from './api/war-rooms.ts';
import { memberRoutes } from './api/members.ts';
import { buildOpenApi } from './api/openapi.ts';
import { API_PREFIX, mountRoutes, type ApiRoute } from './api/registry.ts';
import type { AppEnv, WebOptions } from './env.ts';
import type { LiveHub } from '../platform/live.ts';
import { countMetric, gaugeMetric, renderMetrics } from '../platform/metrics.ts';
import { envelope, errorStatus, toAppError } from './errors.ts';
import { apiBody } from './api-body.ts';
import { authenticate, csrfProtection, requestContext, securityHeaders, takeTurns } from './middleware.ts';
import { authPages } from './web/auth/routes.tsx';
import { html, sessionOf } from './web/helpers.tsx';
import { incidentPages } from './web/incidents/routes.tsx';
import { ErrorAlert, Layout } from './web/layout.tsx';
import { organizationPages } from './web/organization/routes.tsx';
import { AppError } from '../shared/errors.ts';
import { safeEqual } from '../platform/crypto.ts';
import { PACKAGE_ROOT } from '../platform/package-root.ts';

const ASSETS = path.join(PACKAGE_ROOT, 'src/http/web/assets');
const asset = (name: string) => readFileSync(path.join(ASSETS, name));

export interface BuildAppOptions {
  /** The hub's dependencies include the domain's. */
  deps: HubDeps;
  web: WebOptions;
  /** Extra sub-apps mounted before the product routes (webhooks, the demo-mode Zoom sandbox). */
  mounts?: Mount[];
  /** What to do with meeting started/ended events (the war-room feature). */
  meetingEvents?: MeetingEventHandler;
  /** Pushes incident changes to open pages; without it pages fall back to polling. */
  live?: LiveHub;
  /** /metrics answers only with `Authorization: Bearer <token>`; without a token it is not served. */
  metricsToken?: string | undefined;
}

/** A self-contained app served under a path prefix; it receives the raw request and the node bindings. */
export interface Mount {
  prefix: string;
  fetch: (request: Request, env: unknown) => Response | Promise<Response>;
}

/** Request bodies: forms and API calls are far below 1 MB; webhook events below 64 KB. */
export const BODY_LIMIT = 1024 * 1024;
export const WEBHOOK_BODY_LIMIT = 64 * 1024;
const tooLarge = (max: number): never => {
  throw new AppError('too_large', `The request body is larger than ${Math.round(max / 1024)} KB, so it was not read.`, {
    fields: [{ field: 'body', reason: `must be at most ${max} bytes` }],
  });
};

/**
 * Runs a body middleware only for requests that can carry a body. GET and HEAD have none, and asking
 * for one (bodyLimit reads `c.req.raw.body`) made the Node adapter build a full fetch Request for
 * every page view and API read: a measurable share of a GET's CPU (docs/decisions/0006).
 */
const withBody =
  (mw: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> =>
  (c, next) =>
    c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : mw(c, next);

export const API_ROUTES: ApiRoute[] = [...incidentRoutes, ...warRoomRoutes, ...memberRoutes, ...auditRoutes];

export function buildApp({ deps, web, mounts = [], meetingEvents, live, metricsToken }: BuildAppOptions): Hono<AppEnv> {
  if (live) gaugeMetric('runframe_live_streams', 'Open live-update streams (incident pages watching) in this process.', () => live.watching());
  const app = new Hono<AppEnv>();
  const css = asset('app.css');
  const icon = asset('favicon.svg');
  const warRoomJs = asset('war-room.js');

  // Before anything else: requests start one per turn of the event loop, so that new connections are accepted under load.
  app.use('*', takeTurns());
  // First, so that every answer gets them: mounts, assets, /healthz, errors.
  app.use('*', securityHeaders(web));
  for (const m of mounts) {
    // The mounted app's front page is at the prefix itself; a typed trailing slash goes there too.
    app.get(`${m.prefix}/`, (c) => c.redirect(m.prefix, 308));
    app.all(m.prefix, (c) => m.fetch(c.req.raw, c.env));
    app.all(`${m.prefix}/*`, (c) => m.fetch(c.req.raw, c.env));
  }

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const r = await checkReadiness(deps);
    return r.ready ? c.json({ status: 'ready' }) : c.json({ status: 'not_ready', reason: r.reason }, 503);
  });
  app.get('/assets/app.css', (c) => c.body(css, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=300' }));
  app.get('/assets/favicon.svg', (c) => c.body(icon, 200, { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' }));
  app.get('/assets/war-room.js', (c) => c.body(warRoomJs, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=300' }));
  app.get('/favicon.ico', (c) => c.redirect('/assets/favicon.svg', 301));
  // Operational figures only (route patterns, kinds, statuses), but still not for the public: a token (docs/decisions/0006).
  app.get('/metrics', (c) => {
    const sent = (c.req.header('authorization') ?? '').replace(/^bearer\s+/i, '');
    if (!metricsToken || !safeEqual(sent, metricsToken)) return c.text('Not found\n', 404);
    return c.text(renderMetrics(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
  app.get('/api/openapi.json', (c) => c.json(buildOpenApi(API_ROUTES, deps.settings.publicUrl)));

  app.use('*', async (c, next) => {
    c.set('deps', deps);
    c.set('hub', deps);
    c.set('web', web);
    c.set('live', live ?? null);
    await next();
  });
  app.use('*', requestContext);
  app.use(
    '*',
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) => {
        c.header('allow', methods.join(', '));
        return respondError(c, new AppError('method_not_allowed', `This address does not accept ${c.req.method} requests.`, { hint: `Use ${methods.join(' or ')}.` }));
      },
    }),
  );
  // Webhook deliveries are small JSON events; anything else is capped well before it reaches a parser.
  app.use('/webhooks/*', withBody(bodyLimit({ maxSize: WEBHOOK_BODY_LIMIT, onError: () => tooLarge(WEBHOOK_BODY_LIMIT) })));
  app.use('*', withBody(apiBody(BODY_LIMIT, () => tooLarge(BODY_LIMIT), bodyLimit({ maxSize: BODY_LIMIT, onError: () => tooLarge(BODY_LIMIT) }))));
  // Provider webhooks carry no cookie and no CSRF token: their signature is checked instead.
  app.post('/webhooks/:provider', async (c) => {
    const providerId = c.req.param('provider');
    requireProvider(deps, providerId);
    const r = await handleWebhook(deps, providerId, await c.req.text(), c.req.raw.headers, meetingEvents);
    countMetric('runframe_webhook_deliveries_total', 'Provider webhook deliveries received, by provider and the status answered.', { provider: providerId, status: String(r.status) });
    return c.json(r.body, r.status);
  });
  app.use('*', authenticate);
  app.use('*', csrfProtection);

  const api = new Hono<AppEnv>();
  mountRoutes(api, API_ROUTES);
  app.route('/', api);
  app.route('/', authPages());
  app.route('/', incidentPages());
  app.route('/', organizationPages());
  app.route('/', integrationPages());

  app.notFound((c) => {
    const err = new AppError('not_found', 'There is nothing at this address.', { hint: 'Check the link, or go back to the incident list.' });
    return respondError(c, err);
  });
  app.onError((e, c) => {
    const err = toAppError(e);
    if (err.code === 'internal') deps.log.error({ err: e, requestId: c.get('requestId') }, 'request failed');
    return respondError(c, err);
  });
  return app;
}

function respondError(c: import('hono').Context<AppEnv>, err: AppError): Response {
  const requestId = c.get('requestId') ?? '';
  const status = errorStatus(c, err);
  const wantsJson = c.req.path.startsWith(API_PREFIX) || c.req.path.startsWith('/api/') || !(c.req.header('accept') ?? '').includes('text/html');
  if (wantsJson) return c.json(envelope(err, requestId), status);
  const auth = c.get('auth');
  return html(
    c,
    <Layout title={err.code === 'not_found' ? 'Not found' : 'Something went wrong'} session={auth === undefined ? null : sessionOf(c)} csrfToken={c.get('csrfToken') ?? ''}>
      <ErrorAlert error={err} />
      <p class="muted">Request id: {requestId}</p>
      <p>
        <a href="/">Go to Runframe</a>
      </p>
    </Layout>,
    status,
  );
}
