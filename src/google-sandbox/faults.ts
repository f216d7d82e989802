import { z } from 'zod';
import { RPC_STATUSES } from './google-errors.ts';

export const FaultKindSchema = z.discriminatedUnion('kind', [
  /** A Google API error body `{"error":{code,message,status,details}}`. */
  z.object({
    kind: z.literal('google_error'),
    status: z.number().int().min(400).max(599),
    rpcStatus: z.enum(RPC_STATUSES),
    message: z.string(),
    details: z.array(z.record(z.string(), z.unknown())).optional(),
  }),
  /** An OAuth endpoint error `{"error","error_description"}`. */
  z.object({ kind: z.literal('oauth_error'), status: z.number().int().min(400).max(599), error: z.string().min(1), description: z.string() }),
  z.object({
    kind: z.literal('http'),
    status: z.number().int().min(200).max(599),
    body: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    contentType: z.string().optional(),
  }),
  /** 429 RESOURCE_EXHAUSTED as a per-minute quota answers it. */
  z.object({ kind: z.literal('rate_limit') }),
  /** 403 SERVICE_DISABLED: the Meet REST API is not enabled in the Cloud project. */
  z.object({ kind: z.literal('service_disabled') }),
  /** 403 PERMISSION_DENIED: Meet turned off for the account by its Workspace admin. */
  z.object({ kind: z.literal('meet_disabled') }),
  z.object({ kind: z.literal('delay'), ms: z.number().int().min(0).max(120_000) }),
  z.object({ kind: z.literal('drop') }),
  z.object({ kind: z.literal('drop_after_processing') }),
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
  list(): Fault[];
  clear(): void;
}

export function createFaultStore(): FaultStore {
  let faults: Fault[] = [];
  let nextId = 1;
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
    list() {
      return faults.map((f) => ({ ...f }));
    },
    clear() {
      faults = [];
    },
  };
}
