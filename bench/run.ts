// `npm run bench`: how much Runframe adds on the way to a working war room, measured in one run.
// A: the Zoom client alone creating meetings on a Zoom sandbox. B: Runframe's Create War Room
// (API, PGlite, the one token getter, timeline, audit) against its built-in sandbox. The ratio B/A
// is Runframe's overhead; C checks that 20 simultaneous clicks still make one meeting, and how fast.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { loadConfig } from '../src/config/index.ts';
import { startRunframe } from '../src/server.ts';
import { signUp } from '../src/domain/orgs/sign-up.ts';
import { createApiToken } from '../src/domain/orgs/create-api-token.ts';
import { createSession, resolveSession } from '../src/domain/orgs/sessions.ts';
import { systemMeta } from '../src/domain/context.ts';
import { createZoomClient } from '../src/integrations/zoom/index.ts';
import { HOST_ID, connect, startSandbox, testApp } from '../tests/zoom-sandbox/helpers.ts';

const N = Number(process.env['BENCH_N'] ?? 40);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))] ?? 0;
const time = async <T>(fn: () => Promise<T>) => {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
};

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

// A: the bare client.
const sandbox = await startSandbox();
await sandbox.sandbox.registerApp(testApp());
const tokens = await connect(sandbox);
const client = createZoomClient({ apiBaseUrl: `${sandbox.url}/v2` });
const direct: number[] = [];
for (let i = 0; i < N; i++) {
  direct.push((await time(() => client.createMeeting(tokens.access_token, { topic: `bench ${i}`, agenda: 'bench', startTime: new Date(), durationMinutes: 60 }))).ms);
}
await sandbox.close();

// B: Runframe end to end.
const dataDir = mkdtempSync(path.join(tmpdir(), 'rf-bench-'));
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const runframe = await startRunframe(loadConfig({ DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: url, LOG_LEVEL: 'silent' }), { worker: false });
const server = serve({ fetch: runframe.app.fetch, port, hostname: '127.0.0.1' });
await runframe.afterListen();
const deps = runframe.deps;
const signedUp = await signUp({ deps, meta: systemMeta(), input: { name: 'Bench', email: 'bench@example.com', password: 'correct horse battery', organizationName: 'Bench' } });
if (!signedUp.created) throw new Error('the bench database is fresh: the account must be new');
const { userId, orgId } = signedUp;
const actor = { userId, orgId, name: 'Bench', email: 'bench@example.com', role: 'owner' as const, via: 'cli' as const };
const token = (await createApiToken({ ctx: { ...deps, actor, meta: systemMeta() }, input: { name: 'bench' } })).token;
const cookie = await createSession(deps, userId, orgId);
const csrf = (await resolveSession(deps, cookie))?.csrfToken ?? '';

// Connect Zoom the way a browser does: Connect, consent (Allow), callback.
const start = await fetch(`${url}/integrations/zoom/connect`, { method: 'POST', redirect: 'manual', headers: { cookie: `rf_session=${cookie}`, 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${encodeURIComponent(csrf)}` });
if (start.status !== 303) throw new Error(`Connect answered ${start.status}: ${(await start.text()).slice(0, 300)}`);
const consentUrl = new URL(start.headers.get('location') ?? '');
const html = await (await fetch(consentUrl)).text();
const form = new URLSearchParams();
for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.append(m[1] ?? '', (m[2] ?? '').replace(/&amp;/g, '&'));
for (const m of html.matchAll(/name="scope" value="([^"]+)"/g)) form.append('scope', m[1] ?? '');
form.set('user_id', HOST_ID);
form.set('decision', 'allow');
const decided = await fetch(`${url}/zoom-sandbox/oauth/authorize/decision`, { method: 'POST', body: form, redirect: 'manual' });
if (decided.status !== 302) throw new Error(`consent answered ${decided.status}: ${(await decided.text()).slice(0, 300)}`);
const callback = new URL(decided.headers.get('location') ?? '');
const done = await fetch(callback, { redirect: 'manual', headers: { cookie: `rf_session=${cookie}` } });
if (!(done.headers.get('location') ?? '').includes('result=connected')) throw new Error(`could not connect Zoom: ${done.headers.get('location')}`);

const api = (method: string, p: string, body?: unknown) =>
  fetch(`${url}/api/v1${p}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
const declare = async (title: string) => ((await (await api('POST', '/incidents', { title, severity: 'SEV1' })).json()) as { incident: { id: string } }).incident.id;

const viaRunframe: number[] = [];
for (let i = 0; i < N; i++) {
  const id = await declare(`Bench ${i}`);
  const r = await time(() => api('POST', `/incidents/${id}/war-room`, {}));
  if (r.value.status !== 201) throw new Error(`war room answered ${r.value.status}`);
  viaRunframe.push(r.ms);
}

// C: twenty simultaneous clicks on one incident.
const id = await declare('Twenty clicks');
const before = ((await (await fetch(`${url}/zoom-sandbox/_control/calls`, { headers: { 'x-zoom-sandbox-control-token': runframe.sandboxControlToken ?? '' } })).json()) as { counts: Record<string, number> }).counts['POST /v2/users/:userId/meetings'] ?? 0;
const burst = await time(() => Promise.all(Array.from({ length: 20 }, () => api('POST', `/incidents/${id}/war-room`, {}).then(async (r) => ((await r.json()) as { warRoom: { joinUrl: string } }).warRoom.joinUrl))));
const after = ((await (await fetch(`${url}/zoom-sandbox/_control/calls`, { headers: { 'x-zoom-sandbox-control-token': runframe.sandboxControlToken ?? '' } })).json()) as { counts: Record<string, number> }).counts['POST /v2/users/:userId/meetings'] ?? 0;

server.close();
await runframe.stop();
rmSync(dataDir, { recursive: true, force: true });

const a = median(direct);
const b = median(viaRunframe);
console.log(`Create a war room, ${N} runs each (milliseconds, median / p95)`);
console.log(`  A  Zoom client alone against the sandbox:   ${a.toFixed(1)} / ${p95(direct).toFixed(1)}`);
console.log(`  B  Runframe Create War Room (API, PGlite):  ${b.toFixed(1)} / ${p95(viaRunframe).toFixed(1)}`);
console.log(`  ratio B/A (Runframe overhead factor):       ${(b / a).toFixed(2)}`);
console.log(`  added by Runframe per war room (B-A median): ${(b - a).toFixed(1)} ms`);
console.log(`  C  20 simultaneous creates on one incident: ${burst.ms.toFixed(1)} ms, ${after - before} Zoom meeting(s), ${new Set(burst.value).size} distinct link(s)`);
console.log(`  ratio C/B (20 racing clicks vs one click):  ${(burst.ms / b).toFixed(2)}`);
// The capacity target is a fact, not a speed: any second meeting or link fails the run.
if (after - before !== 1 || new Set(burst.value).size !== 1) {
  console.error(`FAILED: 20 simultaneous creates must make exactly 1 Zoom meeting and 1 link (got ${after - before} and ${new Set(burst.value).size})`);
  process.exitCode = 1;
}
