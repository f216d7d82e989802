import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { childArgs } from './support/children.ts';

const bin = path.resolve(import.meta.dirname, '../bin/runframe');
/**
 * A new DATA_DIR; with `migrated`, holding a copy of the migrated PGlite template when scripts/test.mjs
 * made one, since a cold initialisation costs each process seconds. The first test starts from nothing.
 */
function dataDir(migrated: boolean): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rf-cli-'));
  const template = process.env['RUNFRAME_PGLITE_TEMPLATE'];
  if (migrated && template) cpSync(template, path.join(dir, 'pglite'), { recursive: true });
  return dir;
}
// The cheapest password hashing the configuration allows, as the other tests use: the default costs ~0.5 s of CPU a hash.
const cliEnv = (dataDir: string, env: Record<string, string>) => ({ ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', SECRET_KEY: '', ENCRYPTION_KEYS: '', LOG_LEVEL: 'silent', PASSWORD_HASH_COST: '14', ...env });
/**
 * What bin/runframe runs (src/cli/main.ts), bundled under `npm test` like the other child programs
 * (tests/support/children.ts): each run loads in ~0.5 s of CPU instead of ~2.5 s. The script itself is
 * run by the usage test below.
 */
const run = (args: string[], dataDir: string, env: Record<string, string> = {}) => spawnSync(process.execPath, [...childArgs('src/cli/main.ts'), ...args], { env: cliEnv(dataDir, env), encoding: 'utf8' });

test('bin/runframe bootstraps an organization from nothing, announces the secret keys it generates once, on stderr, as the server does, and prints a token; create-api-token adds another', () => {
  const dir = dataDir(false);
  const file = path.join(dir, 'secrets.json');
  const r = run(['bootstrap', '--org', 'Acme', '--email', 'Ops@Example.com', '--password', 'correct horse battery'], dir, { LOG_LEVEL: 'info' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, `runframe: Generated secret keys into ${file} (mode 0600); keep this file with the data.\n`);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const out = JSON.parse(r.stdout) as { orgId: string; userId: string; apiToken: string };
  assert.match(out.apiToken, /^rf_/, 'stdout stays machine-readable');
  assert.ok(out.orgId && out.userId);
  const t = run(['create-api-token', '--email', 'ops@example.com', '--org', out.orgId], dir, { LOG_LEVEL: 'info' });
  assert.equal(t.status, 0, t.stderr);
  assert.equal(t.stderr, '', 'the keys are generated once, and said once');
  assert.match(t.stdout.trim(), /^rf_/);
  assert.notEqual(t.stdout.trim(), out.apiToken);
  const again = run(['bootstrap', '--org', 'Acme', '--email', 'ops@example.com', '--password', 'correct horse battery'], dir);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already exists/);
});

test('bin/runframe checks its input before it opens the database', () => {
  // A data directory a running server holds: only a command that got past its input would notice.
  const dir = dataDir(false);
  writeFileSync(path.join(dir, 'runframe.pid'), String(process.pid));
  const weak = run(['bootstrap', '--org', 'B', '--email', 'b@example.com', '--password', 'short'], dir);
  assert.equal(weak.status, 1);
  assert.equal(weak.stderr, 'password: must be at least 12 characters\n', 'said once');
  const missing = run(['create-api-token', '--email', 'b@example.com'], dir);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /create-api-token needs --email and --org/);
});

test('bin/runframe refuses, clearly, a data directory that a running server holds', () => {
  const dir = dataDir(true);
  writeFileSync(path.join(dir, 'runframe.pid'), String(process.pid));
  const r = run(['bootstrap', '--org', 'Acme', '--email', 'a@example.com', '--password', 'correct horse battery'], dir);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /is in use by a running Runframe \(pid \d+\).*stop that server first/);
});

test('bin/runframe explains its usage', () => {
  const r = spawnSync(bin, ['frobnicate'], { env: cliEnv(mkdtempSync(path.join(tmpdir(), 'rf-cli-')), {}), encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bootstrap --org NAME --email EMAIL --password PW/);
});
