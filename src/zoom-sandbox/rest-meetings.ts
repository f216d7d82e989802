import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { authenticate, resolveUserParam, type Caller } from './api-auth.ts';
import type { Ctx } from './context.ts';
import { digits, meetingNumber, meetingUuid, opaqueToken, passcode } from './ids.ts';
import { deleteMeeting, endMeeting, findMeeting } from './meeting-lifecycle.ts';
import { MeetingInput, StatusInput, parseWith, readJsonObject, startTimeError, type MeetingInput as MeetingInputT } from './meeting-input.ts';
import { meetingJson, meetingListItem, mergeSettings } from './meeting-view.ts';
import { consumeDaily } from './rate-limits.ts';
import type { Meeting } from './state.ts';
import { isoSeconds, parseZoomStartTime } from './time.ts';
import { MESSAGES, zoomError } from './zoom-errors.ts';

const ListQuery = z.object({
  type: z.enum(['scheduled', 'live', 'upcoming', 'upcoming_meetings', 'previous_meetings']).default('scheduled'),
  page_size: z.coerce.number().int().min(1).max(300).default(30),
  next_page_token: z.string().optional(),
  page_number: z.coerce.number().int().min(1).optional(),
});

/** Reads and validates a meeting body; returns the input or a Zoom 300 response. */
async function readMeetingInput(c: Context, timezone: string): Promise<MeetingInputT | Response> {
  const raw = await readJsonObject(c);
  if (raw === null) return zoomError(c, 400, 300, MESSAGES.invalidJson);
  const parsed = parseWith(MeetingInput, raw);
  if (!parsed.ok) return zoomError(c, 400, 300, MESSAGES.validationFailed, parsed.errors);
  const stErr = startTimeError(parsed.value, parsed.value.timezone ?? timezone);
  if (stErr) return zoomError(c, 400, 300, MESSAGES.validationFailed, [stErr]);
  return parsed.value;
}

/**
 * The sandbox's page tokens are base64url of a non-negative offset it handed out itself. Anything else
 * (garbage, a negative or fractional number, a non-canonical encoding) is a validation error, as Zoom
 * answers an unknown token, never a slice from a negative offset.
 */
function pageTokenOffset(token: string): number | null {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return null;
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (!/^(0|[1-9]\d{0,8})$/.test(text)) return null;
  if (Buffer.from(text).toString('base64url') !== token) return null;
  return Number(text);
}

function ownMeeting(c: Context, ctx: Ctx, caller: Caller, id: string, notHost: [number, string] = [3000, 'Cannot access meeting information.']): Meeting | Response {
  const m = findMeeting(ctx, id);
  if (!m) return zoomError(c, 404, 3001, MESSAGES.meetingNotFound(id));
  if (m.hostId !== caller.user.id) return zoomError(c, 400, notHost[0], notHost[1]);
  return m;
}

function uniqueMeetingId(ctx: Ctx): number {
  for (;;) {
    const id = meetingNumber();
    if (!ctx.store.state.meetings.some((m) => m.id === id)) return id;
  }
}

