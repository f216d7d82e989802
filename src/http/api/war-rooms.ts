import { z } from 'zod';
import { createWarRoom, CreateWarRoomInput } from '../../domain/war-rooms/create-war-room.ts';
import { getWarRooms } from '../../domain/war-rooms/list-war-rooms.ts';
import { meetingPort } from '../../integrations/hub/meetings.ts';
import { ctxOf } from '../context.ts';
import { readJson, respond, type ApiRoute } from './registry.ts';

const WarRoomSchema = z.object({
  id: z.string(),
  provider: z.string(),
  providerName: z.string(),
  state: z.enum(['creating', 'active', 'ended', 'expired', 'failed']),
  liveStatus: z.enum(['not_started', 'live', 'empty']),
  meetingId: z.string().nullable().describe('The provider meeting ID, as a string (a Google Meet space name, spaces/…)'),
  meetingCode: z.string().nullable().describe('What people type to join, when the provider has one apart from the meeting ID (a Google Meet meeting code)'),
  joinUrl: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  endedAt: z.string().nullable(),
  endedReason: z.string().nullable(),
  failure: z.object({ message: z.string(), hint: z.string().nullable() }).nullable(),
});

export const WarRoomResponse = z.object({ warRoom: WarRoomSchema });
export const WarRoomsResponse = z.object({
  warRoom: WarRoomSchema.nullable().describe('The creating or active, unexpired war room'),
  lastFailure: WarRoomSchema.nullable(),
  history: z.array(WarRoomSchema),
});

const CREATING_RETRY_AFTER_SECONDS = 5;

/** The request body as documented; the domain's CreateWarRoomInput parses it (and checks the provider is offered). */
const CreateWarRoomBody = CreateWarRoomInput.extend({
  provider: z
    .enum(['google_meet', 'zoom'])
    .optional()
    .describe("Which provider makes the meeting. Default: the organization's default provider when it is connected, else the first connected one. Unknown: 400; not connected: 409."),
});

export const warRoomRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/incidents/{id}/war-room',
    summary: 'The incident’s current war room, its last failed attempt and its history',
    tag: 'War rooms',
    responses: { 200: WarRoomsResponse },
    handler: async (c) => {
      const data = await getWarRooms({ ctx: ctxOf(c), meetings: meetingPort(c.get('hub')), incidentRef: c.req.param('id') ?? '' });
      return respond(c, WarRoomsResponse, { warRoom: data.current, lastFailure: data.lastFailure, history: data.history });
    },
  },
  {
    method: 'post',
    path: '/incidents/{id}/war-room',
    summary: 'Create War Room: one meeting per incident, whatever the retries (honours Idempotency-Key)',
    tag: 'War rooms',
    body: CreateWarRoomBody,
    bodyOptional: true,
    headers: [{ name: 'Idempotency-Key', description: 'A retry with the same key returns the same war room.' }],
    responses: { 201: WarRoomResponse, 200: WarRoomResponse, 202: WarRoomResponse },
    errors: {
      409: 'The incident is not active, the provider is not connected or needs reconnecting, or the Idempotency-Key was used for another incident',
      422: 'The provider refused: its user cannot host meetings, or it answered with something Runframe cannot use (the failure is on the timeline)',
      503: 'The provider is unavailable or did not answer in time; try again (the failure is on the timeline)',
    },
    handler: async (c) => {
      const hub = c.get('hub');
      const ref = c.req.param('id') ?? '';
      // Read with the API token, in the same statement (middleware.ts).
      const pre = c.get('incidentRead');
      const read = pre?.ref === ref ? pre : undefined;
      const ctx = ctxOf(c);
      const r = await createWarRoom({
        ctx,
        meetings: meetingPort(hub, read?.connections ? { orgId: ctx.actor.orgId, rows: read.connections } : undefined),
        timing: hub.warRoomTiming,
        incidentRef: ref,
        incident: read?.incident ?? undefined,
        input: await readJson(c),
        idempotencyKey: c.req.header('idempotency-key'),
      });
      // Another attempt is still at the provider after the wait: answer now, with when to look again.
      if (!r.created && r.warRoom.state === 'creating') {
        c.header('retry-after', String(CREATING_RETRY_AFTER_SECONDS));
        return respond(c, WarRoomResponse, { warRoom: r.warRoom }, 202);
      }
      return respond(c, WarRoomResponse, { warRoom: r.warRoom }, r.created ? 201 : 200);
    },
  },
];
