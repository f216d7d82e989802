import type { Context, Hono } from 'hono';
import { activeConference, endConference, findSpace, findSpaceByCode } from './conference-lifecycle.ts';
import type { Ctx } from './context.ts';
import { MESSAGES, googleError } from './google-errors.ts';
import { meetingCode, spaceId } from './ids.ts';
import { isObject, readJsonObject } from './json-body.ts';
import { authenticate, type Caller } from './meet-auth.ts';
import { SCOPE } from './scopes.ts';
import { spaceJson } from './space-view.ts';
import { AccessTypeSchema, type AccessType, type Space } from './state.ts';

const SPACE_FIELDS = ['name', 'meetingUri', 'meetingCode', 'config', 'activeConference', 'phoneAccess', 'gatewaySipAccess'];
const CONFIG_FIELDS = ['accessType', 'entryPointAccess', 'moderation', 'moderationRestrictions', 'attendanceReportGenerationType', 'artifactConfig'];
const ACCESS_TYPES = ['ACCESS_TYPE_UNSPECIFIED', 'OPEN', 'TRUSTED', 'RESTRICTED'];
const ENTRY_POINTS = ['ENTRY_POINT_ACCESS_UNSPECIFIED', 'ALL', 'CREATOR_APP_ONLY'];
const MEETING_CODE = /^[a-z]+-[a-z]+-[a-z]+$/i;

const badRequest = (c: Context, message: string, field?: string): Response =>
  googleError(c, 400, 'INVALID_ARGUMENT', message, field ? [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field, description: message }] }] : []);

/** Google rejects unknown JSON fields and unknown enum values with INVALID_ARGUMENT. */
function parseSpaceInput(c: Context, body: Record<string, unknown>): { accessType: string | undefined; entryPointAccess: string | undefined } | Response {
  for (const k of Object.keys(body)) {
    if (!SPACE_FIELDS.includes(k)) return badRequest(c, `Invalid JSON payload received. Unknown name "${k}" at 'space': Cannot find field.`, k);
  }
  const config = body.config;
  if (config === undefined) return { accessType: undefined, entryPointAccess: undefined };
  if (!isObject(config)) return badRequest(c, `Invalid value at 'space.config' (type.googleapis.com/google.apps.meet.v2.SpaceConfig), ${JSON.stringify(config)}`, 'space.config');
  for (const k of Object.keys(config)) {
    if (!CONFIG_FIELDS.includes(k)) return badRequest(c, `Invalid JSON payload received. Unknown name "${k}" at 'space.config': Cannot find field.`, `space.config.${k}`);
  }
  const { accessType, entryPointAccess } = config;
  if (accessType !== undefined && (typeof accessType !== 'string' || !ACCESS_TYPES.includes(accessType))) {
    return badRequest(c, `Invalid value at 'space.config.access_type' (type.googleapis.com/google.apps.meet.v2.SpaceConfig.AccessType), ${JSON.stringify(accessType)}`, 'space.config.access_type');
  }
  if (entryPointAccess !== undefined && (typeof entryPointAccess !== 'string' || !ENTRY_POINTS.includes(entryPointAccess))) {
    return badRequest(c, `Invalid value at 'space.config.entry_point_access' (type.googleapis.com/google.apps.meet.v2.SpaceConfig.EntryPointAccess), ${JSON.stringify(entryPointAccess)}`, 'space.config.entry_point_access');
  }
  return { accessType, entryPointAccess };
}

/** With `meetings.space.created` only spaces this client created for this account are visible (§2, §3.4). */
export function canSee(caller: Caller, space: Space): boolean {
  if (space.ownerSub !== caller.account.sub) return false;
  return space.createdByClientId === caller.app.clientId || caller.scopes.includes(SCOPE.readonly);
}

function uniqueSpace(ctx: Ctx): { id: string; code: string } {
  for (;;) {
    const id = spaceId();
    const code = meetingCode();
    if (!ctx.store.state.spaces.some((s) => s.name === `spaces/${id}` || s.meetingCode === code)) return { id, code };
  }
}

