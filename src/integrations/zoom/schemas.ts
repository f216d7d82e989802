import { z } from 'zod';

// Meeting ids are int64 (up to 11 digits, §7.10): accept number or string, keep a string.
export const MeetingId = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform((v) => String(v));

// §3.1: a pending user returns only `id` and `created_at`, so all but `id` may be missing.
export const ZoomUserResponse = z.object({
  id: z.string().min(1),
  account_id: z.string().optional(),
  email: z.string().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  display_name: z.string().optional(),
  type: z.number().int().optional(),
  status: z.string().optional(),
});

// §3.2: only what Runframe keeps. `start_url` is deliberately absent from this schema, so the
// parse strips it: it logs in as the host (§6) and must never be returned, stored or logged.
export const ZoomMeetingResponse = z.object({
  id: MeetingId,
  uuid: z.string().optional(),
  topic: z.string().optional(),
  join_url: z.url(),
  password: z.string().optional(),
  status: z.string().optional(),
  start_time: z.string().optional(),
  duration: z.number().optional(),
  agenda: z.string().optional(),
});

const ZoomMeetingListItem = z.object({
  id: MeetingId,
  uuid: z.string().optional(),
  topic: z.string().default(''),
  agenda: z.string().optional(),
  start_time: z.string().optional(),
  created_at: z.string().optional(),
  join_url: z.string().optional(),
});

export const ZoomMeetingListResponse = z.object({
  meetings: z.array(ZoomMeetingListItem).default([]),
  next_page_token: z.string().optional(),
});
