import { z } from 'zod';
import { commonFaultKinds, createFaultStore as createKitFaultStore, faultRequestSchema, type Fault as KitFault, type FaultStore as KitFaultStore } from '../sandbox-kit/faults.ts';

/** Zoom's own fault kinds beside the common ones (delay, hold, drop, drop_after_processing): docs/zoom-sandbox.md, "Faults". */
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
  z.object({ kind: z.literal('user_cannot_host') }),
  ...commonFaultKinds,
]);
export type FaultKind = z.infer<typeof FaultKindSchema>;

export const FaultRequestSchema = faultRequestSchema(FaultKindSchema);
export type Fault = KitFault<FaultKind>;
export type FaultStore = KitFaultStore<FaultKind>;
export const createFaultStore = (): FaultStore => createKitFaultStore<FaultKind>();
