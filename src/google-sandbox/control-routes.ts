import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { endConference, findSpace, joinSpace, leaveSpace } from './conference-lifecycle.ts';
import type { Ctx } from './context.ts';
import { FaultRequestSchema } from './faults.ts';
import { googleError } from './google-errors.ts';
import { activeGrantsOf, revokeGrant } from './grants.ts';
import { accountSub } from './ids.ts';
import { readJsonObject } from './json-body.ts';
import { conferenceJson, spaceJson } from './space-view.ts';
import { AccessTypeSchema, AccountSchema, SandboxAppSchema, SettingsSchema, initialState, type Account } from './state.ts';

const NewAccount = z.object({
  sub: z.string().regex(/^\d{1,30}$/).optional(),
  email: z.email(),
  name: z.string().min(1).default('Sandbox User'),
  givenName: z.string().default('Sandbox'),
  familyName: z.string().default('User'),
  kind: z.enum(['workspace', 'consumer']).default('workspace'),
  hd: z.string().min(1).nullable().optional(),
  meetEnabled: z.boolean().default(true),
  defaultAccessType: AccessTypeSchema.optional(),
  openPolicy: z.enum(['allow', 'downgrade', 'reject']).default('allow'),
});
const AccountPatch = AccountSchema.pick({ name: true, meetEnabled: true, defaultAccessType: true, openPolicy: true, kind: true, hd: true }).partial().strict();
const AppPatch = z.object({ name: z.string().min(1), redirectUris: z.array(z.url()).min(1), publishingStatus: z.enum(['testing', 'production']), meetApiEnabled: z.boolean() }).partial().strict();
const Reset = z.object({ apps: z.boolean().default(false) });
const BySub = z.object({ sub: z.string().optional() });
const RevokeGrants = z.object({ clientId: z.string().optional() });
const Join = z.object({ displayName: z.string().min(1).max(60).default('Responder'), sub: z.string().optional() });
const Leave = z.object({ participant: z.string().min(1) });
const ClockBody = z.object({ now: z.iso.datetime().optional(), advanceMs: z.number().int().optional(), reset: z.boolean().optional() });

type Parsed<T> = { ok: true; value: T } | { ok: false; res: Response };

