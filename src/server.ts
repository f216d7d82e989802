import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Hono } from 'hono';
import type { Config } from './config/index.ts';
import type { HubDeps } from './integrations/hub/context.ts';
import { createProviderRegistry } from './integrations/hub/registry.ts';
import { HEALTH_CHECK_JOB, healthCheckJob } from './integrations/hub/health-check.ts';
import { buildApp } from './http/app.tsx';
import type { AppEnv } from './http/env.ts';
import { startWorker } from './platform/jobs/queue.ts';
import { RETENTION_SWEEP, retentionJobs } from './jobs/retention.ts';
import { createPasswordHasher } from './platform/crypto.ts';
import { acquireDataDirLock } from './platform/data-dir-lock.ts';
import { migrateDatabase, openPglite, openPostgres, type Database } from './platform/db/client.ts';
import { warmHotReads } from './domain/orgs/warm-up.ts';
import { createLog, type Log } from './platform/log.ts';
import { startLiveHub, type LiveHub } from './platform/live.ts';
import { systemClock, type Clock } from './shared/clock.ts';
import { LIVE_POLL, meetingEventHandler, STALE_WAR_ROOMS_SWEEP, warRoomJobs } from './jobs/war-rooms.ts';
import { drainWarRoomCreates } from './domain/war-rooms/in-flight.ts';

export interface Runframe {
  app: Hono<AppEnv>;
  deps: HubDeps;
  log: Log;
  engine: Database['engine'];
  live: LiveHub;
  /** Demo mode only: the per-process token the sandbox's /_control API demands (header X-Zoom-Sandbox-Control-Token). */
  sandboxControlToken: string | null;
  /** Demo mode only: the same for the Google sandbox's /_control API (header X-Google-Sandbox-Control-Token). */
  googleSandboxControlToken: string | null;
  /** Call once the server listens: demo mode then subscribes Runframe's webhook endpoint at the sandbox. */
  afterListen(): Promise<void>;
  stop(): Promise<void>;
}

/** Opens the database the configuration names (PGlite under DATA_DIR unless DATABASE_URL is set) and migrates it. */
export async function openConfiguredDatabase(config: Config, opts: { server?: boolean } = {}): Promise<{ database: Database; release: () => void }> {
  if (config.databaseUrl !== undefined) {
    // Only a server keeps connections open; a command line run opens what it uses.
    return { database: await openPostgres(config.databaseUrl, config.databasePoolSize, {}, opts.server ? config.databasePoolKeepOpen : 0), release: () => {} };
  }
  const release = acquireDataDirLock(config.dataDir);
  try {
    return { database: await openPglite(path.join(config.dataDir, 'pglite')), release };
  } catch (err) {
    release();
    throw err;
  }
}

const SANDBOX_PREFIX = '/zoom-sandbox';
const GOOGLE_SANDBOX_PREFIX = '/google-sandbox';
/** How long shutdown waits for war-room creates in flight (well inside a typical 30 s grace period). */
const WAR_ROOM_DRAIN_MS = 15_000;

/**
 * Demo mode (no ZOOM_CLIENT_ID): the built-in Zoom sandbox is served by this same server, with Runframe
 * registered as its app; its state lives under DATA_DIR so a restart keeps a connected organization.
 * Production (real Zoom configured) never gets here.
 */
async function startDemoSandbox(config: Config, log: Log) {
  const controlToken = randomBytes(32).toString('base64url');
  // Loaded only in demo mode: a server talking to Zoom never evaluates the sandbox at start-up.
  const { createZoomSandbox } = await import('./zoom-sandbox/index.ts');
  const sandbox = createZoomSandbox({
    basePath: SANDBOX_PREFIX,
    publicUrl: config.zoom.oauthBaseUrl,
    stateFile: path.join(config.dataDir, 'zoom-sandbox.json'),
    log: (msg, data) => log.debug(data ?? {}, msg),
    // /_control hands out secrets and injects faults: only code in this process (tests) knows the token.
    control: { token: controlToken },
  });
  const registration = {
    name: 'Runframe',
    clientId: config.zoom.clientId,
    clientSecret: config.zoom.clientSecret,
    redirectUris: [config.zoom.redirectUri],
    scopes: ['user:read:user', 'meeting:write:meeting', 'meeting:read:meeting', 'meeting:read:list_meetings', 'meeting:update:status'],
  };
  await sandbox.registerApp(registration);
  // Like Zoom, the sandbox validates the webhook endpoint (CRC) when it is subscribed, which needs
  // this server to be listening: the subscription is added by afterListen().
  const subscribeWebhooks = async () => {
    try {
      await sandbox.registerApp({ ...registration, webhookUrl: config.zoom.webhookUrl, webhookSecretToken: config.zoom.webhookSecretToken });
      // Says what the start-up's one POST /webhooks/:provider request line was.
      log.info('Demo mode: the Zoom sandbox validated Runframe’s webhook endpoint, as Zoom does when an app subscribes to events');
    } catch (err) {
      log.warn({ err: err instanceof Error ? err.message : String(err), url: config.zoom.webhookUrl }, 'the Zoom sandbox could not validate Runframe’s webhook endpoint; removals in the sandbox Marketplace will only be noticed at the next token use');
    }
  };
  log.info({ url: config.zoom.oauthBaseUrl }, `Demo mode: the built-in Zoom sandbox (not Zoom) is at ${config.zoom.oauthBaseUrl}`);
  return { ...sandbox, subscribeWebhooks, controlToken };
}

