import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';

export class DataDirInUseError extends Error {
  constructor(readonly dir: string, readonly pid: number | null) {
    super(
      `The data directory ${dir} is in use by ${pid === null ? 'another Runframe that is starting right now' : `a running Runframe (pid ${pid})`}. ` +
        'The embedded database has one owner at a time: stop that server first, or point both at PostgreSQL with DATABASE_URL.',
    );
    this.name = 'DataDirInUseError';
  }
}

const LOCK_FILE = 'runframe.pid';
/** A lock file is created empty and gets its pid a moment later; one still empty after this was left by a crash. */
const CLAIM_GRACE_MS = 10_000;
/** Data directories this process holds: a second PGlite in the same process is as unsafe as one in another. */
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates `file` only if it does not exist (O_EXCL): of any number of racing processes exactly one succeeds. */
function createExclusive(file: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

type Holder = { state: 'gone' } | { state: 'live'; pid: number | null } | { state: 'stale' };

/** Who holds the lock file now. A pid that is dead, or is ours while this process does not hold it (a container restarted as pid 1), is stale. */
function inspect(file: string): Holder {
  let text: string;
  let ageMs: number;
  try {
    ageMs = Date.now() - statSync(file).mtimeMs;
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'gone' };
    throw err;
  }
  const pid = Number(text);
  if (text === '' || !Number.isInteger(pid) || pid <= 0) return ageMs < CLAIM_GRACE_MS ? { state: 'live', pid: null } : { state: 'stale' };
  if (pid === process.pid) return held.has(file) ? { state: 'live', pid } : { state: 'stale' };
  return alive(pid) ? { state: 'live', pid } : { state: 'stale' };
}

/**
 * Removes a stale lock file. Only the holder of `<lock>.breaking` may do so, and it decides again under
 * that lock: two processes that both saw the same stale file cannot delete each other's fresh claim.
 */
function breakStaleLock(file: string): void {
  const breaker = `${file}.breaking`;
  if (!createExclusive(breaker, String(process.pid))) {
    // A breaker left by a crash (the window is microseconds) must not block the directory forever.
    try {
      if (Date.now() - statSync(breaker).mtimeMs > CLAIM_GRACE_MS) rmSync(breaker, { force: true });
    } catch {
      // gone already
    }
    return;
  }
  try {
    if (inspect(file).state === 'stale') rmSync(file, { force: true });
  } finally {
    rmSync(breaker, { force: true });
  }
}

/**
 * PGlite must never be opened by two processes: a pid file, created atomically, claims the data directory.
 * A lock left by a process that died is taken over; a live holder gets DataDirInUseError.
 */
export function acquireDataDirLock(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(path.resolve(dir), LOCK_FILE);
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createExclusive(file, String(process.pid))) {
      held.add(file);
      return () => release(file);
    }
    const holder = inspect(file);
    if (holder.state === 'live') throw new DataDirInUseError(dir, holder.pid);
    if (holder.state === 'stale') breakStaleLock(file);
  }
  // Still contended after several rounds: another process is claiming it at this very moment.
  throw new DataDirInUseError(dir, null);
}

function release(file: string): void {
  if (!held.delete(file)) return;
  try {
    if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file);
  } catch {
    // already gone
  }
}
