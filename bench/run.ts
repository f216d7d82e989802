// `npm run bench`: every row of the performance table (README › Performance) in one run. Runframe runs
// as `npm start` does, in its own process, against the standalone Zoom sandbox with a fixed added
// latency on meeting creates; what each row compares is measured in the same run, interleaved.
// Prints the table with its targets and writes bench-results.json (git-ignored).
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import pg from 'pg';
import { createZoomClient } from '../src/integrations/zoom/index.ts';
import { load, median, p99, quantile, request } from './lib/load.ts';
import { ROOT, bootstrap, buildRunframe, randomName, rssMiB, runframeEnv, startEmptyServer, startRunframeProcess, startZoomSandbox, type Child } from './lib/processes.ts';
import { api, connectZoom, declare, signIn, type Member } from './lib/runframe.ts';

const num = (name: string, def: number) => Number(process.env[name] ?? def);
const LATENCY_MS = num('BENCH_ZOOM_LATENCY_MS', 100);
const SERIAL = num('BENCH_SERIAL', 40);
const BURST = num('BENCH_BURST', 50);
const BURST_ROUNDS = num('BENCH_BURST_ROUNDS', 4);
const LOAD_SECONDS = num('BENCH_LOAD_SECONDS', 3);
const LOAD_ROUNDS = num('BENCH_LOAD_ROUNDS', 2);
const BIG_ORG = num('BENCH_BIG_ORG', 100_000);
const BIG_TIMELINE = num('BENCH_BIG_TIMELINE', 20_000);
const ADMIN_URL = process.env['BENCH_DATABASE_URL'] ?? process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ENGINES = (process.env['BENCH_ENGINES'] ?? 'postgres,pglite').split(',');
// Which groups of rows to measure (all by default): war-rooms, reads, scale, live, start-up.
const ONLY = (process.env['BENCH_ONLY'] ?? 'war-rooms,reads,scale,live,start-up').split(',');
const measures = (group: string) => ONLY.includes(group);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
const time = async <T>(fn: () => Promise<T>) => {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
};
const say = (s: string) => process.stderr.write(`bench: ${s}\n`);

interface Row {
  what: string;
  engine: 'postgres' | 'pglite';
  value: string;
  target: string;
  met: boolean;
  detail: Record<string, number>;
}
const rows: Row[] = [];
const children: Child[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

await buildRunframe();

// ---- The Zoom sandbox, with L added to every meeting create, and a bare client of its own app.
const zoom = await startZoomSandbox();
children.push(zoom.child);
const control = (method: string, p: string, body: unknown) =>
  request(`${zoom.url}/_control${p}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
await control('POST', '/settings', { dailyLimit: 10_000_000 });
await control('POST', '/faults', { endpoint: 'POST /v2/users/:userId/meetings', forMs: 24 * 3_600_000, fault: { kind: 'delay', ms: LATENCY_MS } });
await control('POST', '/apps', { name: 'Bench direct', clientId: 'bench-direct', clientSecret: 'bench-direct-secret', redirectUris: ['http://bench.invalid/cb'], scopes: ['user:read:user', 'meeting:write:meeting', 'meeting:read:meeting'] });
const directToken = await (async () => {
  const q = new URLSearchParams({ response_type: 'code', client_id: 'bench-direct', redirect_uri: 'http://bench.invalid/cb', state: 's' });
  const consent = await request(`${zoom.url}/oauth/authorize?${q}`);
  const form = new URLSearchParams();
  for (const m of consent.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.append(m[1] ?? '', (m[2] ?? '').replace(/&amp;/g, '&'));
  for (const m of consent.body.matchAll(/name="scope" value="([^"]+)"/g)) form.append('scope', m[1] ?? '');
  form.set('user_id', 'sandboxHostUser0000001');
  form.set('decision', 'allow');
  const d = await request(`${zoom.url}/oauth/authorize/decision`, { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  if (d.status !== 302) throw new Error(`sandbox consent answered ${d.status}: ${d.body.slice(0, 300)}`);
  const code = new URL(String(d.headers.location)).searchParams.get('code') ?? '';
  const t = await request(`${zoom.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('bench-direct:bench-direct-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: 'http://bench.invalid/cb' }).toString(),
  });
  return (JSON.parse(t.body) as { access_token: string }).access_token;
})();
const zoomClient = createZoomClient({ apiBaseUrl: `${zoom.url}/v2` });
const bareCreate = () => zoomClient.createMeeting(directToken, { topic: 'bench', agenda: 'bench', startTime: new Date(), durationMinutes: 60 });

