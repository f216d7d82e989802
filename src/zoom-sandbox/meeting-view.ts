import { randomBytes } from 'node:crypto';
import type { Ctx } from './context.ts';
import type { Meeting } from './state.ts';

const DEFAULT_SETTINGS: Record<string, unknown> = {
  host_video: false,
  participant_video: false,
  cn_meeting: false,
  in_meeting: false,
  join_before_host: false,
  jbh_time: 0,
  mute_upon_entry: false,
  watermark: false,
  use_pmi: false,
  approval_type: 2,
  audio: 'both',
  auto_recording: 'none',
  enforce_login: false,
  enforce_login_domains: '',
  alternative_hosts: '',
  alternative_host_update_polls: false,
  close_registration: false,
  show_share_button: false,
  allow_multiple_devices: false,
  registrants_confirmation_email: true,
  waiting_room: false,
  request_permission_to_unmute_participants: false,
  registrants_email_notification: true,
  meeting_authentication: false,
  encryption_type: 'enhanced_encryption',
  approved_or_denied_countries_or_regions: { enable: false },
  breakout_room: { enable: false },
  internal_meeting: false,
  continuous_meeting_chat: { enable: false },
  participant_focused_meeting: false,
  push_change_to_calendar: false,
  resources: [],
  alternative_hosts_email_notification: true,
  show_join_info: false,
  device_testing: false,
  focus_mode: false,
  private_meeting: false,
  email_notification: true,
  host_save_video_order: false,
  sign_language_interpretation: { enable: false },
  email_in_attendee_report: false,
  global_dial_in_countries: ['US'],
  global_dial_in_numbers: [{ country_name: 'US', number: '+1 555 010 0000', type: 'toll', country: 'US' }],
};

export function mergeSettings(current: Record<string, unknown> | undefined, patch: Record<string, unknown> | undefined): Record<string, unknown> {
  return { ...DEFAULT_SETTINGS, ...(current ?? {}), ...(patch ?? {}) };
}

export function joinUrl(ctx: Ctx, m: Meeting): string {
  return `${ctx.publicUrl}/j/${m.id}?pwd=${encodeURIComponent(m.encryptedPassword)}`;
}

/** A fresh host link each time, as GET /meetings/{id} is how Zoom hands out a new start_url (§6). */
function startUrl(ctx: Ctx, m: Meeting): string {
  return `${ctx.publicUrl}/s/${m.id}?zak=${randomBytes(24).toString('base64url')}`;
}

function hostEmail(ctx: Ctx, m: Meeting): string {
  return ctx.store.state.users.find((u) => u.id === m.hostId)?.email ?? '';
}

/**
 * `pmi` (a string in Zoom's SDK types, §3.2) is "only returned if PMI was used to schedule the meeting",
 * i.e. with `settings.use_pmi: true`.
 */
function pmiField(ctx: Ctx, m: Meeting): Record<string, string> {
  if (m.settings['use_pmi'] !== true) return {};
  const host = ctx.store.state.users.find((u) => u.id === m.hostId);
  return host ? { pmi: String(host.pmi) } : {};
}

/** Body of 201 create and 200 GET (reference §3.2, §3.3). */
export function meetingJson(ctx: Ctx, m: Meeting): Record<string, unknown> {
  return {
    uuid: m.uuid,
    id: m.id,
    host_id: m.hostId,
    host_email: hostEmail(ctx, m),
    assistant_id: '',
    topic: m.topic,
    type: m.type,
    status: m.status,
    ...(m.startTime !== null ? { start_time: m.startTime } : {}),
    duration: m.duration,
    timezone: m.timezone,
    agenda: m.agenda,
    created_at: m.createdAt,
    start_url: startUrl(ctx, m), // Zoom returns the host link; clients must drop it, never store it
    join_url: joinUrl(ctx, m),
    password: m.password,
    h323_password: m.h323Password,
    pstn_password: m.h323Password,
    encrypted_password: m.encryptedPassword,
    ...pmiField(ctx, m),
    ...(m.recurrence !== undefined ? { recurrence: m.recurrence } : {}),
    settings: mergeSettings(m.settings, undefined),
    pre_schedule: false,
  };
}

/** List items carry fewer fields; Zoom truncates agenda to 250 characters there. */
export function meetingListItem(ctx: Ctx, m: Meeting): Record<string, unknown> {
  return {
    uuid: m.uuid,
    id: m.id,
    host_id: m.hostId,
    topic: m.topic,
    type: m.type,
    ...(m.startTime !== null ? { start_time: m.startTime } : {}),
    duration: m.duration,
    timezone: m.timezone,
    agenda: m.agenda.slice(0, 250),
    created_at: m.createdAt,
    join_url: joinUrl(ctx, m),
  };
}

export function eventObject(m: Meeting): Record<string, unknown> {
  return {
    // Zoom's SDK types give `id` as a string in meeting.* events (§5.7).
    id: String(m.id),
    uuid: m.uuid,
    host_id: m.hostId,
    topic: m.topic,
    type: m.type,
    start_time: m.startedAt ?? m.startTime ?? m.createdAt,
    duration: m.duration,
    timezone: m.timezone,
  };
}
