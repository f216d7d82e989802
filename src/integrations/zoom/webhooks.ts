import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { MeetingId } from './schemas.ts';

export interface VerifySignatureInput {
  secretToken: string;
  /** The exact bytes received: Zoom signs its compact JSON, so re-serializing may not match (§5.2). */
  rawBody: string;
  timestampHeader: string | null | undefined;
  signatureHeader: string | null | undefined;
  now: Date;
  toleranceSeconds?: number;
}

function hmacHex(key: string, message: string): string {
  return createHmac('sha256', key).update(message).digest('hex');
}

/** `x-zm-signature` = `v0=` + hex(HMAC-SHA256(secret, `v0:{ts}:{body}`)), ts in Unix seconds (§5.2). */
export function verifyZoomSignature(i: VerifySignatureInput): boolean {
  const ts = i.timestampHeader?.trim() ?? '';
  const sig = i.signatureHeader?.trim() ?? '';
  if (!/^\d{1,12}$/.test(ts) || !sig || !i.secretToken) return false;
  // Zoom documents no replay window; 5 minutes is the common choice (§5.2).
  if (Math.abs(i.now.getTime() / 1000 - Number(ts)) > (i.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(`v0=${hmacHex(i.secretToken, `v0:${ts}:${i.rawBody}`)}`);
  const given = Buffer.from(sig);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Answer to the CRC challenge, due within 3 seconds (§5.3). */
export function urlValidationResponse(secretToken: string, plainToken: string): { plainToken: string; encryptedToken: string } {
  return { plainToken, encryptedToken: hmacHex(secretToken, plainToken) };
}

const MeetingObject = z.object({
  // A string in meeting.started/ended, a number in meeting.deleted (§5.7).
  id: MeetingId,
  uuid: z.string(),
  host_id: z.string(),
  topic: z.string().default(''),
  start_time: z.string().optional(),
  end_time: z.string().optional(),
});

const Known = z.discriminatedUnion('event', [
  z.object({
    event: z.literal('endpoint.url_validation'),
    event_ts: z.number(),
    payload: z.object({ plainToken: z.string().min(1) }),
  }),
  z.object({
    event: z.literal('app_deauthorized'),
    event_ts: z.number(),
    payload: z.object({
      account_id: z.string(),
      user_id: z.string(),
      client_id: z.string(),
      deauthorization_time: z.string(),
      signature: z.string(),
      // Only in older docs (§5.5).
      user_data_retention: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).optional(),
    }),
  }),
  z.object({
    event: z.literal('meeting.started'),
    event_ts: z.number(),
    payload: z.object({ account_id: z.string(), object: MeetingObject }),
  }),
  z.object({
    event: z.literal('meeting.ended'),
    event_ts: z.number(),
    payload: z.object({ account_id: z.string(), object: MeetingObject }),
  }),
  z.object({
    event: z.literal('meeting.deleted'),
    event_ts: z.number(),
    payload: z.object({ account_id: z.string(), operator: z.string().optional(), object: MeetingObject }),
  }),
]);

export type ZoomWebhookEvent = z.infer<typeof Known> | { event: 'other'; name: string; event_ts?: number };

const Envelope = z.object({ event: z.string(), event_ts: z.number().optional() });
const KNOWN_EVENTS = new Set(['endpoint.url_validation', 'app_deauthorized', 'meeting.started', 'meeting.ended', 'meeting.deleted']);

/**
 * Parses a verified body. Unknown events become `other` (Zoom adds events freely); a known
 * event with a broken payload, or a body that is not an event at all, returns null.
 */
export function parseZoomWebhookEvent(rawBody: string): ZoomWebhookEvent | null {
  let json: unknown;
  try {
    json = JSON.parse(rawBody) as unknown;
  } catch {
    return null;
  }
  const env = Envelope.safeParse(json);
  if (!env.success) return null;
  if (!KNOWN_EVENTS.has(env.data.event)) {
    return env.data.event_ts !== undefined ? { event: 'other', name: env.data.event, event_ts: env.data.event_ts } : { event: 'other', name: env.data.event };
  }
  const known = Known.safeParse(json);
  return known.success ? known.data : null;
}

/** Zoom retries deliveries (§5.4): event + event_ts + the object it is about identifies one. */
export function dedupeKey(e: ZoomWebhookEvent): string {
  switch (e.event) {
    case 'endpoint.url_validation':
      return `${e.event}:${e.event_ts}:${e.payload.plainToken}`;
    case 'app_deauthorized':
      return `${e.event}:${e.event_ts}:${e.payload.account_id}:${e.payload.user_id}`;
    case 'meeting.started':
    case 'meeting.ended':
    case 'meeting.deleted':
      return `${e.event}:${e.event_ts}:${e.payload.object.id}:${e.payload.object.uuid}`;
    case 'other':
      return `other:${e.name}:${e.event_ts ?? ''}`;
  }
}
