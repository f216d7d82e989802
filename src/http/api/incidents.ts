import { addIncidentNote, AddIncidentNoteInput } from '../../domain/incidents/add-incident-note.ts';
import { changeIncidentLead, ChangeIncidentLeadInput } from '../../domain/incidents/change-incident-lead.ts';
import { changeIncidentSeverity, ChangeIncidentSeverityInput } from '../../domain/incidents/change-incident-severity.ts';
import { changeIncidentStatus, ChangeIncidentStatusInput } from '../../domain/incidents/change-incident-status.ts';
import { declareIncident, DeclareIncidentInput } from '../../domain/incidents/declare-incident.ts';
import { listIncidents, ListIncidentsQuery } from '../../domain/incidents/list-incidents.ts';
import { getIncident } from '../../domain/incidents/get-incident.ts';
import { listTimeline, timelinePage, TimelineQuery } from '../../domain/timeline/list-timeline.ts';
import { ctxOf } from '../context.ts';
import { queryOf, readJson, respond, type ApiRoute } from './registry.ts';
import { IncidentListResponse, IncidentResponse, TimelineResponse } from './schemas.ts';

const change = (
  path: string,
  summary: string,
  body: ApiRoute['body'],
  op: (a: { ctx: ReturnType<typeof ctxOf>; incidentRef: string; input: unknown }) => Promise<unknown>,
): ApiRoute => ({
  method: 'post',
  path,
  summary,
  tag: 'Incidents',
  ...(body ? { body } : {}),
  responses: { 200: IncidentResponse },
  handler: async (c) => {
    const ctx = ctxOf(c);
    const input = await readJson(c);
    const incidentRef = c.req.param('id') ?? '';
    await op({ ctx, incidentRef, input });
    return respond(c, IncidentResponse, { incident: await getIncident({ ctx, incidentRef }) });
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
    handler: async (c) => {
      const ctx = ctxOf(c);
      const { incident, created } = await declareIncident({ ctx, input: await readJson(c), idempotencyKey: c.req.header('idempotency-key') });
      return respond(c, IncidentResponse, { incident }, created ? 201 : 200);
    },
  },
  {
    method: 'get',
    path: '/incidents/{id}',
    summary: 'Get an incident by id or INC reference',
    tag: 'Incidents',
    responses: { 200: IncidentResponse },
    handler: async (c) => respond(c, IncidentResponse, { incident: await getIncident({ ctx: ctxOf(c), incidentRef: c.req.param('id') ?? '' }) }),
  },
  change('/incidents/{id}/status', 'Change the status', ChangeIncidentStatusInput, changeIncidentStatus),
  change('/incidents/{id}/severity', 'Raise or lower the severity', ChangeIncidentSeverityInput, changeIncidentSeverity),
  change('/incidents/{id}/lead', 'Set or clear the incident lead', ChangeIncidentLeadInput, changeIncidentLead),
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