const empty = await startEmptyServer();
children.push(empty.child);

const pgAdmin = new pg.Client({ connectionString: ADMIN_URL });

async function warRoomRows(engine: Row['engine'], m: Member) {
  // 1 at a time: a bare create, then Create War Room on a fresh incident, alternately. Both over a kept-alive
  // connection (the bare client's fetch keeps its connection to the sandbox open too).
  const bare: number[] = [];
  const viaRunframe: number[] = [];
  const serialAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < SERIAL; i++) {
    bare.push((await time(bareCreate)).ms);
    const inc = await declare(m, `Serial ${i}`);
    const r = await time(() => api(m, 'POST', `/incidents/${inc.id}/war-room`, {}, serialAgent));
    if (r.value.status !== 201) throw new Error(`war room answered ${r.value.status}: ${r.value.body}`);
    viaRunframe.push(r.ms);
  }
  serialAgent.destroy();
  const m1 = median(viaRunframe) / median(bare);
  const q1 = p99(viaRunframe) / p99(bare);
  rows.push({ what: `War-room POST ÷ Zoom create (L=${LATENCY_MS} ms), 1 at a time`, engine, value: `median ${m1.toFixed(2)}, p99 ${q1.toFixed(2)}`, target: 'median ≤ 1.10, p99 ≤ 1.50', met: m1 <= 1.1 && q1 <= 1.5, detail: { medianMs: median(viaRunframe), p99Ms: p99(viaRunframe), bareMedianMs: median(bare), bareP99Ms: p99(bare) } });

  // 50 at once, rounds alternating: 50 bare creates together, then 50 war rooms on 50 incidents together.
  const bareBurst: number[] = [];
  const rfBurst: number[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: BURST });
  for (let round = 0; round < BURST_ROUNDS; round++) {
    bareBurst.push(...(await Promise.all(Array.from({ length: BURST }, () => time(bareCreate).then((r) => r.ms)))));
    const incs = [];
    for (let i = 0; i < BURST; i++) incs.push(await declare(m, `Burst ${round}.${i}`));
    const results = await Promise.all(incs.map((inc) => time(() => api(m, 'POST', `/incidents/${inc.id}/war-room`, {}, agent))));
    for (const r of results) if (r.value.status !== 201) throw new Error(`war room (burst) answered ${r.value.status}: ${r.value.body}`);
    rfBurst.push(...results.map((r) => r.ms));
  }
  agent.destroy();
  const m2 = median(rfBurst) / median(bareBurst);
  const q2 = p99(rfBurst) / p99(bareBurst);
  rows.push({ what: `Same, ${BURST} incidents at once ÷ bare Zoom at ${BURST} at once`, engine, value: `median ${m2.toFixed(2)}, p99 ${q2.toFixed(2)}`, target: 'median ≤ 1.25, p99 ≤ 2.0', met: m2 <= 1.25 && q2 <= 2.0, detail: { medianMs: median(rfBurst), p99Ms: p99(rfBurst), bareMedianMs: median(bareBurst), bareP99Ms: p99(bareBurst) } });
}

/** Runframe and the empty route alternately, LOAD_ROUNDS times each; rates are summed over the rounds. */
async function versusEmpty(url: string, headers: Record<string, string>) {
  const rf = { n: 0, s: 0, lat: [] as number[], errors: 0 };
  const base = { n: 0, s: 0 };
  for (let i = 0; i < LOAD_ROUNDS; i++) {
    const e = await load(empty.url, { connections: 50, seconds: LOAD_SECONDS });
    base.n += e.requests;
    base.s += e.seconds;
    const r = await load(url, { connections: 50, seconds: LOAD_SECONDS, headers });
    rf.n += r.requests;
    rf.s += r.seconds;
    rf.lat.push(...r.latencies);
    rf.errors += r.errors;
  }
  if (rf.errors > 0) throw new Error(`${rf.errors} requests to ${url} failed`);
  return { ratio: rf.n / rf.s / (base.n / base.s), rps: rf.n / rf.s, emptyRps: base.n / base.s, p99: p99(rf.lat), median: median(rf.lat), p90: quantile(rf.lat, 0.9), max: Math.max(...rf.lat) };
}

