import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { KeyRing, PasswordHashing } from '../platform/crypto.ts';
import { parseTrustedProxies, type TrustedProxies } from '../platform/proxies.ts';

const intFrom = (name: string, def: number, min: number, max: number) =>
  z.coerce
    .number({ error: `${name} must be a whole number` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max}`)
    .default(def);

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** Every setting Runframe reads, all from the environment. `.env.example` documents each. */
export const EnvSchema = z.object({
  PORT: intFrom('PORT', 3000, 1, 65535),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: optionalText.pipe(
    z.url({ protocol: /^https?$/, error: 'PUBLIC_URL must be an http(s) URL such as https://runframe.example.com' }).optional(),
  ),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// or postgresql://')
      .optional(),
  ),
  DATABASE_POOL_SIZE: intFrom('DATABASE_POOL_SIZE', 10, 1, 1000),
  // -1 (unset or empty): the whole pool, resolved below.
  DATABASE_POOL_KEEP_OPEN: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), intFrom('DATABASE_POOL_KEEP_OPEN', -1, 0, 1000)),
  SECRET_KEY: optionalText.pipe(
    z.string().min(32, 'SECRET_KEY must be at least 32 characters (e.g. `openssl rand -base64 48`)').optional(),
  ),
  ENCRYPTION_KEYS: optionalText,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_HOURS: intFrom('SESSION_TTL_HOURS', 72, 1, 24 * 90),
  SIGN_IN_MAX_FAILURES: intFrom('SIGN_IN_MAX_FAILURES', 10, 1, 1000),
  SIGN_IN_WINDOW_MINUTES: intFrom('SIGN_IN_WINDOW_MINUTES', 15, 1, 24 * 60),
  SIGN_IN_MAX_FAILURES_PER_ADDRESS: intFrom('SIGN_IN_MAX_FAILURES_PER_ADDRESS', 30, 1, 100_000),
  TRUSTED_PROXIES: optionalText,
  // log2 of scrypt's N: 17 is OWASP's current advice (N = 2^17, r = 8, p = 1); 14 is the floor.
  PASSWORD_HASH_COST: intFrom('PASSWORD_HASH_COST', 17, 14, 20),
  PASSWORD_HASH_CONCURRENCY: intFrom('PASSWORD_HASH_CONCURRENCY', 2, 1, 64),
  JOBS_POLL_MS: intFrom('JOBS_POLL_MS', 1000, 50, 60_000),
  WAR_ROOM_TTL_HOURS: intFrom('WAR_ROOM_TTL_HOURS', 24, 1, 24 * 30),
  HEALTH_CHECK_INTERVAL_MINUTES: intFrom('HEALTH_CHECK_INTERVAL_MINUTES', 360, 1, 7 * 24 * 60),
  METRICS_TOKEN: optionalText.pipe(z.string().min(24, 'METRICS_TOKEN must be at least 24 characters (e.g. `openssl rand -hex 24`)').optional()),
  ZOOM_CLIENT_ID: optionalText,
  ZOOM_CLIENT_SECRET: optionalText,
  ZOOM_WEBHOOK_SECRET_TOKEN: optionalText,
  ZOOM_OAUTH_BASE_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'ZOOM_OAUTH_BASE_URL must be an http(s) URL' }).optional()),
  ZOOM_API_BASE_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'ZOOM_API_BASE_URL must be an http(s) URL' }).optional()),
  GOOGLE_CLIENT_ID: optionalText,
  GOOGLE_CLIENT_SECRET: optionalText,
  GOOGLE_AUTH_BASE_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'GOOGLE_AUTH_BASE_URL must be an http(s) URL' }).optional()),
  GOOGLE_TOKEN_BASE_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'GOOGLE_TOKEN_BASE_URL must be an http(s) URL' }).optional()),
  GOOGLE_USERINFO_BASE_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'GOOGLE_USERINFO_BASE_URL must be an http(s) URL' }).optional()),
  GOOGLE_MEET_API_BASE_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'GOOGLE_MEET_API_BASE_URL must be an http(s) URL' }).optional()),
});

/**
 * Zoom settings. With ZOOM_CLIENT_ID Runframe talks to real Zoom; without it (demo mode) the built-in
 * sandbox is mounted at /zoom-sandbox and these settings point at it. No other code branches on the mode.
 */
export interface ZoomConfig {
  mode: 'zoom' | 'sandbox';
  clientId: string;
  clientSecret: string;
  webhookSecretToken: string;
  oauthBaseUrl: string;
  apiBaseUrl: string;
  redirectUri: string;
  webhookUrl: string;
}

/**
 * Google Meet settings, one base URL per Google host the client uses. With GOOGLE_CLIENT_ID Runframe
 * talks to Google; without it, in demo mode (no ZOOM_CLIENT_ID either) the built-in Google sandbox is
 * mounted at /google-sandbox and these point at it; with only real Zoom configured, Google Meet is off.
 */
export interface GoogleConfig {
  mode: 'google' | 'sandbox' | 'off';
  clientId: string;
  clientSecret: string;
  /** https://accounts.google.com (the consent page). */
  authBaseUrl: string;
  /** https://oauth2.googleapis.com (token and revoke). */
  tokenBaseUrl: string;
  /** https://openidconnect.googleapis.com (userinfo). */
  userinfoBaseUrl: string;
  /** https://meet.googleapis.com (Meet REST API; paths start with v2/). */
  meetApiBaseUrl: string;
  redirectUri: string;
}

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  secureCookies: boolean;
  dataDir: string;
  databaseUrl: string | undefined;
  /** PostgreSQL connections per process (DATABASE_URL only). */
  databasePoolSize: number;
  /** Of those, how many the server opens at start and keeps open while idle (DATABASE_URL only). */
  databasePoolKeepOpen: number;
  /** Bearer token for /metrics; unset: /metrics is not served. */
  metricsToken: string | undefined;
  secretKey: string;
  keyRing: KeyRing;
  logLevel: string;
  sessionTtlHours: number;
  signIn: { maxFailures: number; maxFailuresPerAddress: number; windowMinutes: number };
  /** Peers whose X-Forwarded-For / X-Forwarded-Proto are believed (empty: none). */
  trustedProxies: TrustedProxies;
  passwordHashing: PasswordHashing;
  jobsPollMs: number;
  healthCheckIntervalMs: number;
  warRoomTtlHours: number;
  zoom: ZoomConfig;
  google: GoogleConfig;
  /** Messages for the start-up log (e.g. that secrets were generated). */
  notices: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** `1:<base64 of 32 bytes>,2:<…>`; the highest version seals new data. */
export function parseKeyRing(value: string): { ring?: KeyRing; problems: string[] } {
  const problems: string[] = [];
  const keys = new Map<number, Buffer>();
  for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+):(.+)$/.exec(part);
    if (!m) {
      problems.push('ENCRYPTION_KEYS entries must look like <version>:<base64 key>, e.g. 1:Zm9v…');
      continue;
    }
    const key = Buffer.from(m[2] ?? '', 'base64');
    if (key.length !== 32) problems.push(`ENCRYPTION_KEYS version ${m[1]} must be 32 bytes, base64-encoded (got ${key.length})`);
    else keys.set(Number(m[1]), key);
  }
  if (keys.size === 0 && problems.length === 0) problems.push('ENCRYPTION_KEYS is empty');
  if (problems.length > 0) return { problems };
  return { ring: { current: Math.max(...keys.keys()), keys }, problems };
}

const SecretsFile = z.object({ SECRET_KEY: z.string().min(32), ENCRYPTION_KEYS: z.string().min(1) });
type Secrets = z.infer<typeof SecretsFile>;
type Env = z.infer<typeof EnvSchema>;

/** Each setting on its own, so that one bad value never hides the problems of the others. */
function parseSettings(env: Record<string, string | undefined>): { e: Env; invalid: Set<keyof Env>; problems: string[] } {
  const values: Record<string, unknown> = {};
  const invalid = new Set<keyof Env>();
  const problems: string[] = [];
  for (const key of Object.keys(EnvSchema.shape) as (keyof Env)[]) {
    const r = EnvSchema.shape[key].safeParse(env[key]);
    if (r.success) values[key] = r.data;
    else {
      invalid.add(key);
      problems.push(...r.error.issues.map((i) => `${key}: ${i.message}`));
    }
  }
  // Invalid settings fall back to their defaults only so the checks below can run; the result is thrown away.
  return { e: { ...EnvSchema.parse({}), ...values }, invalid, problems };
}

/**
 * Parses the environment once and fails with every problem listed: each setting, then the rules that
 * tie settings together, then the generated secrets file. In embedded mode (no DATABASE_URL) missing
 * secrets are generated once into DATA_DIR/secrets.json (mode 0600); with DATABASE_URL they are required.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const { e, invalid, problems } = parseSettings(env);
  const given = (key: keyof Env) => (env[key] ?? '').trim() !== '';
  const notices: string[] = [];
  const dataDir = path.resolve(e.DATA_DIR);
  let secretKey = e.SECRET_KEY;
  let keyRing: KeyRing | undefined;

  // A DATABASE_URL that is set but malformed still means "server mode": never generate secrets for it.
  const serverMode = given('DATABASE_URL');
  if (serverMode) {
    if (!given('SECRET_KEY')) problems.push('SECRET_KEY is required when DATABASE_URL is set (e.g. `openssl rand -base64 48`)');
    if (!given('ENCRYPTION_KEYS')) problems.push('ENCRYPTION_KEYS is required when DATABASE_URL is set (e.g. `1:$(openssl rand -base64 32)`)');
  }
  if (e.DATABASE_POOL_KEEP_OPEN > e.DATABASE_POOL_SIZE) {
    problems.push(`DATABASE_POOL_KEEP_OPEN (${e.DATABASE_POOL_KEEP_OPEN}) must be at most DATABASE_POOL_SIZE (${e.DATABASE_POOL_SIZE})`);
  }
  if (e.ENCRYPTION_KEYS !== undefined) {
    const r = parseKeyRing(e.ENCRYPTION_KEYS);
    problems.push(...r.problems);
    keyRing = r.ring;
  }
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const real = e.ZOOM_CLIENT_ID !== undefined;
  if (real) {
    if (e.ZOOM_CLIENT_SECRET === undefined) problems.push('ZOOM_CLIENT_SECRET is required with ZOOM_CLIENT_ID (Zoom Marketplace › your app › App Credentials)');
    if (e.ZOOM_WEBHOOK_SECRET_TOKEN === undefined) problems.push('ZOOM_WEBHOOK_SECRET_TOKEN is required with ZOOM_CLIENT_ID (your app › Features › Access › Secret Token)');
    if (!invalid.has('PUBLIC_URL') && !publicUrl.startsWith('https://') && !isLoopbackUrl(publicUrl)) {
      problems.push('PUBLIC_URL must be https:// when ZOOM_CLIENT_ID is set (http:// only on localhost, 127.0.0.1 or [::1], e.g. against a standalone sandbox): Zoom only redirects and sends webhooks to https addresses');
    }
  }

  const realGoogle = e.GOOGLE_CLIENT_ID !== undefined;
  if (realGoogle) {
    if (e.GOOGLE_CLIENT_SECRET === undefined) problems.push('GOOGLE_CLIENT_SECRET is required with GOOGLE_CLIENT_ID (Google Cloud console › Google Auth Platform › Clients › your Web application client)');
    if (!invalid.has('PUBLIC_URL') && !publicUrl.startsWith('https://') && !isLoopbackUrl(publicUrl)) {
      problems.push('PUBLIC_URL must be https:// when GOOGLE_CLIENT_ID is set (http:// only on localhost, 127.0.0.1 or [::1]): Google accepts only https redirect URIs elsewhere');
    }
  }

  if (!serverMode && !invalid.has('DATA_DIR') && !invalid.has('SECRET_KEY') && !invalid.has('ENCRYPTION_KEYS') && (!given('SECRET_KEY') || !given('ENCRYPTION_KEYS'))) {
    // Only a configuration that is otherwise valid creates the file: a failed start leaves DATA_DIR as it was.
    const stored = loadOrCreateSecrets(dataDir, problems.length === 0);
    problems.push(...stored.problems);
    if (stored.created) notices.push(`Generated secret keys into ${stored.file} (mode 0600); keep this file with the data.`);
    if (stored.secrets) {
      secretKey ??= stored.secrets.SECRET_KEY;
      if (e.ENCRYPTION_KEYS === undefined) {
        const r = parseKeyRing(stored.secrets.ENCRYPTION_KEYS);
        if (r.problems.length > 0) problems.push(corruptSecrets(stored.file, r.problems.join('; ')));
        keyRing = r.ring;
      }
    }
  }
  const proxies = parseTrustedProxies(e.TRUSTED_PROXIES ?? '');
  problems.push(...proxies.problems.map((p) => `TRUSTED_PROXIES: ${p}`));
  if (problems.length > 0 || secretKey === undefined || keyRing === undefined) throw new ConfigError(problems);
  // Demo mode derives the sandbox app's secrets from SECRET_KEY: stable across restarts, never defaults.
  const derived = (label: string) => createHmac('sha256', secretKey).update(label).digest('base64url');
  const sandboxBase = `${publicUrl}/zoom-sandbox`;
  const zoom: ZoomConfig = {
    mode: real ? 'zoom' : 'sandbox',
    clientId: e.ZOOM_CLIENT_ID ?? 'runframe-demo-app',
    clientSecret: e.ZOOM_CLIENT_SECRET ?? derived('zoom-sandbox-client-secret'),
    webhookSecretToken: e.ZOOM_WEBHOOK_SECRET_TOKEN ?? derived('zoom-sandbox-webhook-secret'),
    oauthBaseUrl: (real ? (e.ZOOM_OAUTH_BASE_URL ?? 'https://zoom.us') : sandboxBase).replace(/\/+$/, ''),
    apiBaseUrl: (real ? (e.ZOOM_API_BASE_URL ?? 'https://api.zoom.us/v2') : `${sandboxBase}/v2`).replace(/\/+$/, ''),
    redirectUri: `${publicUrl}/integrations/zoom/callback`,
    webhookUrl: `${publicUrl}/webhooks/zoom`,
  };
  const googleSandbox = `${publicUrl}/google-sandbox`;
  const googleBase = (value: string | undefined, real: string) => (realGoogle ? (value ?? real) : googleSandbox).replace(/\/+$/, '');
  const google: GoogleConfig = {
    mode: realGoogle ? 'google' : real ? 'off' : 'sandbox',
    clientId: e.GOOGLE_CLIENT_ID ?? 'runframe-demo.apps.googleusercontent.com',
    clientSecret: e.GOOGLE_CLIENT_SECRET ?? derived('google-sandbox-client-secret'),
    authBaseUrl: googleBase(e.GOOGLE_AUTH_BASE_URL, 'https://accounts.google.com'),
    tokenBaseUrl: googleBase(e.GOOGLE_TOKEN_BASE_URL, 'https://oauth2.googleapis.com'),
    userinfoBaseUrl: googleBase(e.GOOGLE_USERINFO_BASE_URL, 'https://openidconnect.googleapis.com'),
    meetApiBaseUrl: googleBase(e.GOOGLE_MEET_API_BASE_URL, 'https://meet.googleapis.com'),
    redirectUri: `${publicUrl}/integrations/google_meet/callback`,
  };

  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    secureCookies: publicUrl.startsWith('https://'),
    dataDir,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    databasePoolKeepOpen: e.DATABASE_POOL_KEEP_OPEN < 0 ? e.DATABASE_POOL_SIZE : e.DATABASE_POOL_KEEP_OPEN,
    metricsToken: e.METRICS_TOKEN,
    secretKey,
    keyRing,
    logLevel: e.LOG_LEVEL,
    sessionTtlHours: e.SESSION_TTL_HOURS,
    signIn: { maxFailures: e.SIGN_IN_MAX_FAILURES, maxFailuresPerAddress: e.SIGN_IN_MAX_FAILURES_PER_ADDRESS, windowMinutes: e.SIGN_IN_WINDOW_MINUTES },
    trustedProxies: proxies.proxies,
    passwordHashing: { cost: e.PASSWORD_HASH_COST, concurrency: e.PASSWORD_HASH_CONCURRENCY },
    jobsPollMs: e.JOBS_POLL_MS,
    healthCheckIntervalMs: e.HEALTH_CHECK_INTERVAL_MINUTES * 60_000,
    warRoomTtlHours: e.WAR_ROOM_TTL_HOURS,
    zoom,
    google,
    notices,
  };
}

/** Local development against a standalone sandbox: the browser and the sandbox are on this machine. */
function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
  } catch {
    return false;
  }
}

const corruptSecrets = (file: string, detail: string) =>
  `${file} is not a valid Runframe secrets file (${detail}). Restore it from your backup of DATA_DIR (data sealed with its keys cannot be read without them), ` +
  'or set SECRET_KEY and ENCRYPTION_KEYS in the environment; only on a new installation with nothing to keep, delete the file and Runframe generates new keys.';

const errorCode = (err: unknown) => (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));

/** Reads DATA_DIR/secrets.json, or creates it when allowed; every failure is a problem naming the file and what to do. */
function loadOrCreateSecrets(dataDir: string, mayCreate: boolean): { file: string; created: boolean; secrets?: Secrets; problems: string[] } {
  const file = path.join(dataDir, 'secrets.json');
  const read = () => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      return { file, created: false, problems: [`${file} could not be read (${errorCode(err)}): make it readable by the user running Runframe, or set SECRET_KEY and ENCRYPTION_KEYS.`] };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { file, created: false, problems: [corruptSecrets(file, 'it is not valid JSON')] };
    }
    const parsed = SecretsFile.safeParse(json);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'the file'}: ${i.message}`).join('; ');
      return { file, created: false, problems: [corruptSecrets(file, detail)] };
    }
    return { file, created: false, secrets: parsed.data, problems: [] };
  };
  if (existsSync(file)) return read();
  if (!mayCreate) return { file, created: false, problems: [] };
  const secrets = {
    SECRET_KEY: randomBytes(48).toString('base64'),
    ENCRYPTION_KEYS: `1:${randomBytes(32).toString('base64')}`,
  };
  try {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  } catch (err) {
    // Another process started at the same moment and wrote it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return read();
    return {
      file,
      created: false,
      problems: [`Could not write generated secret keys to ${file} (${errorCode(err)}): make DATA_DIR writable by the user running Runframe, or set SECRET_KEY and ENCRYPTION_KEYS.`],
    };
  }
  return { file, created: true, secrets, problems: [] };
}
