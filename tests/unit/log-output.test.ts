import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { test } from 'node:test';
import { childArgs } from '../support/children.ts';
import { until } from '../support/until.ts';

// Server log lines are gathered for a few milliseconds and written together (src/platform/log.ts):
// whatever a process logged reaches its stdout, when it exits, when it crashes, and while it runs.
function run(mode: string): { child: ChildProcess; out: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [...childArgs('tests/support/log-child.ts'), mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.resume();
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, out: () => out, exited };
}
const numbers = (out: string) =>
  out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { n?: number }).n);

test('a process that exits right after logging leaves every line on stdout, in order', { timeout: 60_000 }, async () => {
  const r = run('exit');
  assert.equal(await r.exited, 0);
  assert.deepEqual(numbers(r.out()), Array.from({ length: 200 }, (_, i) => i + 1));
});

test('a process that crashes right after logging leaves every line on stdout too', { timeout: 60_000 }, async () => {
  const r = run('crash');
  assert.notEqual(await r.exited, 0);
  assert.deepEqual(numbers(r.out()), Array.from({ length: 200 }, (_, i) => i + 1));
});

test('a running process writes its lines without waiting for more of them', { timeout: 60_000 }, async () => {
  const r = run('stay');
  try {
    const line = await until('the line of a process that keeps running', async () => r.out().includes('still running') && r.out());
    assert.deepEqual(numbers(line), [1]);
  } finally {
    r.child.kill('SIGTERM');
    await r.exited;
  }
});
