import type { Context } from 'hono';
import { addIncidentNote, AddIncidentNoteInput } from '../../domain/incidents/add-incident-note.ts';
import { changeIncidentLead, ChangeIncidentLeadInput } from '../../domain/incidents/change-incident-lead.ts';
import { changeIncidentSeverity, ChangeIncidentSeverityInput } from '../../domain/incidents/change-incident-severity.ts';
import { changeIncidentStatus, ChangeIncidentStatusInput } from '../../domain/incidents/change-incident-status.ts';
import { declareIncident, DeclareIncidentInput } from '../../domain/incidents/declare-incident.ts';
import { listIncidents, ListIncidentsQuery } from '../../domain/incidents/list-incidents.ts';
import { getIncident } from '../../domain/incidents/get-incident.ts';
import { listTimeline, timelinePage, TimelineQuery } from '../../domain/timeline/list-timeline.ts';
import type { IncidentView } from '../../domain/incidents/model.ts';
import { updateIncident, UpdateIncidentInput } from '../../domain/incidents/update-incident.ts';
import { requirePermission } from '../../domain/access/roles.ts';
import { ctxOf } from '../context.ts';
import type { AppEnv } from '../env.ts';
import { etagOf, ifMatchOf, queryOf, readJson, respond, type ApiRoute } from './registry.ts';
import { IncidentListResponse, IncidentResponse, TimelineResponse } from './schemas.ts';

const IF_MATCH_OPTIONAL = {
  name: 'If-Match',
  description: 'Optional here: the ETag of your last read ("3"). When sent, the change is refused with 412 if the incident changed since.',
};

/** The incident with its version as the ETag, so the next change can send it back as If-Match. */
const incidentAnswer = (c: Context<AppEnv>, incident: IncidentView, status: 200 | 201 = 200): Response => {
  c.header('etag', etagOf(incident.version));
  return respond(c, IncidentResponse, { incident }, status);
};

const expected = (c: Context<AppEnv>, required: boolean): { expectedVersion?: number } => {
  const m = ifMatchOf(c, { required });
  return m === undefined || m === 'any' ? {} : { expectedVersion: m.version };
};

const change = (
  path: string,
  summary: string,
  body: ApiRoute['body'],
  op: (a: { ctx: ReturnType<typeof ctxOf>; incidentRef: string; input: unknown; expectedVersion?: number }) => Promise<IncidentView>,
): ApiRoute => ({
  method: 'post',
  path,
  summary,
  tag: 'Incidents',
  ...(body ? { body } : {}),
  headers: [IF_MATCH_OPTIONAL],
  responses: { 200: IncidentResponse },
  etag: true,
  errors: { 412: 'If-Match was sent and the incident has changed since that version' },
  handler: async (c) => {
    const ctx = ctxOf(c);
    const input = await readJson(c);
    const incident = await op({ ctx, incidentRef: c.req.param('id') ?? '', input, ...expected(c, false) });
    return incidentAnswer(c, incident);
  },
});