async function readRows(engine: Row['engine'], m: Member) {
  const inc = await declare(m, 'Read me');
  for (let i = 0; i < 10; i++) await api(m, 'POST', `/incidents/${inc.id}/notes`, { body: `Note ${i}` });
  const g = await versusEmpty(`${m.base}/api/v1/incidents/${inc.id}`, { authorization: `Bearer ${m.token}` });
  rows.push({ what: 'GET /api/v1/incidents/{id} req/s ÷ empty Hono route, 50 connections', engine, value: g.ratio.toFixed(3), target: '≥ 0.15', met: g.ratio >= 0.15, detail: g });
  const p = await versusEmpty(`${m.base}/incidents/${inc.number}`, { cookie: m.cookie, accept: 'text/html' });
  rows.push({ what: 'Incident page (HTML, signed in) req/s ÷ empty route, 50 connections', engine, value: `${p.ratio.toFixed(3)}, p99 ${p.p99.toFixed(0)} ms`, target: '≥ 0.10, p99 ≤ 100 ms', met: p.ratio >= 0.1 && p.p99 <= 100, detail: p });
}

/** One request at a time, alternating between the two pages; latency ratio of the medians. */
async function alternate(a: { url: string; cookie: string }, b: { url: string; cookie: string }, n = 60) {
  const la: number[] = [];
  const lb: number[] = [];
  for (let i = 0; i < n; i++) {
    for (const [x, out] of [[a, la], [b, lb]] as const) {
      const r = await time(() => request(x.url, { headers: { cookie: x.cookie, accept: 'text/html' } }));
      if (r.value.status !== 200) throw new Error(`${x.url} answered ${r.value.status}`);
      out.push(r.ms);
    }
  }
  return { small: median(la), big: median(lb), bigP99: p99(lb), ratio: median(lb) / median(la) };
}

async function scaleRows(m: Member, small: Member, big: Member, dbUrl: string, orgIds: { small: string; big: string }) {
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  try {
    // Incidents: 100 in the member's organization, BIG_ORG in the other, spread over statuses and severities.
    const seed = async (orgId: string, n: number) => {
      await db.query(
        `insert into incidents (id, org_id, number, title, summary, severity, status, created_at, updated_at, resolved_at)
         select gen_random_uuid(), $1, g, 'Seeded incident ' || g, '', (array['SEV0','SEV1','SEV2','SEV3','SEV4'])[1 + g % 5],
                (array['resolved','closed','investigating','fixing','monitoring','resolved','closed','closed','resolved','closed'])[1 + g % 10],
                now() - make_interval(mins => $2::int - g), now() - make_interval(mins => $2::int - g), null
         from generate_series((select incident_seq from organizations where id = $1) + 1, (select incident_seq from organizations where id = $1) + $2::int) g`,
        [orgId, n],
      );
      await db.query(`update organizations set incident_seq = (select max(number) from incidents where org_id = $1) where id = $1`, [orgId]);
    };
    say('seeding incidents');
    await seed(orgIds.small, 100);
    await seed(orgIds.big, BIG_ORG);
    await db.query('analyze');
    // 200 loads of each: a p99 of 60 is the slowest one.
    const l = await alternate({ url: `${small.base}/incidents`, cookie: small.cookie }, { url: `${big.base}/incidents`, cookie: big.cookie }, 200);
    rows.push({ what: `Incident list page 1, org with ${BIG_ORG} incidents ÷ org with 100`, engine: 'postgres', value: `${l.ratio.toFixed(2)}×, p99 ${l.bigP99.toFixed(0)} ms`, target: '≤ 1.5×, p99 ≤ 50 ms', met: l.ratio <= 1.5 && l.bigP99 <= 50, detail: l });

    say('seeding a long timeline');
    const ten = await declare(m, 'Ten entries');
    for (let i = 0; i < 9; i++) await api(m, 'POST', `/incidents/${ten.id}/notes`, { body: `Note ${i}` });
    const long = await declare(m, 'Twenty thousand entries');
    await db.query(
      `insert into timeline_entries (id, org_id, incident_id, kind, actor_label, body, data, created_at)
       select gen_random_uuid(), org_id, id, 'note', 'Bench', 'A note of moderate length, like the ones people write during an incident: ' || g, '{}'::jsonb, now()
       from incidents, generate_series(1, $2::int) g where id = $1`,
      [long.id, BIG_TIMELINE - 1],
    );
    await db.query('analyze timeline_entries');
    const t = await alternate({ url: `${m.base}/incidents/${ten.number}`, cookie: m.cookie }, { url: `${m.base}/incidents/${long.number}`, cookie: m.cookie });
    rows.push({ what: `Incident page with ${BIG_TIMELINE} timeline entries ÷ with 10`, engine: 'postgres', value: `${t.ratio.toFixed(2)}×`, target: '≤ 2×', met: t.ratio <= 2, detail: t });
  } finally {
    await db.end();
  }
}

