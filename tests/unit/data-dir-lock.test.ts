import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { acquireDataDirLock, DataDirInUseError } from '../../src/platform/data-dir-lock.ts';
import { childArgs } from '../support/children.ts';

const dir = () => mkdtempSync(path.join(tmpdir(), 'rf-lock-'));

/** A pid that belonged to a process which has exited. */
const deadPid = (): number => {
  const r = spawnSync(process.execPath, ['-e', '']);
  assert.ok(r.pid);
  return r.pid;
};

/**
 * Starts `n` processes that each try to take the data directory, holds each one just before it creates the
 * pid file, then lets them all go at once. Returns what each reported ("acquired" or "refused: …").
 */
async function race(dataDir: string, n: number): Promise<string[]> {
  const children = Array.from({ length: n }, () => {
    const child = spawn(process.execPath, [...childArgs('tests/unit/data-dir-lock-contender.ts'), dataDir], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async () => {
      const r = await lines.next();
      return r.done ? `exited (${child.exitCode ?? 'running'})` : r.value;
    };
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return { child, next, exited };
  });
  const first = await Promise.all(children.map((c) => c.next()));
  assert.deepEqual(first, first.map(() => 'ready'), 'every contender reached the point of creating the pid file');
  for (const c of children) c.child.stdin.write('g');
  const outcomes = await Promise.all(children.map((c) => c.next()));
  for (const c of children) c.child.stdin.end();
  await Promise.all(children.map((c) => c.exited));
  return outcomes;
}

const assertOneOwner = (outcomes: string[]) => {
  assert.equal(outcomes.filter((o) => o === 'acquired').length, 1, `exactly one process may own the data directory:\n${outcomes.join('\n')}`);
  for (const o of outcomes.filter((x) => x !== 'acquired')) assert.match(o, /^refused: The data directory .* is in use by .*stop that server first/);
};

test('processes starting together on one data directory: exactly one gets it', { timeout: 60_000 }, async () => {
  const d = dir();
  assertOneOwner(await race(d, 3));
  assert.equal(existsSync(path.join(d, 'runframe.pid')), false, 'the owner removed its pid file when it let go');
  acquireDataDirLock(d)();
});

test('a lock left by a dead process is taken over by exactly one of several processes starting together', { timeout: 60_000 }, async () => {
  const d = dir();
  writeFileSync(path.join(d, 'runframe.pid'), String(deadPid()));
  assertOneOwner(await race(d, 3));
});

test('a live holder is refused by name; the directory is free again once released', () => {
  const d = dir();
  const release = acquireDataDirLock(d);
  assert.equal(readFileSync(path.join(d, 'runframe.pid'), 'utf8'), String(process.pid));
  // A second PGlite in the same process is as unsafe as one in another.
  assert.throws(() => acquireDataDirLock(d), (e: unknown) => e instanceof DataDirInUseError && e.pid === process.pid);
  release();
  assert.equal(existsSync(path.join(d, 'runframe.pid')), false);
  acquireDataDirLock(d)();
});

test('stale locks are taken over: a dead pid, this pid from an earlier life (containers reuse pid 1), an empty file from a crash', () => {
  const old = new Date(Date.now() - 60_000);
  for (const [content, label] of [[String(deadPid()), 'dead pid'], [String(process.pid), 'own pid, not held'], ['', 'old empty file']] as const) {
    const d = dir();
    const file = path.join(d, 'runframe.pid');
    writeFileSync(file, content);
    utimesSync(file, old, old);
    const release = acquireDataDirLock(d);
    assert.equal(readFileSync(file, 'utf8'), String(process.pid), label);
    release();
  }
});

test('a pid file still being written (empty, just created) means another Runframe is starting', () => {
  const d = dir();
  writeFileSync(path.join(d, 'runframe.pid'), '');
  assert.throws(() => acquireDataDirLock(d), (e: unknown) => e instanceof DataDirInUseError && e.pid === null && /starting right now/.test(e.message));
});
