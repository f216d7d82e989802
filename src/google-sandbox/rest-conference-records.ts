import type { Context, Hono } from 'hono';
import { apiView, type ApiConference } from './conference-lifecycle.ts';
import type { Ctx } from './context.ts';
import { googleError } from './google-errors.ts';
import { pageOffset, pageToken, parseFilter } from './list-filter.ts';
import { authenticate, type Caller } from './meet-auth.ts';
import { canSee } from './rest-spaces.ts';
import { conferenceJson, participantJson } from './space-view.ts';
import type { Conference } from './state.ts';

/** pageSize: missing or 0 → default, above max → max (reference §3.7); not an integer → 400. */
function pageSize(c: Context, raw: string | undefined, def: number, max: number): number | Response {
  if (raw === undefined || raw === '') return def;
  if (!/^-?\d+$/.test(raw)) return googleError(c, 400, 'INVALID_ARGUMENT', `Invalid value at 'page_size' (TYPE_INT32), "${raw}"`);
  const n = Number(raw);
  if (n < 0) return googleError(c, 400, 'INVALID_ARGUMENT', 'page_size must not be negative.');
  return n === 0 ? def : Math.min(n, max);
}

function page<T>(c: Context, items: T[], key: string, size: number, token: string | undefined, emptyAsObject: boolean): Response {
  const offset = pageOffset(token);
  if (offset === null) return googleError(c, 400, 'INVALID_ARGUMENT', 'Invalid page token.');
  const slice = items.slice(offset, offset + size);
  const more = offset + size < items.length;
  // proto3 JSON omits an empty repeated field: an empty page is `{}` (UNCONFIRMED, a setting).
  if (slice.length === 0 && emptyAsObject) return c.json({});
  return c.json({ [key]: slice, ...(more ? { nextPageToken: pageToken(offset + size) } : {}) });
}

export function mountConferenceRecords(app: Hono, ctx: Ctx): void {
  const visible = (caller: Caller, conf: Conference): boolean => {
    const space = ctx.store.state.spaces.find((s) => s.name === conf.space);
    return space !== undefined && canSee(caller, space);
  };

  app.get('/v2/conferenceRecords', (c) => {
    const caller = authenticate(c, ctx, 'conferenceRecords.list');
    if (caller instanceof Response) return caller;
    const size = pageSize(c, c.req.query('pageSize'), 25, 100);
    if (size instanceof Response) return size;
    const filter = parseFilter(c.req.query('filter') ?? '', { 'space.name': 'string', 'space.meeting_code': 'string', start_time: 'time', end_time: 'time' });
    if (!filter.ok) return googleError(c, 400, 'INVALID_ARGUMENT', filter.error);
    const spaces = new Map(ctx.store.state.spaces.map((s) => [s.name, s]));
    const records = ctx.store.state.conferences
      .filter((conf) => visible(caller, conf))
      .map((conf) => apiView(ctx, conf))
      .filter((v): v is ApiConference => v !== null)
      .filter((v) =>
        filter.test((field) => {
          if (field === 'space.name') return v.conf.space;
          if (field === 'space.meeting_code') return spaces.get(v.conf.space)?.meetingCode ?? null;
          return field === 'start_time' ? v.conf.startTime : v.endTime;
        }),
      )
      .sort((a, b) => b.conf.startTime.localeCompare(a.conf.startTime) || b.conf.name.localeCompare(a.conf.name))
      .map(conferenceJson);
    return page(c, records, 'conferenceRecords', size, c.req.query('pageToken'), ctx.store.state.settings.emptyListAsEmptyObject);
  });

  const findRecord = (c: Context, caller: Caller): ApiConference | Response => {
    const name = `conferenceRecords/${c.req.param('record') ?? ''}`;
    const found = ctx.store.state.conferences.find((x) => x.name === name);
    const view = found ? apiView(ctx, found) : null;
    if (!found || !view) return googleError(c, 404, 'NOT_FOUND', 'Requested entity was not found.');
    const conf = found;
    if (!visible(caller, conf)) return googleError(c, 403, 'PERMISSION_DENIED', 'Permission denied on resource ConferenceRecord (or it might not exist)');
    return view;
  };

  app.get('/v2/conferenceRecords/:record', (c) => {
    const caller = authenticate(c, ctx, 'conferenceRecords.get');
    if (caller instanceof Response) return caller;
    const view = findRecord(c, caller);
    return view instanceof Response ? view : c.json(conferenceJson(view));
  });

  app.get('/v2/conferenceRecords/:record/participants', (c) => {
    const caller = authenticate(c, ctx, 'participants.list');
    if (caller instanceof Response) return caller;
    const view = findRecord(c, caller);
    if (view instanceof Response) return view;
    const conf = view.conf;
    const size = pageSize(c, c.req.query('pageSize'), 100, 250);
    if (size instanceof Response) return size;
    const filter = parseFilter(c.req.query('filter') ?? '', { earliest_start_time: 'time', latest_end_time: 'time' });
    if (!filter.ok) return googleError(c, 400, 'INVALID_ARGUMENT', filter.error);
    const items = conf.participants
      .filter((p) => filter.test((field) => (field === 'earliest_start_time' ? p.joinedAt : p.leftAt)))
      .sort((a, b) => b.joinedAt.localeCompare(a.joinedAt))
      .map((p) => participantJson(ctx, conf, p));
    return page(c, items, 'participants', size, c.req.query('pageToken'), ctx.store.state.settings.emptyListAsEmptyObject);
  });
}