/** SSE watchers of one incident spread over two processes; a note added on one reaches them all. */
async function liveRow(m: Member, second: string, dbUrl: string) {
  const WATCHERS = num('BENCH_WATCHERS', 300);
  const CHANGES = num('BENCH_CHANGES', 5);
  const inc = await declare(m, 'Watched by many');
  const sockets: http.ClientRequest[] = [];
  let onChange: ((i: number) => void) | null = null;
  const ready = await Promise.all(
    Array.from({ length: WATCHERS }, (_, i) =>
      new Promise<void>((resolve, reject) => {
        const base = i % 2 === 0 ? m.base : second;
        const req = http.get(`${base}/incidents/${inc.number}/live`, { headers: { cookie: m.cookie, accept: 'text/event-stream' }, agent: false }, (res) => {
          if (res.statusCode !== 200) return reject(new Error(`live stream answered ${res.statusCode}`));
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (chunk.includes('event: ready')) resolve();
            if (chunk.includes('event: change')) onChange?.(i);
          });
        });
        req.on('error', reject);
        sockets.push(req);
      }),
    ),
  );
  void ready;
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  // Reads of Runframe's tables, the job queue's excepted (each process polls it once a second, watchers or not).
  const reads = async () =>
    Number((await db.query(`select coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0) as n from pg_stat_user_tables where relname <> 'jobs'`)).rows[0]?.n ?? 0);
  // Idle: table reads in a quiet 3 s with every watcher open (compare with none open below). The least of
  // three windows: a periodic job (once a minute, in either process) lands in one window now and then,
  // watchers or not. A PostgreSQL backend that goes idle reports the reads it made up to 10 s later
  // (PGSTAT_IDLE_INTERVAL), so the windows begin 11 s after the last request: before, the reads made
  // while the watchers connected could land in all three (+2, once +398).
  const quietest = async () => {
    await new Promise((r) => setTimeout(r, 11_000));
    let least = Infinity;
    for (let w = 0; w < 3; w++) {
      const c = await reads();
      await new Promise((r) => setTimeout(r, 3000));
      least = Math.min(least, (await reads()) - c);
    }
    return least;
  };
  const idleWith = await quietest();
  const delays: number[] = [];
  for (let k = 0; k < CHANGES; k++) {
    const seen = new Set<number>();
    const t0 = performance.now();
    const all = new Promise<void>((resolve) => {
      onChange = (i) => {
        if (seen.has(i)) return;
        seen.add(i);
        delays.push(performance.now() - t0);
        if (seen.size === WATCHERS) resolve();
      };
    });
    await api(m, 'POST', `/incidents/${inc.id}/notes`, { body: `Change ${k}` });
    await Promise.race([all, new Promise((r) => setTimeout(r, 10_000))]);
    if (seen.size < WATCHERS) throw new Error(`only ${seen.size} of ${WATCHERS} watchers heard change ${k} within 10 s`);
  }
  for (const s of sockets) s.destroy();
  await new Promise((r) => setTimeout(r, 500));
  const idleWithout = await quietest();
  await db.end();
  const q = p99(delays);
  rows.push({ what: `${WATCHERS} watchers of one incident on 2 processes: a change reaches all`, engine: 'postgres', value: `p99 ${q.toFixed(0)} ms, idle +${Math.max(0, idleWith - idleWithout)} table reads/3 s`, target: 'p99 ≤ 1000 ms, idle: no queries', met: q <= 1000 && idleWith - idleWithout <= 0, detail: { p99Ms: q, medianMs: median(delays), idleReadsWith: idleWith, idleReadsWithout: idleWithout } });
}

async function member(base: string, creds: { apiToken: string }, email: string, connect: boolean): Promise<Member> {
  const m = await signIn(base, email, creds.apiToken);
  if (connect) await connectZoom(m);
  return m;
}

