#!/usr/bin/env node
// `npm test`: type-check, then every test file once on PGlite, then the storage suites again on
// PostgreSQL when TEST_DATABASE_URL is set (CI always sets it). Files run in a few long-lived worker
// processes (scripts/test-worker.ts) that pull them from one queue, longest first; the type-check runs
// beside them. Why: docs/decisions/0005-test-suite-speed.md. Node 20 expands no globs, so the file
// list is built here. `npm test -- war-rooms` runs the files whose path contains "war-rooms".
import { spawn } from 'node:child_process';
import { build } from 'esbuild';
import { nodeBundle, root } from './node-bundle.mjs';
import { createInterface } from 'node:readline';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';

const only = process.argv.slice(2);
const outDir = path.join(root, 'test-output');
const timingsFile = path.join(outDir, 'test-timings.json');
// One more worker than cores: a file waiting on a browser, a server or a timeout leaves its core to
// another file (measured in decision 0005: 3 workers on 2 cores beat 2 once the type-check got cheap).
const WORKERS = Number(process.env['RUNFRAME_TEST_WORKERS'] ?? Math.max(2, Math.min(availableParallelism() + 1, 4)));
// Every file gets a deadline: several times its usual duration on a busy 2-core machine (0005).
const FILE_TIMEOUT_MS = (file) => (/^tests\/(e2e\/|cli\.test)/.test(file) ? 300_000 : 120_000);

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (name.endsWith('.test.ts')) out.push(path.relative(root, p));
  }
  return out.sort();
}

const secs = (ms) => `${(ms / 1000).toFixed(1)}s`;
const phases = [];
const results = [];
const started = Date.now();

/** Runs a command to the end with its output kept, for phases that run beside the tests. */
function runQuiet(cmd, args, env = {}) {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('close', (code) => resolve({ ok: code === 0, out, ms: Date.now() - t0 }));
  });
}

const all = files(path.join(root, 'tests')).filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
// Suites that touch storage run on both engines.
const storage = all.filter((f) => /^tests\/(domain|api|integrations\/(hub|google-meet)|war-rooms)\//.test(f));

// The type-check runs at low priority: it uses the CPU the test files leave while they wait (on a
// browser, a server, a timeout), instead of taking a core from them (decision 0005).
const typecheck = only.length === 0 ? runQuiet('nice', ['-n', '10', 'npx', 'tsc', '--noEmit', '--singleThreaded']) : null;
if (typecheck) process.stdout.write('== tsc --noEmit (beside the tests)\n');

const template = mkdtempSync(path.join(tmpdir(), 'rf-template-'));
const tplDir = path.join(template, 'pglite');
process.stdout.write('== PGlite template (the workers start beside it, on files that need no PGlite)\n');
let templateReady = false;
const templateMade = runQuiet('node', ['--import', 'tsx', 'scripts/make-pglite-template.ts', tplDir]).then((tpl) => {
  phases.push(['PGlite template (beside the first files)', tpl.ms]);
  if (!tpl.ok) {
    process.stdout.write(tpl.out);
    process.exit(1);
  }
  templateReady = true;
  // Workers that found nothing they could run yet ask again now.
  for (const wake of waitingForTemplate.splice(0)) wake();
});
const waitingForTemplate = [];
/** Files that open no PGlite: the PostgreSQL pass, the sandboxes, the provider clients, unit and architecture tests. */
const needsNoTemplate = (j) => j.engine === 'postgres' || /^tests\/(zoom-sandbox|google-sandbox|unit|architecture|integrations\/zoom-client)\//.test(j.file) || j.file === 'tests/integrations/google-meet/client.test.ts';
/** The next job a worker may run now: any once the template exists, before that one that needs none. */
function takeJob() {
  const i = templateReady ? 0 : jobs.findIndex(needsNoTemplate);
  return i < 0 ? undefined : jobs.splice(i, 1)[0];
}

const jobs = all.map((file) => ({ file, engine: 'pglite', label: file }));
if (process.env['TEST_DATABASE_URL']) jobs.push(...storage.map((file) => ({ file, engine: 'postgres', label: `${file} [PostgreSQL]` })));
// Longest first (durations of the last run), so no worker is left with a long file at the end. A fresh
// clone has no last run: it orders by scripts/test-durations.json, a copy of test-output/test-timings.json
// from a full run (without it, files that mostly wait, like the PostgreSQL pass's timeout tests, ran last
// and made the tail ~15 s longer). A file missing from both is guessed.
let previous = {};
for (const file of [timingsFile, path.join(root, 'scripts', 'test-durations.json')]) {
  try {
    previous = JSON.parse(readFileSync(file, 'utf8'));
    break;
  } catch {
    previous = {};
  }
}
const guess = (j) => previous[j.label] ?? (/^tests\/(e2e|cli)/.test(j.file) ? 60_000 : 5_000);
jobs.sort((a, b) => guess(b) - guess(a));
const jobCount = jobs.length;

const fileResults = [];
const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];
const workerCount = Math.max(1, Math.min(WORKERS, jobs.length));
process.stdout.write(`== ${all.length} test files on PGlite${process.env['TEST_DATABASE_URL'] ? ` and ${storage.length} storage test files on PostgreSQL` : ''}, ${workerCount} workers\n`);
mkdirSync(outDir, { recursive: true });

