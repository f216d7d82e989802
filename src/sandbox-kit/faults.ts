import { z } from 'zod';

// Fault injection shared by the provider sandboxes: each sandbox names its own fault kinds (its
// provider's error shapes); how faults are armed, counted, held and released is the same for all.

/** Kinds every sandbox has, whatever its provider. */
export const commonFaultKinds = [
  z.object({ kind: z.literal('delay'), ms: z.number().int().min(0).max(120_000) }),
  // Held until the control API releases it (or `maxMs` passes), then answered normally: a test waits
  // for what it wants to see while the call is in flight instead of guessing a delay.
  z.object({ kind: z.literal('hold'), maxMs: z.number().int().min(1).max(120_000).default(60_000) }),
  z.object({ kind: z.literal('drop') }),
  z.object({ kind: z.literal('drop_after_processing') }),
] as const;

/** `POST /_control/faults`: which calls a fault affects and for how long, around a sandbox's own kinds. */
export function faultRequestSchema<K extends z.ZodType>(kind: K) {
  return z
    .object({
      endpoint: z.string().min(1),
      times: z.number().int().positive().optional(),
      untilMs: z.number().int().positive().optional(),
      forMs: z.number().int().positive().optional(),
      fault: kind,
    })
    .strict();
}

export interface FaultRequest<K> {
  endpoint: string;
  times?: number | undefined;
  untilMs?: number | undefined;
  forMs?: number | undefined;
  fault: K;
}

export interface Fault<K> {
  id: number;
  endpoint: string;
  remaining: number | null;
  untilMs: number | null;
  fault: K;
}

export interface FaultStore<K> {
  add(req: FaultRequest<K>, nowMs: number): Fault<K>;
  /** Finds the first live fault for any of the keys and consumes one use of it. */
  take(keys: string[], nowMs: number): Fault<K> | null;
  /** A `hold` fault's request waits here until released, or until `maxMs` has passed. */
  hold(fault: Fault<K>, maxMs: number): Promise<void>;
  /** Lets the held requests go (those of one fault, or all); returns how many were waiting. */
  release(id?: number): number;
  /** Armed faults, and used-up ones while requests still wait on them, with `held`: how many wait. */
  list(): (Fault<K> & { held: number })[];
  /** Disarms every fault and lets every held request go. */
  clear(): void;
}

export function createFaultStore<K>(): FaultStore<K> {
  let faults: Fault<K>[] = [];
  let nextId = 1;
  const held = new Map<number, { fault: Fault<K>; waiting: Set<() => void> }>();
  const release = (id?: number) => {
    let n = 0;
    for (const [faultId, h] of held) {
      if (id !== undefined && faultId !== id) continue;
      for (const go of h.waiting) {
        go();
        n++;
      }
      held.delete(faultId);
    }
    return n;
  };
  return {
    add(req, nowMs) {
      const until = req.untilMs ?? (req.forMs !== undefined ? nowMs + req.forMs : null);
      // No count and no deadline means "the next call only".
      const remaining = req.times ?? (until === null ? 1 : null);
      const fault: Fault<K> = { id: nextId++, endpoint: req.endpoint, remaining, untilMs: until, fault: req.fault };
      faults.push(fault);
      return fault;
    },
    take(keys, nowMs) {
      faults = faults.filter((f) => (f.untilMs === null || f.untilMs > nowMs) && (f.remaining === null || f.remaining > 0));
      const hit = faults.find((f) => keys.includes(f.endpoint));
      if (!hit) return null;
      if (hit.remaining !== null) hit.remaining -= 1;
      return hit;
    },
    hold(fault, maxMs) {
      return new Promise<void>((resolve) => {
        const h = held.get(fault.id) ?? { fault, waiting: new Set<() => void>() };
        held.set(fault.id, h);
        // Never what keeps a process alive: a server closing lets its held calls go with it.
        const timer = setTimeout(go, maxMs).unref();
        function go() {
          clearTimeout(timer);
          h.waiting.delete(go);
          resolve();
        }
        h.waiting.add(go);
      });
    },
    release,
    list() {
      const armed = faults.map((f) => ({ ...f, held: held.get(f.id)?.waiting.size ?? 0 }));
      const ids = new Set(faults.map((f) => f.id));
      const usedUp = [...held.values()].filter((h) => !ids.has(h.fault.id)).map((h) => ({ ...h.fault, held: h.waiting.size }));
      return [...armed, ...usedUp];
    },
    clear() {
      faults = [];
      release();
    },
  };
}
