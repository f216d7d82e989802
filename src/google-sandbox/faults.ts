import { z } from 'zod';
import { commonFaultKinds, createFaultStore as createKitFaultStore, faultRequestSchema, type Fault as KitFault, type FaultStore as KitFaultStore } from '../sandbox-kit/faults.ts';
import { RPC_STATUSES } from './google-errors.ts';

/** Google's own fault kinds beside the common ones (delay, hold, drop, drop_after_processing): docs/google-sandbox.md. */
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
  ...commonFaultKinds,
]);
export type FaultKind = z.infer<typeof FaultKindSchema>;

export const FaultRequestSchema = faultRequestSchema(FaultKindSchema);
export type Fault = KitFault<FaultKind>;
export type FaultStore = KitFaultStore<FaultKind>;
export const createFaultStore = (): FaultStore => createKitFaultStore<FaultKind>();
