import { setImmediate as yieldToLoop } from 'node:timers/promises';

/**
 * Asks `probe` again (yielding to the event loop between tries, never sleeping) until it returns a
 * value, and fails after `timeoutMs` of real time: a regression then fails the test instead of hanging
 * the suite. The deadline is far above the milliseconds these waits take.
 */
export async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still not so after ${timeoutMs} ms`);
    await yieldToLoop();
  }
}
