import { Hono } from 'hono';
import { createCallLog } from './call-log.ts';
import type { Ctx } from './context.ts';
import { controlGuard } from './control-guard.ts';
import { mountControl } from './control-routes.ts';
import { createFaultStore } from './faults.ts';
import { mountAuthorize } from './oauth-authorize.ts';
import { mountToken } from './oauth-token.ts';
import { mountPages } from './page-routes.ts';
import { notFound, pipeline } from './request-pipeline.ts';
import { mountMeetings } from './rest-meetings.ts';
import { mountUsers } from './rest-users.ts';
import { securityHeaders } from './security-headers.ts';
import { SandboxAppSchema, initialState } from './state.ts';
import { createStore } from './store.ts';
import type { SandboxApp, SandboxOptions, SandboxTimers } from './types.ts';
import { createWebhookDispatcher } from './webhooks.ts';

export type { SandboxApp, SandboxOptions, SandboxTimers } from './types.ts';
export { CONTROL_TOKEN_HEADER } from './control-guard.ts';

// Zoom retries 5 min after the first attempt, then 20 min, then 60 min (§5.4).
const ZOOM_RETRY_DELAYS_MS = [5 * 60_000, 20 * 60_000, 60 * 60_000];
// Zoom counts a delivery as failed when the endpoint does not answer 2xx within 3 seconds (§5.4).
const ZOOM_RESPONSE_TIMEOUT_MS = 3000;
const globalTimers: SandboxTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export function createZoomSandbox(opts: SandboxOptions): {
  app: Hono;
  registerApp(app: SandboxApp): Promise<void>;
  close(): Promise<void>;
} {
  const basePath = opts.basePath.replace(/\/+$/, '');
  const publicUrl = opts.publicUrl.replace(/\/+$/, '');
  const baseClock = opts.clock ?? (() => new Date());
  const log = opts.log ?? (() => {});
  let offsetMs = 0;
  const now = (): Date => new Date(baseClock().getTime() + offsetMs);
  const calls = createCallLog();
  const store = createStore(opts.stateFile, () => initialState(now().toISOString()));
  const webhooks = createWebhookDispatcher({
    now,
    fetch: opts.fetch ?? globalThis.fetch,
    retryDelaysMs: opts.webhookRetryDelaysMs ?? ZOOM_RETRY_DELAYS_MS,
    responseTimeoutMs: opts.webhookResponseTimeoutMs ?? ZOOM_RESPONSE_TIMEOUT_MS,
    timers: opts.timers ?? globalTimers,
    calls,
    log,
  });

  async function registerApp(input: SandboxApp): Promise<void> {
    const parsed = SandboxAppSchema.safeParse(input);
    if (!parsed.success) throw new Error(`Invalid sandbox app registration: ${parsed.error.message}`);
    const app = parsed.data;
    if (app.webhookUrl && !app.webhookSecretToken) throw new Error('webhookSecretToken is required when webhookUrl is set');
    // Zoom refuses to save an event subscription whose endpoint fails the CRC challenge (§5.3).
    await webhooks.validateUrl(app);
    store.state.apps[app.clientId] = app;
    store.save();
    log('zoom-sandbox: app registered', { clientId: app.clientId, webhook: app.webhookUrl ?? null });
  }

  const ctx: Ctx = {
    basePath,
    publicUrl,
    store,
    now,
    setClockOffset: (ms) => {
      offsetMs = ms;
    },
    clockOffset: () => offsetMs,
    faults: createFaultStore(),
    calls,
    webhooks,
    log,
    registerApp,
  };

  const root = new Hono();
  const app = basePath ? root.basePath(basePath) : root;
  app.use('*', securityHeaders());
  app.use('*', pipeline(ctx));
  app.use('/_control/*', controlGuard(opts.control ?? true));
  mountAuthorize(app, ctx);
  mountToken(app, ctx);
  mountUsers(app, ctx);
  mountMeetings(app, ctx);
  mountPages(app, ctx);
  if (opts.control !== false) mountControl(app, ctx);
  root.notFound(notFound(ctx));
  root.onError((err, c) => {
    log('zoom-sandbox: unexpected error', { error: err instanceof Error ? err.stack : String(err) });
    return c.json({ code: 500, message: 'Internal Error' }, 500);
  });

  return {
    app: root,
    registerApp,
    async close() {
      webhooks.close();
      store.save();
    },
  };
}