/**
 * The programs tests start as child processes, bundled once (esbuild, ~0.2 s) so that each child loads
 * in ~0.5 s of CPU instead of ~2 s through tsx's module hooks (decision 0005). tests/support/children.ts
 * reads the manifest; without one (a file run alone, or a failed bundle) children run through tsx.
 */
const CHILD_ENTRIES = ['src/main.ts', 'src/cli/main.ts', 'src/zoom-sandbox/standalone.ts', 'src/google-sandbox/standalone.ts', 'tests/support/process-child.ts', 'tests/support/token-child.ts', 'tests/unit/data-dir-lock-contender.ts', 'tests/support/log-child.ts'];
const childrenDir = path.join(outDir, 'children');
const childManifest = path.join(childrenDir, 'manifest.json');
rmSync(childrenDir, { recursive: true, force: true });
try {
  const t0 = Date.now();
  const names = Object.fromEntries(CHILD_ENTRIES.map((source) => [source.replace(/\.ts$/, '').replace(/[^a-z0-9]+/gi, '-'), source]));
  // Inside the package (test-output/), so that the bundles' imports of dependencies resolve to its node_modules.
  await build({ ...nodeBundle, entryPoints: names, outdir: childrenDir, outExtension: { '.js': '.mjs' }, splitting: true, logLevel: 'silent' });
  writeFileSync(childManifest, JSON.stringify(Object.fromEntries(Object.entries(names).map(([name, source]) => [source, path.join(childrenDir, `${name}.mjs`)]))));
  phases.push(['child programs bundled', Date.now() - t0]);
} catch (err) {
  process.stdout.write(`! could not bundle the child programs (they run through tsx): ${err instanceof Error ? err.message : String(err)}\n`);
}
const testsStarted = Date.now();

/**
 * CPU milliseconds a worker and its descendants have used, from /proc (Linux); null elsewhere: each
 * process's own time plus what its reaped children used, over the worker and every live process below it
 * (a worker's Chromium lives across its journey files). Read at file boundaries, it shows how much of a
 * file's time is work and how much waiting.
 */
function cpuOf(pid) {
  try {
    const stats = new Map();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const fields = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1].split(' ');
        // ppid is field 4 of stat(5); utime, stime, cutime, cstime are 14-17 (here counted from field 3, state).
        stats.set(Number(name), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]) });
      } catch {}
    }
    if (!stats.has(pid)) return null;
    let total = 0;
    for (const [p, st] of stats) {
      for (let q = p, hops = 0; q > 1 && hops < 32; q = stats.get(q)?.ppid ?? 0, hops++) {
        if (q === pid) {
          total += st.ticks;
          break;
        }
      }
    }
    return total * 10;
  } catch {
    return null;
  }
}
const cpuByLabel = new Map();

function record(r) {
  const cpu = cpuByLabel.get(r.label);
  if (cpu !== undefined) r.cpuMs = cpu;
  r.endMs = Date.now() - testsStarted;
  fileResults.push(r);
  totals.passed += r.passed;
  totals.failed += r.failed;
  totals.skipped += r.skipped;
  for (const f of r.failures) failures.push(`${r.label}\n  ${f.replace(/\n/g, '\n  ')}`);
  const mark = r.failed > 0 ? '✖' : '✔';
  const counts = [`${r.passed} passed`, r.failed ? `${r.failed} failed` : '', r.skipped ? `${r.skipped} skipped` : ''].filter(Boolean).join(', ');
  process.stdout.write(`${mark} ${r.label}  ${counts}  ${secs(r.ms)}\n`);
}

// Workers run in process groups of their own (so a stuck one is stopped with its Chromium): a Ctrl-C
// here must stop them too.
const running = new Set();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const pid of running) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {}
    }
    process.exit(130);
  });
}