export const incidentRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/incidents',
    summary: 'List incidents, active first (cursor-paged: after=nextCursor)',
    tag: 'Incidents',
    query: ListIncidentsQuery,
    responses: { 200: IncidentListResponse },
    handler: async (c) => {
      const r = await listIncidents({ ctx: ctxOf(c), input: queryOf(c) });
      return respond(c, IncidentListResponse, { incidents: r.incidents, page: r.page, perPage: r.perPage, total: r.total, totalCapped: r.totalCapped, nextCursor: r.nextCursor, prevCursor: r.prevCursor });
    },
  },
  {
    method: 'post',
    path: '/incidents',
    summary: 'Declare an incident (honours Idempotency-Key)',
    tag: 'Incidents',
    body: DeclareIncidentInput,
    headers: [{ name: 'Idempotency-Key', description: 'A retry with the same key and body returns the incident the first request declared (200) instead of declaring another.' }],
    responses: { 201: IncidentResponse, 200: IncidentResponse },
    etag: true,
    handler: async (c) => {
      const ctx = ctxOf(c);
      const { incident, created } = await declareIncident({ ctx, input: await readJson(c), idempotencyKey: c.req.header('idempotency-key') });
      return incidentAnswer(c, incident, created ? 201 : 200);
    },
  },
  {
    method: 'get',
    path: '/incidents/{id}',
    summary: 'Get an incident by id or INC reference; its ETag is the version to send back as If-Match',
    tag: 'Incidents',
    responses: { 200: IncidentResponse },
    etag: true,
    handler: async (c) => {
      const ref = c.req.param('id') ?? '';
      // Read with the API token, in the same statement (middleware.ts), when that is how the caller came.
      const read = c.get('incidentRead');
      return incidentAnswer(c, await getIncident({ ctx: ctxOf(c), incidentRef: ref, ...(read?.ref === ref ? { read: read.incident } : {}) }));
    },
  },
  {
    method: 'patch',
    path: '/incidents/{id}',
    summary:
      'Change the title, summary, severity, lead or status, as the incident page does (same rules, timeline entries, audit rows, automatic war room, and the war room ending on resolve or close). All or nothing; fields left out or unchanged are left alone; the status is applied last.',
    tag: 'Incidents',
    body: UpdateIncidentInput,
    headers: [
      {
        name: 'If-Match',
        required: true,
        description: 'The ETag of your last read of the incident ("3"): the change is refused with 412 if anyone changed the incident since (a field, or a note). * changes whatever the current version is.',
      },
    ],
    responses: { 200: IncidentResponse },
    etag: true,
    errors: {
      409: 'The incident is closed and can no longer be changed',
      412: 'The incident changed since the version in If-Match: read it again and retry with the new ETag',
      428: 'If-Match is missing',
    },
    handler: async (c) => {
      const ctx = ctxOf(c);
      // Who may change it is said first; then the header, before the body.
      requirePermission(ctx.actor, 'incident:edit');
      const version = expected(c, true);
      const { incident } = await updateIncident({ ctx, incidentRef: c.req.param('id') ?? '', input: await readJson(c), ...version });
      return incidentAnswer(c, incident);
    },
  },
  change('/incidents/{id}/status', 'Change the status (also possible with PATCH /incidents/{id})', ChangeIncidentStatusInput, changeIncidentStatus),
  change('/incidents/{id}/severity', 'Raise or lower the severity (also possible with PATCH /incidents/{id})', ChangeIncidentSeverityInput, changeIncidentSeverity),
  change('/incidents/{id}/lead', 'Set or clear the incident lead (also possible with PATCH /incidents/{id})', ChangeIncidentLeadInput, changeIncidentLead),
  {
    method: 'post',
    path: '/incidents/{id}/notes',
    summary: 'Add a note to the timeline; answers with the newest entries (100)',
    tag: 'Timeline',
    body: AddIncidentNoteInput,
    responses: { 201: TimelineResponse },
    handler: async (c) => {
      const ctx = ctxOf(c);
      const incidentRef = c.req.param('id') ?? '';
      await addIncidentNote({ ctx, incidentRef, input: await readJson(c) });
      // The newest entries, the note just added last.
      const incident = await getIncident({ ctx, incidentRef });
      return respond(c, TimelineResponse, await timelinePage(ctx.db, ctx.actor.orgId, incident.id, { latest: true, limit: 100 }), 201);
    },
  },
  {
    method: 'get',
    path: '/incidents/{id}/timeline',
    summary: 'The incident timeline, oldest first, in pages (limit, after=nextCursor, before=prevCursor)',
    tag: 'Timeline',
    query: TimelineQuery,
    responses: { 200: TimelineResponse },
    handler: async (c) => respond(c, TimelineResponse, await listTimeline({ ctx: ctxOf(c), incidentRef: c.req.param('id') ?? '', input: queryOf(c) })),
  },
];
