import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { Ctx } from './context.ts';
import { FaultRequestSchema } from './faults.ts';
import { activeGrantsOf, revokeGrant } from './grants.ts';
import { zoomId } from './ids.ts';
import { deleteMeeting, endMeeting, findMeeting, joinMeeting, leaveMeeting, startMeeting } from './meeting-lifecycle.ts';
import { parseWith, readJsonObject } from './meeting-input.ts';
import { meetingJson } from './meeting-view.ts';
import { SandboxAppSchema, SandboxUserSchema, SettingsSchema, initialState, type SandboxUser } from './state.ts';
import { isValidTimezone } from './time.ts';
import { MESSAGES, zoomError } from './zoom-errors.ts';

const NewUser = z.object({
  id: z.string().min(1).optional(),
  email: z.string().min(3),
  firstName: z.string().default('Sandbox'),
  lastName: z.string().default('User'),
  type: z.number().int().default(2),
  canHost: z.boolean().default(true),
  status: z.enum(['active', 'inactive', 'pending']).default('active'),
  roleName: z.string().default('Member'),
  accountId: z.string().min(1).optional(),
  timezone: z.string().refine(isValidTimezone).default('UTC'),
  language: z.string().default('en-US'),
  dept: z.string().default(''),
});
const UserPatch = SandboxUserSchema.pick({ canHost: true, type: true, status: true, firstName: true, lastName: true, timezone: true, roleName: true }).partial();
const Reset = z.object({ apps: z.boolean().default(false) });
const ExpireTokens = z.object({ userId: z.string().optional() });
const RevokeGrants = z.object({ notify: z.boolean().default(false), clientId: z.string().optional(), deleteData: z.boolean().default(false) });
const ClockBody = z.object({ now: z.iso.datetime().optional(), advanceMs: z.number().int().optional(), reset: z.boolean().optional() });
const ParticipantInput = z.object({ name: z.string().max(64).optional() });

type Parsed<T> = { ok: true; value: T } | { ok: false; res: Response };

async function body<T>(c: Context, schema: z.ZodType<T>): Promise<Parsed<T>> {
  const raw = await readJsonObject(c);
  if (raw === null) return { ok: false, res: zoomError(c, 400, 300, MESSAGES.invalidJson) };
  const r = parseWith(schema, raw);
  return r.ok ? r : { ok: false, res: zoomError(c, 400, 300, MESSAGES.validationFailed, r.errors) };
}

