// One contender in the data-dir lock race of data-dir-lock.test.ts (run as a child process). It pauses
// just before it creates runframe.pid, however the lock creates it, until the test lets every contender
// go at once: the worst interleaving for a lock that checks first and writes after.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';

const dir = process.argv[2] ?? '';
const say = (line: string) => fs.writeSync(1, `${line}\n`);
/** Blocks until the test writes a byte to stdin (or closes it). */
const waitForTest = () => fs.readSync(0, Buffer.alloc(1), 0, 1, null);

let paused = false;
const pauseOnce = (file: unknown) => {
  if (paused || typeof file !== 'string' || path.basename(file) !== 'runframe.pid') return;
  paused = true;
  say('ready');
  waitForTest();
};
const patchable = fs as unknown as Record<'openSync' | 'writeFileSync', (...args: unknown[]) => unknown>;
for (const name of ['openSync', 'writeFileSync'] as const) {
  const original = patchable[name];
  patchable[name] = (...args: unknown[]) => {
    pauseOnce(args[0]);
    return original.apply(fs, args);
  };
}
syncBuiltinESMExports();

const { acquireDataDirLock } = await import('../../src/platform/data-dir-lock.ts');
let release: (() => void) | null = null;
try {
  release = acquireDataDirLock(dir);
  say('acquired');
} catch (err) {
  say(`refused: ${err instanceof Error ? err.message : String(err)}`);
}
if (release) {
  // Hold the directory, alive, until the test has heard from every contender.
  waitForTest();
  release();
}
