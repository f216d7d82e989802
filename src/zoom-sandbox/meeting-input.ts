import type { Context } from 'hono';
import { z } from 'zod';
import { isValidTimezone, parseZoomStartTime } from './time.ts';

const MeetingSettings = z
  .object({
    host_video: z.boolean(),
    participant_video: z.boolean(),
    join_before_host: z.boolean(),
    jbh_time: z.union([z.literal(0), z.literal(5), z.literal(10), z.literal(15)]),
    mute_upon_entry: z.boolean(),
    waiting_room: z.boolean(),
    auto_recording: z.enum(['local', 'cloud', 'none']),
    approval_type: z.union([z.literal(0), z.literal(1), z.literal(2)]),
    audio: z.enum(['both', 'telephony', 'voip', 'thirdParty']),
    meeting_authentication: z.boolean(),
    alternative_hosts: z.string(),
    use_pmi: z.boolean(),
    private_meeting: z.boolean(),
    email_notification: z.boolean(),
    focus_mode: z.boolean(),
    continuous_meeting_chat: z.looseObject({ enable: z.boolean() }),
  })
  .partial();

export const MeetingInput = z
  .object({
    topic: z.string().max(200),
    type: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(8), z.literal(10)]),
    start_time: z.string(),
    duration: z.number().int().min(0).max(100_000),
    timezone: z.string().refine(isValidTimezone),
    agenda: z.string().max(2000),
    // Zoom: at most 10 characters from [a-zA-Z0-9@-_*] (§3.2).
    password: z.string().max(10).regex(/^[a-zA-Z0-9@\-_*]*$/),
    default_password: z.boolean(),
    schedule_for: z.string(),
    pre_schedule: z.boolean(),
    recurrence: z.record(z.string(), z.unknown()),
    settings: MeetingSettings,
  })
  .partial();
export type MeetingInput = z.infer<typeof MeetingInput>;

export const StatusInput = z.object({ action: z.enum(['end', 'recover']) });

const JsonObject = z.record(z.string(), z.unknown());

export type FieldError = { field: string; message: string };

/** Zoom answers a body that is not a JSON object with 300 "Request Body should be a valid JSON object." */
export async function readJsonObject(c: Context): Promise<Record<string, unknown> | null> {
  const text = await c.req.text().catch(() => null);
  if (text === null) return null;
  if (text.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  const obj = JsonObject.safeParse(v);
  return obj.success ? obj.data : null;
}

export function parseWith<T>(schema: z.ZodType<T>, body: unknown): { ok: true; value: T } | { ok: false; errors: FieldError[] } {
  const r = schema.safeParse(body);
  if (r.success) return { ok: true, value: r.data };
  const fields = [...new Set(r.error.issues.map((i) => i.path.map(String).join('.') || '(body)'))];
  return { ok: false, errors: fields.map((field) => ({ field, message: 'Invalid field.' })) };
}

export function startTimeError(input: MeetingInput, timezone: string): FieldError | null {
  if (input.start_time === undefined) return null;
  return parseZoomStartTime(input.start_time, timezone) ? null : { field: 'start_time', message: 'Invalid field.' };
}