try {
  if (ENGINES.includes('postgres')) {
    await pgAdmin.connect();
    const dbName = `runframe_bench_${randomName()}`;
    await pgAdmin.query(`create database ${dbName}`);
    cleanups.push(async () => {
      await pgAdmin.query(`drop database if exists ${dbName} with (force)`);
    });
    const dbUrl = new URL(ADMIN_URL);
    dbUrl.pathname = `/${dbName}`;
    const env = runframeEnv({ port: await freePort(), zoomUrl: zoom.url, databaseUrl: dbUrl.toString(), dataDir: mkdtempSync(path.join(tmpdir(), 'rf-bench-pg-')) });
    const a = await bootstrap(env, 'owner@bench.test');
    const b = await bootstrap(env, 'big@bench.test');
    const c = await bootstrap(env, 'small@bench.test');
    const rf = await startRunframeProcess(env);
    children.push(rf.child);
    const m = await member(rf.base, a, 'owner@bench.test', true);
    const big = await member(rf.base, b, 'big@bench.test', false);
    const small = await member(rf.base, c, 'small@bench.test', false);
    if (measures('war-rooms')) {
      say('postgres: war rooms');
      await warRoomRows('postgres', m);
    }
    if (measures('reads')) {
      say('postgres: reads under load');
      await readRows('postgres', m);
    }
    if (measures('scale')) await scaleRows(m, small, big, dbUrl.toString(), { small: c.orgId, big: b.orgId });
    if (measures('live')) {
      say('postgres: live updates on two processes');
      const rf2 = await startRunframeProcess({ ...env, PORT: String(await freePort()) });
      children.push(rf2.child);
      await liveRow(m, rf2.base, dbUrl.toString());
      await rf2.child.stop();
    }
    await rf.child.stop();
  }
  if (ENGINES.includes('pglite')) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'rf-bench-pglite-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const env = runframeEnv({ port: await freePort(), zoomUrl: zoom.url, dataDir });
    // A new data dir: created by the server itself, as on a first `npm start`; idle memory after 3 s.
    const first = await startRunframeProcess(env);
    children.push(first.child);
    await new Promise((r) => setTimeout(r, 3000));
    const newRss = rssMiB(first.child.proc.pid ?? 0);
    await first.child.stop();
    const creds = await bootstrap(env, 'owner@bench.test');
    // Reopening: three starts, spawn to /readyz.
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await startRunframeProcess(env);
      starts.push(s.ms);
      await s.child.stop();
    }
    const rf = await startRunframeProcess(env);
    children.push(rf.child);
    await new Promise((r) => setTimeout(r, 3000));
    const reopenedRss = rssMiB(rf.child.proc.pid ?? 0);
    if (measures('start-up')) {
      rows.push({ what: 'Start-up to ready, existing PGlite data dir', engine: 'pglite', value: `${(median(starts) / 1000).toFixed(2)} s`, target: '≤ 2 s', met: median(starts) <= 2000, detail: { medianMs: median(starts), maxMs: Math.max(...starts) } });
      rows.push({ what: 'Idle memory, new PGlite data dir', engine: 'pglite', value: `${newRss.toFixed(0)} MiB (reopened ${reopenedRss.toFixed(0)} MiB)`, target: '≤ 400 MiB', met: newRss <= 400, detail: { newMiB: newRss, reopenedMiB: reopenedRss } });
    }
    const m = await member(rf.base, creds, 'owner@bench.test', true);
    if (measures('war-rooms')) {
      say('pglite: war rooms');
      await warRoomRows('pglite', m);
    }
    if (measures('reads')) {
      say('pglite: reads under load');
      await readRows('pglite', m);
    }
    await rf.child.stop();
  }
} finally {
  for (const c of children.reverse()) await c.stop();
  for (const f of cleanups) await f();
  await pgAdmin.end().catch(() => undefined);
}

const commit = await new Promise<string>((resolve) => {
  import('node:child_process').then(({ execFile }) => execFile('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }, (_e, out) => resolve(String(out).trim())));
});
const width = Math.max(...rows.map((r) => r.what.length + r.engine.length + 3));
console.log(`Runframe bench — ${new Date().toISOString()}, commit ${commit}, ${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log(`Zoom sandbox latency L = ${LATENCY_MS} ms on meeting creates\n`);
console.log(`${'What'.padEnd(width)}  ${'Measured'.padEnd(34)}  ${'Target'.padEnd(26)}  Met`);
for (const r of rows) console.log(`${`${r.what} [${r.engine}]`.padEnd(width)}  ${r.value.padEnd(34)}  ${r.target.padEnd(26)}  ${r.met ? 'met' : 'NOT MET'}`);
const out = path.join(ROOT, 'bench-results.json');
writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), commit, cores: cpus().length, loadavg: loadavg(), latencyMs: LATENCY_MS, rows }, null, 2) + '\n');
console.log(`\n${rows.filter((r) => r.met).length} of ${rows.length} met. Figures in ${path.relative(process.cwd(), out)}.`);
if (rows.some((r) => !r.met)) process.exitCode = 1;
