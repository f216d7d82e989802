#!/usr/bin/env node
// `npm test`: type-check, then every test file once on PGlite, then the storage suites again on
// PostgreSQL when TEST_DATABASE_URL is set (CI always sets it). Node 20 expands no globs, so the
// file list is built here.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const only = process.argv.slice(2);

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (name.endsWith('.test.ts')) out.push(path.relative(root, p));
  }
  return out.sort();
}

function run(label, cmd, args, env = {}) {
  const started = Date.now();
  process.stdout.write(`\n== ${label}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`== ${label}: ${r.status === 0 ? 'ok' : 'FAILED'} in ${secs}s\n`);
  return r.status === 0;
}

const all = files(path.join(root, 'tests')).filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
// Suites that touch storage run on both engines.
const storage = all.filter((f) => /^tests\/(domain|api|integrations\/hub|war-rooms)\//.test(f));
const results = [];

if (only.length === 0) results.push(['typecheck', run('tsc --noEmit', 'npx', ['tsc', '--noEmit'])]);

const template = mkdtempSync(path.join(tmpdir(), 'rf-template-'));
const tplDir = path.join(template, 'pglite');
if (!run('PGlite template', 'node', ['--import', 'tsx', 'scripts/make-pglite-template.ts', tplDir])) process.exit(1);

const totals = { passed: 0, failed: 0, skipped: 0 };
const nodeTest = (files, env, label) => {
  if (files.length === 0) return true;
  // A second, machine-readable reporter lets this script add up the counts of both engines.
  const tap = path.join(template, `${label.replace(/\W+/g, '-')}.tap`);
  const ok = run(label, 'node', ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files], env);
  let text = '';
  try {
    text = readFileSync(tap, 'utf8');
  } catch {
    text = '';
  }
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  totals.passed += count('pass');
  totals.failed += count('fail') + count('cancelled');
  totals.skipped += count('skipped') + count('todo');
  return ok;
};

results.push(['tests on PGlite', nodeTest(all, { RUNFRAME_TEST_ENGINE: 'pglite', RUNFRAME_PGLITE_TEMPLATE: tplDir }, `${all.length} test files on PGlite`)]);
if (process.env.TEST_DATABASE_URL) {
  results.push(['storage tests on PostgreSQL', nodeTest(storage, { RUNFRAME_TEST_ENGINE: 'postgres' }, `${storage.length} storage test files on PostgreSQL`)]);
} else {
  process.stdout.write('\nTEST_DATABASE_URL is not set: the storage suites ran on PGlite only (.ci/run sets it).\n');
}
rmSync(template, { recursive: true, force: true });
const failed = results.some(([, ok]) => !ok);

process.stdout.write('\nSummary:\n' + results.map(([n, ok]) => `  ${ok ? 'ok    ' : 'FAILED'} ${n}`).join('\n') + '\n');
process.stdout.write(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exit(failed ? 1 : 0);