export function mountMeetings(app: Hono, ctx: Ctx): void {
  app.post('/v2/users/:userId/meetings', async (c) => {
    const caller = authenticate(c, ctx, 'createMeeting');
    if (caller instanceof Response) return caller;
    const notSelf = resolveUserParam(c, caller, c.req.param('userId'));
    if (notSelf) return notSelf;
    const { user } = caller;
    if (!user.canHost) return zoomError(c, 400, 3161, MESSAGES.cannotHost);
    const limited = consumeDaily(c, ctx, user.id, 'Medium');
    if (limited) return limited;
    ctx.store.save();
    const input = await readMeetingInput(c, user.timezone);
    if (input instanceof Response) return input;
    const type = input.type ?? 2;
    if (input.schedule_for !== undefined && input.schedule_for !== user.id && input.schedule_for.toLowerCase() !== user.email.toLowerCase()) {
      const msg = type === 1
        ? 'Instant meetings do not support the schedule_for parameter, and cannot be scheduled for another user.'
        : `You cannot schedule a meeting for ${input.schedule_for}.`;
      return zoomError(c, 400, 3000, msg);
    }
    const now = ctx.now();
    const timezone = input.timezone ?? user.timezone;
    const start = type === 3 ? null : type === 1 || !input.start_time ? now : parseZoomStartTime(input.start_time, timezone);
    const password = input.password ?? passcode();
    const meeting: Meeting = {
      id: uniqueMeetingId(ctx),
      uuid: meetingUuid(),
      hostId: user.id,
      topic: input.topic ?? `${user.firstName} ${user.lastName}'s Zoom Meeting`,
      type,
      startTime: start ? isoSeconds(start) : null,
      duration: input.duration ?? 60,
      timezone,
      agenda: input.agenda ?? '',
      password,
      encryptedPassword: opaqueToken('').slice(1, 33),
      h323Password: digits(6),
      createdAt: isoSeconds(now),
      settings: mergeSettings(undefined, input.settings),
      ...(input.recurrence !== undefined ? { recurrence: input.recurrence } : {}),
      status: 'waiting',
      startedAt: null,
      participants: [],
      deleted: false,
      createdByClientId: caller.app.clientId,
    };
    ctx.store.state.meetings.push(meeting);
    ctx.store.save();
    return c.json(meetingJson(ctx, meeting), 201);
  });

  app.get('/v2/users/:userId/meetings', (c) => {
    const caller = authenticate(c, ctx, 'listMeetings');
    if (caller instanceof Response) return caller;
    const notSelf = resolveUserParam(c, caller, c.req.param('userId'));
    if (notSelf) return notSelf;
    const q = parseWith(ListQuery, c.req.query());
    if (!q.ok) return zoomError(c, 400, 300, MESSAGES.validationFailed, q.errors);
    const nowIso = isoSeconds(ctx.now());
    const mine = ctx.store.state.meetings.filter((m) => m.hostId === caller.user.id && !m.deleted);
    const live = (m: Meeting): boolean => m.status === 'started';
    const kept = mine.filter((m) => {
      switch (q.value.type) {
        case 'live':
          return live(m);
        case 'upcoming':
        case 'upcoming_meetings':
          return live(m) || (m.type !== 1 && (m.startTime === null || m.startTime >= nowIso));
        case 'previous_meetings':
          return m.type !== 1 && m.startTime !== null && m.startTime < nowIso;
        default:
          return m.type !== 1 || live(m);
      }
    });
    kept.sort((a, b) => (a.startTime ?? a.createdAt).localeCompare(b.startTime ?? b.createdAt) || a.id - b.id);
    const size = q.value.page_size;
    let offset = ((q.value.page_number ?? 1) - 1) * size;
    if (q.value.next_page_token) {
      const decoded = pageTokenOffset(q.value.next_page_token);
      if (decoded === null) return zoomError(c, 400, 300, MESSAGES.validationFailed, [{ field: 'next_page_token', message: 'Invalid field.' }]);
      offset = decoded;
    }
    const page = kept.slice(offset, offset + size);
    const more = offset + size < kept.length;
    return c.json({
      page_count: Math.max(1, Math.ceil(kept.length / size)),
      page_number: Math.floor(offset / size) + 1,
      page_size: size,
      total_records: kept.length,
      next_page_token: more ? Buffer.from(String(offset + size)).toString('base64url') : '',
      meetings: page.map((m) => meetingListItem(ctx, m)),
    });
  });

  app.get('/v2/meetings/:meetingId', (c) => {
    const caller = authenticate(c, ctx, 'readMeeting');
    if (caller instanceof Response) return caller;
    const m = ownMeeting(c, ctx, caller, c.req.param('meetingId'));
    if (m instanceof Response) return m;
    return c.json(meetingJson(ctx, m));
  });

  app.delete('/v2/meetings/:meetingId', (c) => {
    const caller = authenticate(c, ctx, 'deleteMeeting');
    if (caller instanceof Response) return caller;
    const m = ownMeeting(c, ctx, caller, c.req.param('meetingId'), [3003, 'You are not the meeting host.']);
    if (m instanceof Response) return m;
    if (m.status === 'started') return zoomError(c, 400, 3002, 'Sorry, you cannot delete this meeting since it is in progress.');
    deleteMeeting(ctx, m, caller.user);
    return c.body(null, 204);
  });

  app.patch('/v2/meetings/:meetingId', async (c) => {
    const caller = authenticate(c, ctx, 'updateMeeting');
    if (caller instanceof Response) return caller;
    const m = ownMeeting(c, ctx, caller, c.req.param('meetingId'));
    if (m instanceof Response) return m;
    if (!caller.user.canHost) return zoomError(c, 400, 3161, MESSAGES.cannotHost);
    // Updates count toward the same 100/day create+update budget as creates (§3.6).
    const limited = consumeDaily(c, ctx, caller.user.id, 'Light');
    if (limited) return limited;
    ctx.store.save();
    const input = await readMeetingInput(c, m.timezone);
    if (input instanceof Response) return input;
    if (input.topic !== undefined) m.topic = input.topic;
    if (input.agenda !== undefined) m.agenda = input.agenda;
    if (input.duration !== undefined) m.duration = input.duration;
    if (input.timezone !== undefined) m.timezone = input.timezone;
    if (input.type !== undefined) m.type = input.type;
    if (input.password !== undefined) m.password = input.password;
    if (input.recurrence !== undefined) m.recurrence = input.recurrence;
    if (input.start_time !== undefined) {
      const start = parseZoomStartTime(input.start_time, m.timezone);
      if (start) m.startTime = isoSeconds(start);
    }
    if (input.settings !== undefined) m.settings = mergeSettings(m.settings, input.settings);
    ctx.store.save();
    return c.body(null, 204);
  });

  app.put('/v2/meetings/:meetingId/status', async (c) => {
    const caller = authenticate(c, ctx, 'updateStatus');
    if (caller instanceof Response) return caller;
    const id = c.req.param('meetingId');
    const raw = await readJsonObject(c);
    if (raw === null) return zoomError(c, 400, 300, MESSAGES.invalidJson);
    const body = parseWith(StatusInput, raw);
    if (!body.ok) return zoomError(c, 400, 300, MESSAGES.validationFailed, body.errors);
    if (!caller.user.canHost) return zoomError(c, 400, 3161, MESSAGES.cannotHost);
    if (body.value.action === 'recover') {
      const gone = ctx.store.state.meetings.find((x) => String(x.id) === id && x.hostId === caller.user.id);
      if (!gone) return zoomError(c, 404, 3001, MESSAGES.meetingDoesNotExist(id));
      gone.deleted = false;
      ctx.store.save();
      return c.body(null, 204);
    }
    const m = findMeeting(ctx, id);
    if (!m || m.hostId !== caller.user.id) return zoomError(c, 404, 3001, MESSAGES.meetingDoesNotExist(id));
    endMeeting(ctx, m);
    return c.body(null, 204);
  });
}