let workerSeq = 0;
/** A worker takes jobs until the queue is empty; one that dies or overruns a file's deadline is replaced. */
function startWorker() {
  const n = ++workerSeq;
  return new Promise((resolve) => {
    const env = { ...process.env, RUNFRAME_PGLITE_TEMPLATE: tplDir, ...(existsSync(childManifest) ? { RUNFRAME_TEST_CHILDREN: childManifest } : {}) };
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', '--test-reporter=./scripts/test-reporter.mjs', '--test-reporter-destination=stdout', '--test-reporter=spec', `--test-reporter-destination=${path.join(outDir, `test-worker-${n}.txt`)}`, 'scripts/test-worker.ts'],
      { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit', 'ipc'], detached: true },
    );
    running.add(p.pid);
    let current = null;
    let watchdog = null;
    let reported = new Set();
    const stopWatch = () => watchdog && clearTimeout(watchdog);
    createInterface({ input: p.stdout }).on('line', (line) => {
      if (!line.startsWith('@@rf-file ')) return void process.stdout.write(`${line}\n`);
      const r = JSON.parse(line.slice('@@rf-file '.length));
      reported.add(r.label);
      record(r);
    });
    let cpuAtStart = null;
    const onReady = () => {
      stopWatch();
      const cpuNow = cpuOf(p.pid);
      if (current && cpuAtStart !== null && cpuNow !== null) cpuByLabel.set(current.label, cpuNow - cpuAtStart);
      cpuAtStart = cpuNow;
      current = takeJob() ?? null;
      if (!current && jobs.length > 0) {
        // Only files that need the template are left: wait for it.
        waitingForTemplate.push(onReady);
        return;
      }
      if (current) {
        const deadline = FILE_TIMEOUT_MS(current.file);
        const job = current;
        watchdog = setTimeout(() => {
          process.stdout.write(`✖ ${job.label} did not finish within ${secs(deadline + 30_000)}: stopping its worker\n`);
          try {
            process.kill(-p.pid, 'SIGKILL');
          } catch {}
        }, deadline + 30_000);
        p.send({ ...current, timeoutMs: deadline });
      } else {
        p.send({ done: true });
        // A worker that lingers after its last file holds something open (a server, a timer): stop it.
        watchdog = setTimeout(() => {
          process.stdout.write(`! worker ${n} did not exit after its last file (something left open): stopping it\n`);
          try {
            process.kill(-p.pid, 'SIGKILL');
          } catch {}
        }, 30_000);
      }
    };
    p.on('message', (m) => {
      if (m?.type === 'ready') onReady();
    });
    p.on('exit', async (code, signal) => {
      running.delete(p.pid);
      stopWatch();
      if (current && !reported.has(current.label)) {
        record({ label: current.label, ms: 0, passed: 0, failed: 1, skipped: 0, failures: [`the worker running it exited (${signal ?? code}) before the file finished`] });
        // The rest of the queue still runs, in a new worker.
        if (jobs.length > 0) await startWorker();
      }
      resolve();
    });
  });
}

await Promise.all([templateMade, ...Array.from({ length: workerCount }, () => startWorker())]);
phases.push([`tests (${fileResults.length} file runs)`, Date.now() - testsStarted]);
results.push(['tests', totals.failed === 0 && fileResults.length === jobCount]);
rmSync(template, { recursive: true, force: true });

if (typecheck) {
  const tc = await typecheck;
  phases.unshift(['tsc --noEmit (beside the tests)', tc.ms]);
  results.unshift(['typecheck', tc.ok]);
  if (!tc.ok) process.stdout.write(`\n== tsc --noEmit FAILED\n${tc.out}`);
}

const timings = { ...previous };
for (const r of fileResults) timings[r.label] = r.ms;
// Per file: wall and CPU time of this run, for finding where the time goes (decision 0005).
writeFileSync(path.join(outDir, 'test-files.json'), `${JSON.stringify(fileResults.map((r) => ({ label: r.label, ms: Math.round(r.ms), cpuMs: r.cpuMs ?? null, endMs: r.endMs })), null, 1)}\n`);
writeFileSync(timingsFile, `${JSON.stringify(timings, null, 1)}\n`);

if (failures.length > 0) process.stdout.write(`\nFailures (full output in test-output/test-worker-*.txt):\n\n${failures.join('\n\n')}\n`);
const cpuNote = (r) => (r.cpuMs === undefined ? '' : `  (CPU ${secs(r.cpuMs)})`);
process.stdout.write('\nSlowest test files (CPU: the worker and the processes below it, e.g. Chromium):\n' + [...fileResults].sort((a, b) => b.ms - a.ms).slice(0, 10).map((r) => `  ${secs(r.ms).padStart(7)}  ${r.label}${cpuNote(r)}`).join('\n') + '\n');
process.stdout.write('\nPhases:\n' + phases.map(([n, ms]) => `  ${secs(ms).padStart(7)}  ${n}`).join('\n') + `\n  ${secs(Date.now() - started).padStart(7)}  total\n`);
if (!process.env['TEST_DATABASE_URL']) process.stdout.write('\nTEST_DATABASE_URL is not set: the storage suites ran on PGlite only (.ci/run sets it).\n');
const failed = results.some(([, ok]) => !ok);
process.stdout.write('\nSummary:\n' + results.map(([n, ok]) => `  ${ok ? 'ok    ' : 'FAILED'} ${n}`).join('\n') + '\n');
process.stdout.write(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exit(failed ? 1 : 0);