async function body<T>(c: Context, schema: z.ZodType<T>): Promise<Parsed<T>> {
  const raw = await readJsonObject(c);
  if (!raw.ok) return { ok: false, res: googleError(c, 400, 'INVALID_ARGUMENT', raw.error) };
  const r = schema.safeParse(raw.value);
  if (r.success) return { ok: true, value: r.data };
  const fields = r.error.issues.map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`);
  return { ok: false, res: googleError(c, 400, 'INVALID_ARGUMENT', `Invalid request: ${fields.join('; ')}`) };
}

export function mountControl(app: Hono, ctx: Ctx): void {
  const st = () => ctx.store.state;
  const spaceNotFound = (c: Context) => googleError(c, 404, 'NOT_FOUND', `No sandbox space ${c.req.param('id') ?? ''}.`);

  app.post('/_control/reset', async (c) => {
    const b = await body(c, Reset);
    if (!b.ok) return b.res;
    ctx.setClockOffset(0);
    ctx.store.replace(initialState(ctx.now().toISOString(), b.value.apps ? {} : st().apps));
    ctx.faults.clear();
    ctx.calls.clear();
    ctx.quotas.clear();
    return c.json({ status: 'reset' });
  });

  app.get('/_control/apps', (c) => c.json({ apps: Object.values(st().apps) }));
  app.post('/_control/apps', async (c) => {
    const b = await body(c, SandboxAppSchema);
    if (!b.ok) return b.res;
    ctx.registerApp(b.value);
    return c.json({ app: st().apps[b.value.clientId] }, 201);
  });
  app.patch('/_control/apps/:clientId', async (c) => {
    const b = await body(c, AppPatch);
    if (!b.ok) return b.res;
    const target = st().apps[c.req.param('clientId')];
    if (!target) return googleError(c, 404, 'NOT_FOUND', `No sandbox app ${c.req.param('clientId')}.`);
    Object.assign(target, b.value);
    ctx.store.save();
    return c.json({ app: target });
  });

  app.get('/_control/accounts', (c) => c.json({ accounts: st().accounts }));
  app.post('/_control/accounts', async (c) => {
    const b = await body(c, NewAccount);
    if (!b.ok) return b.res;
    const v = b.value;
    if (st().accounts.some((a) => a.email.toLowerCase() === v.email.toLowerCase() || a.sub === v.sub)) {
      return googleError(c, 409, 'INVALID_ARGUMENT', `Account already exists: ${v.email}.`);
    }
    const hd = v.hd === undefined ? (v.kind === 'workspace' ? (v.email.split('@')[1] ?? null) : null) : v.hd;
    const account: Account = {
      sub: v.sub ?? accountSub(),
      email: v.email,
      name: v.name,
      givenName: v.givenName,
      familyName: v.familyName,
      kind: v.kind,
      hd,
      meetEnabled: v.meetEnabled,
      defaultAccessType: v.defaultAccessType ?? (v.kind === 'consumer' ? 'RESTRICTED' : 'TRUSTED'),
      openPolicy: v.openPolicy,
      createdAt: ctx.now().toISOString(),
    };
    st().accounts.push(account);
    ctx.store.save();
    return c.json({ account }, 201);
  });
  app.patch('/_control/accounts/:sub', async (c) => {
    const b = await body(c, AccountPatch);
    if (!b.ok) return b.res;
    const account = st().accounts.find((a) => a.sub === c.req.param('sub'));
    if (!account) return googleError(c, 404, 'NOT_FOUND', `No sandbox account ${c.req.param('sub')}.`);
    Object.assign(account, b.value);
    ctx.store.save();
    return c.json({ account });
  });

  app.post('/_control/accounts/:sub/revoke-grants', async (c) => {
    const b = await body(c, RevokeGrants);
    if (!b.ok) return b.res;
    const grants = activeGrantsOf(ctx, c.req.param('sub'), b.value.clientId);
    for (const g of grants) revokeGrant(ctx, g, 'revoked via the control API');
    ctx.store.save();
    return c.json({ revoked: grants.length });
  });

  app.post('/_control/expire-tokens', async (c) => {
    const b = await body(c, BySub);
    if (!b.ok) return b.res;
    const grantIds = new Set(st().grants.filter((g) => b.value.sub === undefined || g.sub === b.value.sub).map((g) => g.id));
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
    if (!Number.isSafeInteger(id)) return googleError(c, 400, 'INVALID_ARGUMENT', 'Fault id must be a number.');
    return c.json({ released: ctx.faults.release(id) });
  });

  app.get('/_control/calls', (c) => c.json(ctx.calls.snapshot()));
  app.delete('/_control/calls', (c) => {
    ctx.calls.clear();
    return c.body(null, 204);
  });

  // Grants with a summary of their refresh tokens (values left out: the state file has them).
  app.get('/_control/grants', (c) =>
    c.json({
      grants: st().grants.map((g) => ({
        ...g,
        refreshTokens: st().refreshTokens.filter((r) => r.grantId === g.id).map((r) => ({ issuedAt: new Date(r.issuedAt).toISOString(), expiresAt: r.expiresAt === null ? null : new Date(r.expiresAt).toISOString(), revoked: r.revoked, revokedReason: r.revokedReason })),
      })),
    }),
  );

  app.get('/_control/spaces', (c) =>
    c.json({ spaces: st().spaces.map((s) => ({ ...spaceJson(ctx, s), ownerSub: s.ownerSub, createdByClientId: s.createdByClientId, createdAt: s.createdAt })) }),
  );
  app.get('/_control/conference-records', (c) => c.json({ conferenceRecords: st().conferences.map((conf) => ({ ...conferenceJson({ conf, endTime: conf.endTime, expireTime: conf.expireTime }), participants: conf.participants })) }));
  app.post('/_control/spaces/:id/join', async (c) => {
    const b = await body(c, Join);
    if (!b.ok) return b.res;
    const space = findSpace(ctx, c.req.param('id'));
    if (!space) return spaceNotFound(c);
    const account = b.value.sub === undefined ? null : st().accounts.find((a) => a.sub === b.value.sub);
    if (account === undefined) return googleError(c, 404, 'NOT_FOUND', `No sandbox account ${b.value.sub ?? ''}.`);
    const r = joinSpace(ctx, space, account, b.value.displayName);
    if (!r.ok) return googleError(c, 409, 'FAILED_PRECONDITION', 'The joiner must knock and no one in the call can admit them.');
    return c.json({ participant: r.participant.id, conferenceRecord: r.conference.name });
  });
  app.post('/_control/spaces/:id/leave', async (c) => {
    const b = await body(c, Leave);
    if (!b.ok) return b.res;
    const space = findSpace(ctx, c.req.param('id'));
    if (!space) return spaceNotFound(c);
    return c.json({ left: leaveSpace(ctx, space, b.value.participant) });
  });
  app.post('/_control/spaces/:id/end', (c) => {
    const space = findSpace(ctx, c.req.param('id'));
    if (!space) return spaceNotFound(c);
    return c.json({ ended: endConference(ctx, space) });
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
    const b = await body(c, SettingsSchema.partial().strict());
    if (!b.ok) return b.res;
    Object.assign(st().settings, b.value);
    ctx.store.save();
    return c.json({ settings: st().settings });
  });
}
