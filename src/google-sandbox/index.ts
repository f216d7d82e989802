import { Hono } from 'hono';
import { createCallLog } from './call-log.ts';
import type { Ctx } from './context.ts';
import { controlGuard } from './control-guard.ts';
import { mountControl } from './control-routes.ts';
import { createFaultStore } from './faults.ts';
import { googleError } from './google-errors.ts';
import { mountAuthorize } from './oauth-authorize.ts';
import { mountToken } from './oauth-token.ts';
import { mountPages } from './page-routes.ts';
import { createQuotaCounters } from './quotas.ts';
import { notFound, pipeline } from './request-pipeline.ts';
import { mountConferenceRecords } from './rest-conference-records.ts';
import { mountSpaces } from './rest-spaces.ts';
import { securityHeaders } from './security-headers.ts';
import { SandboxAppSchema, initialState } from './state.ts';
import { createStore } from './store.ts';
import type { SandboxApp, SandboxOptions } from './types.ts';
import { mountUserinfo } from './userinfo.ts';

export type { SandboxApp, SandboxOptions } from './types.ts';
export { CONTROL_TOKEN_HEADER } from './control-guard.ts';

/**
 * The Google sandbox ("Google sandbox — not Google"): Google's OAuth 2.0 endpoints, the Meet REST API v2,
 * Meet's meeting page and the account's third-party access page, all on one origin (docs/google-sandbox.md).
 */
export function createGoogleSandbox(opts: SandboxOptions): {
  app: Hono;
  registerApp(app: SandboxApp): void;
  close(): Promise<void>;
} {
  const basePath = opts.basePath.replace(/\/+$/, '');
  const publicUrl = opts.publicUrl.replace(/\/+$/, '');
  const baseClock = opts.clock ?? (() => new Date());
  const log = opts.log ?? (() => {});
  let offsetMs = 0;
  const now = (): Date => new Date(baseClock().getTime() + offsetMs);
  const store = createStore(opts.stateFile, () => initialState(now().toISOString()));

  function registerApp(input: SandboxApp): void {
    const parsed = SandboxAppSchema.safeParse(input);
    if (!parsed.success) throw new Error(`Invalid sandbox app registration: ${parsed.error.message}`);
    store.state.apps[parsed.data.clientId] = parsed.data;
    store.save();
    log('google-sandbox: app registered', { clientId: parsed.data.clientId });
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
    calls: createCallLog(),
    quotas: createQuotaCounters(),
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
  mountUserinfo(app, ctx);
  mountSpaces(app, ctx);
  mountConferenceRecords(app, ctx);
  mountPages(app, ctx);
  if (opts.control !== false) mountControl(app, ctx);
  root.notFound(notFound());
  root.onError((err, c) => {
    log('google-sandbox: unexpected error', { error: err instanceof Error ? err.stack : String(err) });
    return googleError(c, 500, 'INTERNAL', 'Internal error encountered.');
  });

  return {
    app: root,
    registerApp,
    async close() {
      store.save();
    },
  };
}