export function mountControl(app: Hono, ctx: Ctx): void {
  const st = () => ctx.store.state;

  app.post('/_control/reset', async (c) => {
    const b = await body(c, Reset);
    if (!b.ok) return b.res;
    ctx.setClockOffset(0);
    ctx.store.replace(initialState(ctx.now().toISOString(), b.value.apps ? {} : st().apps));
    ctx.faults.clear();
    ctx.calls.clear();
    ctx.webhooks.clear();
    return c.json({ status: 'reset' });
  });

  app.get('/_control/apps', (c) => c.json({ apps: Object.values(st().apps) }));
  app.post('/_control/apps', async (c) => {
    const b = await body(c, SandboxAppSchema);
    if (!b.ok) return b.res;
    try {
      await ctx.registerApp(b.value);
    } catch (err) {
      return zoomError(c, 400, 300, err instanceof Error ? err.message : String(err));
    }
    return c.json({ app: st().apps[b.value.clientId] }, 201);
  });

  app.get('/_control/users', (c) => c.json({ users: st().users }));
  app.post('/_control/users', async (c) => {
    const b = await body(c, NewUser);
    if (!b.ok) return b.res;
    const v = b.value;
    if (st().users.some((u) => u.email.toLowerCase() === v.email.toLowerCase() || u.id === v.id)) {
      return zoomError(c, 409, 1005, `User already in the account: ${v.email}.`);
    }
    const user: SandboxUser = {
      id: v.id ?? zoomId(),
      accountId: v.accountId ?? st().users[0]?.accountId ?? zoomId(),
      accountNumber: 55500000 + st().users.length + 1,
      email: v.email,
      firstName: v.firstName,
      lastName: v.lastName,
      type: v.type,
      canHost: v.canHost,
      status: v.status,
      roleName: v.roleName,
      timezone: v.timezone,
      language: v.language,
      pmi: 5550200000 + st().users.length,
      dept: v.dept,
      createdAt: ctx.now().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
    st().users.push(user);
    ctx.store.save();
    return c.json({ user }, 201);
  });
  app.patch('/_control/users/:id', async (c) => {
    const b = await body(c, UserPatch);
    if (!b.ok) return b.res;
    const user = st().users.find((u) => u.id === c.req.param('id'));
    if (!user) return zoomError(c, 404, 1001, MESSAGES.userNotFound(c.req.param('id')));
    Object.assign(user, b.value);
    ctx.store.save();
    return c.json({ user });
  });

  app.post('/_control/users/:id/revoke-grants', async (c) => {
    const b = await body(c, RevokeGrants);
    if (!b.ok) return b.res;
    const grants = activeGrantsOf(ctx, c.req.param('id'), b.value.clientId);
    for (const g of grants) revokeGrant(ctx, g, 'revoked via the control API', b.value.notify, { deleteData: b.value.deleteData });
    ctx.store.save();
    return c.json({ revoked: grants.length });
  });

  app.post('/_control/expire-tokens', async (c) => {
    const b = await body(c, ExpireTokens);
    if (!b.ok) return b.res;
    const grantIds = new Set(st().grants.filter((g) => b.value.userId === undefined || g.userId === b.value.userId).map((g) => g.id));
    const past = ctx.now().getTime() - 1;
    let expired = 0;
    for (const t of st().accessTokens) {
      if (grantIds.has(t.grantId) && t.expiresAt > past) {
        t.expiresAt = past;
        expired++;
      }
    }
    ctx.store.save();
    return c.json({ expired });
  });

  app.get('/_control/faults', (c) => c.json({ faults: ctx.faults.list() }));
  app.post('/_control/faults', async (c) => {
    const b = await body(c, FaultRequestSchema);
    if (!b.ok) return b.res;
    return c.json({ fault: ctx.faults.add(b.value, ctx.now().getTime()) }, 201);
  });
  app.delete('/_control/faults', (c) => {
    ctx.faults.clear();
    return c.body(null, 204);
  });
  // Lets the requests a `hold` fault keeps waiting go on: those of one fault, or all of them.
  app.post('/_control/faults/release', (c) => c.json({ released: ctx.faults.release() }));
  app.post('/_control/faults/:id/release', (c) => {
    const id = Number(c.req.param('id'));
    if (!Number.isSafeInteger(id)) return zoomError(c, 400, 300, MESSAGES.validationFailed);
    return c.json({ released: ctx.faults.release(id) });
  });

  app.get('/_control/calls', (c) => c.json(ctx.calls.snapshot()));
  app.delete('/_control/calls', (c) => {
    ctx.calls.clear();
    return c.body(null, 204);
  });

  app.get('/_control/grants', (c) => c.json({ grants: st().grants }));
  app.get('/_control/webhooks', (c) => c.json({ deliveries: ctx.webhooks.list(), pendingRetries: ctx.webhooks.pendingRetries() }));
  app.get('/_control/meetings', (c) =>
    c.json({ meetings: st().meetings.map((m) => ({ ...meetingJson(ctx, m), deleted: m.deleted, created_by_client_id: m.createdByClientId })) }),
  );
  for (const action of ['start', 'end'] as const) {
    app.post(`/_control/meetings/:id/${action}`, (c) => {
      const m = findMeeting(ctx, c.req.param('id'));
      if (!m) return zoomError(c, 404, 3001, MESSAGES.meetingNotFound(c.req.param('id')));
      const changed = action === 'start' ? startMeeting(ctx, m) : endMeeting(ctx, m);
      return c.json({ changed, status: m.deleted ? 'expired' : m.status });
    });
  }

  // The host deletes the meeting in Zoom (as DELETE /v2/meetings/{id} does): its link stops working, meeting.deleted is sent.
  app.post('/_control/meetings/:id/delete', (c) => {
    const m = findMeeting(ctx, c.req.param('id'));
    if (!m || m.deleted) return zoomError(c, 404, 3001, MESSAGES.meetingNotFound(c.req.param('id')));
    const host = st().users.find((u) => u.id === m.hostId);
    if (!host) return zoomError(c, 404, 1001, MESSAGES.meetingNotFound(c.req.param('id')));
    deleteMeeting(ctx, m, host);
    return c.json({ deleted: true });
  });

  // Participants as the meeting page makes them: join (the first one starts the call) and leave (the last one ends it).
  app.post('/_control/meetings/:id/participants', async (c) => {
    const m = findMeeting(ctx, c.req.param('id'));
    if (!m) return zoomError(c, 404, 3001, MESSAGES.meetingNotFound(c.req.param('id')));
    const body = ParticipantInput.safeParse(await c.req.json().catch(() => ({})));
    const participant = joinMeeting(ctx, m, body.success && body.data.name ? { name: body.data.name } : {});
    return c.json({ participant, status: m.status, participants: m.participants.length }, participant ? 201 : 409);
  });
  app.delete('/_control/meetings/:id/participants/:participantId', (c) => {
    const m = findMeeting(ctx, c.req.param('id'));
    if (!m) return zoomError(c, 404, 3001, MESSAGES.meetingNotFound(c.req.param('id')));
    const left = leaveMeeting(ctx, m, c.req.param('participantId'));
    return c.json({ left, status: m.deleted ? 'expired' : m.status, participants: m.participants.length }, left ? 200 : 404);
  });

  app.get('/_control/clock', (c) => c.json({ now: ctx.now().toISOString(), offsetMs: ctx.clockOffset() }));
  app.post('/_control/clock', async (c) => {
    const b = await body(c, ClockBody);
    if (!b.ok) return b.res;
    if (b.value.reset) ctx.setClockOffset(0);
    if (b.value.now) ctx.setClockOffset(ctx.clockOffset() + (Date.parse(b.value.now) - ctx.now().getTime()));
    if (b.value.advanceMs) ctx.setClockOffset(ctx.clockOffset() + b.value.advanceMs);
    return c.json({ now: ctx.now().toISOString(), offsetMs: ctx.clockOffset() });
  });

  app.get('/_control/settings', (c) => c.json({ settings: st().settings }));
  app.post('/_control/settings', async (c) => {
    const b = await body(c, SettingsSchema.partial());
    if (!b.ok) return b.res;
    Object.assign(st().settings, b.value);
    ctx.store.save();
    return c.json({ settings: st().settings });
  });
}
