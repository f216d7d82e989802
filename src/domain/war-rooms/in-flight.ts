/**
 * War-room creates running in this process. Only for this process's own shutdown and for not
 * resolving a row this process is still creating; coordination between processes stays in SQL.
 */
const running = new Set<Promise<unknown>>();
const rows = new Set<string>();

/** Keeps the operation in the set until it settles, whatever the outcome. */
export function trackCreate<T>(op: Promise<T>): Promise<T> {
  running.add(op);
  const forget = () => running.delete(op);
  op.then(forget, forget);
  return op;
}

/** Marks a claimed `creating` row as being worked on here until `work` settles. */
export async function whileCreatingRow<T>(warRoomId: string, work: () => Promise<T>): Promise<T> {
  rows.add(warRoomId);
  try {
    return await work();
  } finally {
    rows.delete(warRoomId);
  }
}

export const isCreatingHere = (warRoomId: string): boolean => rows.has(warRoomId);

export const inFlightCreates = (): number => running.size;

/**
 * Waits for in-flight creates (and any that start meanwhile) to settle, at most `timeoutMs`.
 * Returns false if some were still running: their rows stay `creating` and the stale-war-room
 * sweep of a surviving or restarted process settles them by marker.
 */
export async function drainWarRoomCreates(timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (running.size > 0) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, left);
    });
    await Promise.race([Promise.allSettled([...running]), timedOut]);
    clearTimeout(timer);
  }
  return true;
}
