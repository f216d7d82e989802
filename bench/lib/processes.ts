// Child processes for the bench: the standalone Zoom sandbox, Runframe (as `npm start` runs it) and the
// empty-route yardstick. Each runs in its own process, so the load generator never shares their event loop.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from './load.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = path.join(ROOT, 'node_modules/tsx/dist/esm/index.mjs');

export interface Child {
  proc: ChildProcess;
  stop(): Promise<void>;
}

function own(proc: ChildProcess): Child {
  return {
    proc,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 20_000).unref();
      }),
  };
}

/** Starts a node script and resolves with the first stdout line matching `ready`. */
async function startScript(args: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: Child; match: RegExpMatchArray }> {
  const proc = spawn(process.execPath, ['--import', TSX, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) {
        proc.stdout?.off('data', onData);
        proc.stdout?.resume();
        resolve(m);
      }
    };
    proc.stdout?.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${err.slice(-2000)}`)));
  });
  return { child: own(proc), match };
}

export const BENCH_PUBLIC_URL = 'https://runframe.bench.invalid';
export const CLIENT_ID = 'rf-bench';
export const CLIENT_SECRET = 'rf-bench-secret';

export async function startZoomSandbox(): Promise<{ url: string; child: Child }> {
  const { child, match } = await startScript(
    ['src/zoom-sandbox/standalone.ts', '--port', '0', '--client-id', CLIENT_ID, '--client-secret', CLIENT_SECRET, '--redirect-uri', `${BENCH_PUBLIC_URL}/integrations/zoom/callback`],
    {},
    /listening at (http:\/\/\S+)/,
  );
  const url = (match[1] ?? '').replace('localhost', '127.0.0.1');
  return { url, child };
}

export async function startEmptyServer(): Promise<{ url: string; child: Child }> {
  const { child, match } = await startScript(['bench/empty-server.ts'], {}, /listening (\d+)/);
  return { url: `http://127.0.0.1:${match[1]}/empty`, child };
}

export function runframeEnv(opts: { port: number; zoomUrl: string; databaseUrl?: string; dataDir: string }): Record<string, string> {
  return {
    PORT: String(opts.port),
    HOST: '127.0.0.1',
    PUBLIC_URL: BENCH_PUBLIC_URL,
    DATA_DIR: opts.dataDir,
    LOG_LEVEL: 'info',
    SECRET_KEY: 'bench-secret-key-bench-secret-key-0123456789',
    ENCRYPTION_KEYS: `1:${Buffer.alloc(32, 7).toString('base64')}`,
    ZOOM_CLIENT_ID: CLIENT_ID,
    ZOOM_CLIENT_SECRET: CLIENT_SECRET,
    ZOOM_WEBHOOK_SECRET_TOKEN: 'bench-webhook-secret',
    ZOOM_OAUTH_BASE_URL: opts.zoomUrl,
    ZOOM_API_BASE_URL: `${opts.zoomUrl}/v2`,
    ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
  };
}

/** `bin/runframe bootstrap`: an organization, its Owner and an API token. */
export async function bootstrap(env: Record<string, string>, email: string): Promise<{ orgId: string; userId: string; apiToken: string }> {
  const proc = spawn(process.execPath, ['--import', TSX, 'src/cli/main.ts', 'bootstrap', '--org', `Bench ${email}`, '--email', email, '--password', PASSWORD], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  if (code !== 0) throw new Error(`bootstrap failed: ${err}`);
  return JSON.parse(out) as { orgId: string; userId: string; apiToken: string };
}

export const PASSWORD = 'correct horse battery staple';

/** `npm start`'s build step (prestart), once per bench run. */
export async function buildRunframe(): Promise<void> {
  const proc = spawn(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  if (code !== 0) throw new Error(`npm run build failed (${code})`);
}

/** Starts Runframe like `npm start` (after buildRunframe) and resolves when /readyz says ready; `ms` is spawn to ready. */
export async function startRunframeProcess(env: Record<string, string>): Promise<{ child: Child; base: string; ms: number }> {
  const t0 = performance.now();
  // BENCH_RUNFRAME_NODE_ARGS: extra node flags for Runframe only (e.g. --cpu-prof while profiling).
  const extra = (process.env['BENCH_RUNFRAME_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...extra, 'dist/runframe.mjs'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  // BENCH_SHOW_STDERR=1 passes Runframe's stderr through (diagnostics while profiling).
  if (process.env['BENCH_SHOW_STDERR']) proc.stderr.on('data', (d: Buffer) => process.stderr.write(d));
  proc.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') process.stderr.write(`bench: Runframe exited (${code ?? signal}): ${err.slice(-3000)}\n`);
  });
  const base = `http://127.0.0.1:${env['PORT']}`;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`Runframe exited ${proc.exitCode}: ${err.slice(-2000)}`);
    const ok = await request(`${base}/readyz`).then((r) => r.status === 200, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  return { child: own(proc), base, ms: performance.now() - t0 };
}

/** Resident memory of a process, from /proc (Linux). */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export const randomName = () => randomBytes(4).toString('hex');