/**
 * Demo mode without GOOGLE_CLIENT_ID: the built-in Google sandbox is served by this same server, with
 * Runframe registered as its OAuth client; its state lives under DATA_DIR.
 */
async function startDemoGoogleSandbox(config: Config, log: Log) {
  const controlToken = randomBytes(32).toString('base64url');
  // Loaded only in demo mode, like the Zoom sandbox.
  const { createGoogleSandbox } = await import('./google-sandbox/index.ts');
  const sandbox = createGoogleSandbox({
    basePath: GOOGLE_SANDBOX_PREFIX,
    publicUrl: config.google.authBaseUrl,
    stateFile: path.join(config.dataDir, 'google-sandbox.json'),
    log: (msg, data) => log.debug(data ?? {}, msg),
    control: { token: controlToken },
  });
  sandbox.registerApp({ name: 'Runframe', clientId: config.google.clientId, clientSecret: config.google.clientSecret, redirectUris: [config.google.redirectUri] });
  log.info({ url: config.google.authBaseUrl }, `Demo mode: the built-in Google sandbox (not Google) is at ${config.google.authBaseUrl}`);
  return { ...sandbox, controlToken };
}

/**
 * `database`: one the caller opened instead of the configured one (the test suite's in-memory PGlite,
 * loaded from a migrated template); the server owns it from then on and closes it when it stops.
 */
export async function startRunframe(config: Config, opts: { clock?: Clock; log?: Log; worker?: boolean; drainMs?: number; database?: Database } = {}): Promise<Runframe> {
  const log = opts.log ?? createLog(config.logLevel);
  for (const notice of config.notices) log.info(notice);
  const { database, release } = opts.database ? { database: opts.database, release: () => {} } : await openConfiguredDatabase(config, { server: true });
  await migrateDatabase(database);
  const clock = opts.clock ?? systemClock;
  const deps: HubDeps = {
    db: database.db,
    clock,
    log,
    settings: { publicUrl: config.publicUrl, sessionTtlHours: config.sessionTtlHours, signIn: config.signIn },
    passwords: createPasswordHasher(config.passwordHashing),
    keyRing: config.keyRing,
    secretKey: config.secretKey,
    providers: createProviderRegistry({ zoom: config.zoom, google: config.google, now: () => clock.now() }),
    healthCheckIntervalMs: config.healthCheckIntervalMs,
    warRoomTiming: { ttlMs: config.warRoomTtlHours * 3_600_000, retryDelaysMs: [500, 2000] },
  };
  // The connections kept open load the hot tables' catalogs and settle the requests' first statements'
  // plans now, not in the first burst (decision 0006). PGlite runs them on this thread: it warms once
  // the server listens (afterListen), so that it does not hold up the start.
  const warm = () => void database.warm?.((db) => warmHotReads({ ...deps, db }));
  if (database.engine === 'postgres') warm();
  const sandbox = config.zoom.mode === 'sandbox' ? await startDemoSandbox(config, log) : null;
  const googleSandbox = config.google.mode === 'sandbox' ? await startDemoGoogleSandbox(config, log) : null;
  const live = await startLiveHub(database, (err) => log.error({ err }, 'a live-update watcher failed'));
  const app = buildApp({
    live,
    metricsToken: config.metricsToken,
    deps,
    web: { secureCookies: config.secureCookies, trustedProxies: config.trustedProxies },
    meetingEvents: meetingEventHandler,
    mounts: [
      ...(sandbox ? [{ prefix: SANDBOX_PREFIX, fetch: (req: Request, env: unknown) => sandbox.app.fetch(req, env) }] : []),
      ...(googleSandbox ? [{ prefix: GOOGLE_SANDBOX_PREFIX, fetch: (req: Request, env: unknown) => googleSandbox.app.fetch(req, env) }] : []),
    ],
  });
  const worker = opts.worker === false ? null : startWorker({ db: database.db, clock, log, pollMs: config.jobsPollMs, handlers: { [HEALTH_CHECK_JOB]: healthCheckJob(deps), ...warRoomJobs(deps), ...retentionJobs(deps) }, periodic: [STALE_WAR_ROOMS_SWEEP, RETENTION_SWEEP, LIVE_POLL] });
  return {
    app,
    deps,
    log,
    engine: database.engine,
    live,
    sandboxControlToken: sandbox?.controlToken ?? null,
    googleSandboxControlToken: googleSandbox?.controlToken ?? null,
    async afterListen() {
      if (database.engine === 'pglite') warm();
      await sandbox?.subscribeWebhooks();
    },
    async stop() {
      // War-room creates in flight (clicks and automation) finish and record Zoom's answer before the
      // database closes; past the bound, their rows stay `creating` for the stale-war-room sweep.
      // One deadline for both: a job mid-way (a sweep searching Zoom, say) is not waited for past it;
      // its lock runs out and another run picks the job up again.
      const drainMs = opts.drainMs ?? WAR_ROOM_DRAIN_MS;
      const deadline = Date.now() + drainMs;
      const workerStopped = worker?.stop() ?? Promise.resolve();
      if (!(await drainWarRoomCreates(drainMs))) log.warn('war room creates still running at shutdown: the stale-war-room sweep will settle them');
      let timer: NodeJS.Timeout | undefined;
      const outOfTime = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), Math.max(0, deadline - Date.now()))));
      if ((await Promise.race([workerStopped.then(() => 'done' as const), outOfTime])) === 'late') log.warn('a background job was still running at shutdown: it will run again after its lock expires');
      clearTimeout(timer);
      await sandbox?.close();
      await googleSandbox?.close();
      await live.close();
      await database.close();
      release();
    },
  };
}
