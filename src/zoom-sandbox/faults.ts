import { z } from 'zod';

export const FaultKindSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('zoom_error'),
    status: z.number().int().min(400).max(599),
    code: z.number().int(),
    message: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  }),
  z.object({
    kind: z.literal('http'),
    status: z.number().int().min(200).max(599),
    body: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    contentType: z.string().optional(),
  }),
  z.object({ kind: z.literal('rate_limit'), type: z.enum(['QPS', 'Daily-limit']) }),
  z.object({ kind: z.literal('delay'), ms: z.number().int().min(0).max(120_000) }),
  // Held until the control API releases it (or `maxMs` passes), then answered normally: a test waits
  // for what it wants to see while the call is in flight instead of guessing a delay.
  z.object({ kind: z.literal('hold'), maxMs: z.number().int().min(1).max(120_000).default(60_000) }),
  z.object({ kind: z.literal('drop') }),
  z.object({ kind: z.literal('drop_after_processing') }),
  z.object({ kind: z.literal('user_cannot_host') }),
]);
export type FaultKind = z.infer<typeof FaultKindSchema>;

export const FaultRequestSchema = z
  .object({
    endpoint: z.string().min(1),
    times: z.number().int().positive().optional(),
    untilMs: z.number().int().positive().optional(),
    forMs: z.number().int().positive().optional(),
    fault: FaultKindSchema,
  })
  .strict();
export type FaultRequest = z.infer<typeof FaultRequestSchema>;

export interface Fault {
  id: number;
  endpoint: string;
  remaining: number | null;
  untilMs: number | null;
  fault: FaultKind;
}

export interface FaultStore {
  add(req: FaultRequest, nowMs: number): Fault;
  /** Finds the first live fault for any of the keys and consumes one use of it. */
  take(keys: string[], nowMs: number): Fault | null;
  /** A `hold` fault's request waits here until released, or until `maxMs` has passed. */
  hold(fault: Fault, maxMs: number): Promise<void>;
  /** Lets the held requests go (those of one fault, or all); returns how many were waiting. */
  release(id?: number): number;
  list(): (Fault & { held: number })[];
  clear(): void;
}

export function createFaultStore(): FaultStore {
  let faults: Fault[] = [];
  let nextId = 1;
  const held = new Map<number, Set<() => void>>();
  const release = (id?: number) => {
    let n = 0;
    for (const [faultId, waiting] of held) {
      if (id !== undefined && faultId !== id) continue;
      for (const go of waiting) {
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
      const fault: Fault = { id: nextId++, endpoint: req.endpoint, remaining, untilMs: until, fault: req.fault };
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
        const waiting = held.get(fault.id) ?? new Set<() => void>();
        held.set(fault.id, waiting);
        // Never what keeps a process alive: a server closing lets its held calls go with it.
        const timer = setTimeout(go, maxMs).unref();
        function go() {
          clearTimeout(timer);
          waiting.delete(go);
          resolve();
        }
        waiting.add(go);
      });
    },
    release,
    list() {
      // A used-up hold fault stays listed while requests still wait on it, so a test can see them.
      const ids = new Set(faults.map((f) => f.id));
      const waitingOnly = [...held.keys()].filter((id) => !ids.has(id));
      return [
        ...faults.map((f) => ({ ...f, held: held.get(f.id)?.size ?? 0 })),
        ...waitingOnly.map((id) => ({ id, endpoint: '', remaining: 0, untilMs: null, fault: { kind: 'hold' as const, maxMs: 0 }, held: held.get(id)?.size ?? 0 })),
      ];
    },
    clear() {
      faults = [];
      release();
    },
  };
}