export function mountSpaces(app: Hono, ctx: Ctx): void {
  app.post('/v2/spaces', async (c) => {
    const caller = authenticate(c, ctx, 'spaces.create');
    if (caller instanceof Response) return caller;
    const { account } = caller;
    const { settings } = ctx.store.state;
    // Message and reason for these two are UNCONFIRMED (reference §3.9, §3.11): PERMISSION_DENIED without a reason.
    if (!account.meetEnabled) return googleError(c, 403, 'PERMISSION_DENIED', MESSAGES.meetDisabled);
    if (account.kind === 'consumer' && !settings.consumerCanCreate) return googleError(c, 403, 'PERMISSION_DENIED', MESSAGES.consumerDenied);
    const raw = await readJsonObject(c);
    if (!raw.ok) return badRequest(c, raw.error);
    const input = parseSpaceInput(c, raw.value);
    if (input instanceof Response) return input;
    // Unset or ACCESS_TYPE_UNSPECIFIED: the account's default, which the answer shows (never UNSPECIFIED).
    const asked = AccessTypeSchema.safeParse(input.accessType);
    let accessType: AccessType = asked.success ? asked.data : account.defaultAccessType;
    if (accessType === 'OPEN' && account.openPolicy === 'reject') return googleError(c, 403, 'PERMISSION_DENIED', MESSAGES.openNotAllowed);
    if (accessType === 'OPEN' && account.openPolicy === 'downgrade') accessType = 'TRUSTED';
    const { id, code } = uniqueSpace(ctx);
    const space: Space = {
      name: `spaces/${id}`,
      meetingCode: code,
      ownerSub: account.sub,
      createdByClientId: caller.app.clientId,
      accessType,
      entryPointAccess: input.entryPointAccess === 'CREATOR_APP_ONLY' ? 'CREATOR_APP_ONLY' : 'ALL',
      createdAt: ctx.now().toISOString(),
    };
    ctx.store.state.spaces.push(space);
    ctx.store.save();
    // 200, not 201: a plain custom create without a long-running operation (reference §3.3).
    return c.json(spaceJson(ctx, space), 200);
  });

  app.get('/v2/spaces/:space', (c) => {
    const caller = authenticate(c, ctx, 'spaces.get');
    if (caller instanceof Response) return caller;
    const id = c.req.param('space');
    // `spaces/{meetingCode}` works for get only (reference §3.2).
    const space = MEETING_CODE.test(id) ? findSpaceByCode(ctx, id) : findSpace(ctx, id);
    // 403, not 404, whether the space is someone else's or does not exist (reference §3.9).
    if (!space || !canSee(caller, space)) return googleError(c, 403, 'PERMISSION_DENIED', MESSAGES.spaceDenied);
    return c.json(spaceJson(ctx, space));
  });

  app.post('/v2/spaces/:space', async (c) => {
    const [id = '', verb] = c.req.param('space').split(':');
    if (verb !== 'endActiveConference') return googleError(c, 404, 'NOT_FOUND', 'Method not found.');
    const caller = authenticate(c, ctx, 'spaces.endActiveConference');
    if (caller instanceof Response) return caller;
    if (MEETING_CODE.test(id)) return badRequest(c, `Invalid resource name: spaces/${id}. Use the space name, not the meeting code.`, 'name');
    const raw = await readJsonObject(c);
    if (!raw.ok) return badRequest(c, raw.error);
    const space = findSpace(ctx, id);
    // Owner-only (reference §3.1); the readonly scope does not reach spaces of other apps here.
    if (!space || space.ownerSub !== caller.account.sub || space.createdByClientId !== caller.app.clientId) {
      return googleError(c, 403, 'PERMISSION_DENIED', MESSAGES.spaceDenied);
    }
    if (activeConference(ctx, space) && endConference(ctx, space)) return c.json({});
    switch (ctx.store.state.settings.endWhenIdle) {
      case 'ok':
        return c.json({});
      case 'not_found':
        return googleError(c, 404, 'NOT_FOUND', MESSAGES.noActiveConference);
      default:
        return googleError(c, 400, 'FAILED_PRECONDITION', MESSAGES.noActiveConference);
    }
  });
}
