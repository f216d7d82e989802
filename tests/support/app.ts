import { after } from 'node:test';
import { Writable } from 'node:stream';
import { buildApp } from '../../src/http/app.tsx';
import type { WebOptions } from '../../src/http/env.ts';
import { meetingEventHandler } from '../../src/jobs/war-rooms.ts';
import { randomBytes } from 'node:crypto';
import type { HubDeps } from '../../src/integrations/hub/context.ts';
import { createProviderRegistry } from '../../src/integrations/hub/registry.ts';
import type { GoogleConfig, ZoomConfig } from '../../src/config/index.ts';
import { createSession } from '../../src/domain/orgs/sessions.ts';
import { signUp, type SignUpResult } from '../../src/domain/orgs/sign-up.ts';
import { createInvite } from '../../src/domain/orgs/create-invite.ts';
import { createApiToken } from '../../src/domain/orgs/create-api-token.ts';
import { resolveSession } from '../../src/domain/orgs/sessions.ts';
import type { Role } from '../../src/domain/access/roles.ts';
import { systemMeta, type Ctx } from '../../src/domain/context.ts';
import { createPasswordHasher } from '../../src/platform/crypto.ts';
import { createLog } from '../../src/platform/log.ts';
import { manualClock } from '../../src/shared/clock.ts';
import { openTestDatabase, type TestDatabase } from './database.ts';
import { startLiveHub } from '../../src/platform/live.ts';
import { failOnConsoleError } from './console-guard.ts';
import type { FieldProblem } from '../../src/shared/errors.ts';
import type { IncidentView } from '../../src/domain/incidents/model.ts';

failOnConsoleError();

/** A sign-up the test expects to create the account (sign-up answers alike for a taken email). */
export async function newAccount(result: Promise<SignUpResult>): Promise<{ userId: string; orgId: string }> {
  const r = await result;
  if (!r.created) throw new Error('expected a new account: the email was taken');
  return r;
}

export const PASSWORD = 'correct horse battery';
let counter = 0;
export const uniqueEmail = (label: string) => `${label}-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 6)}@example.com`;

export interface Member {
  userId: string;
  orgId: string;
  email: string;
  name: string;
  role: Role;
  /** Session cookie value. */
  cookie: string;
  csrf: string;
  /** Personal API token. */
  token: string;
}

/** The union of the API's documented response bodies, as tests read them. */
export interface ApiJson {
  error: { code: string; message: string; hint: string | null; requestId: string; fields: FieldProblem[] };
  incident: IncidentView;
  incidents: IncidentView[];
  entries: { id: string; action: string; actor: string; body: string; kind: string; metadata: Record<string, unknown> }[];
  total: number;
  warRoom: { id: string; state: string; meetingId: string; joinUrl: string; providerName: string; createdBy: string; liveStatus: string };
}

/** A Runframe app on a fresh database of its own, with a clock the test can move and logs it can read. */
/** Zoom settings for suites that never reach Zoom: calls fail fast as "unavailable". */
const UNREACHABLE_ZOOM: ZoomConfig = {
  mode: 'zoom',
  clientId: 'test-client',
  clientSecret: 'test-secret',
  webhookSecretToken: 'test-webhook-secret',
  oauthBaseUrl: 'http://127.0.0.1:9',
  apiBaseUrl: 'http://127.0.0.1:9/v2',
  redirectUri: 'http://runframe.test/integrations/zoom/callback',
  webhookUrl: 'http://runframe.test/webhooks/zoom',
};

export async function makeTestApp(opts: { zoom?: ZoomConfig; google?: GoogleConfig; fetch?: typeof fetch; web?: Partial<WebOptions>; signIn?: Partial<HubDeps['settings']['signIn']>; database?: TestDatabase; metricsToken?: string } = {}) {
  const database: TestDatabase = opts.database ?? (await openTestDatabase());
  const clock = manualClock(new Date('2026-11-26T12:00:00Z'));
  const logLines: string[] = [];
  const log = createLog('info', new Writable({ write: (chunk, _enc, cb) => (logLines.push(String(chunk)), cb()) }));
  const deps: HubDeps = {
    db: database.db,
    clock,
    log,
    settings: { publicUrl: 'http://runframe.test', sessionTtlHours: 72, signIn: { maxFailures: 10, maxFailuresPerAddress: 30, windowMinutes: 15, ...opts.signIn } },
    // Cost 10 (~3 ms a hash, against ~40 ms at 14, the lowest a configuration may set) keeps the suite
    // fast: ~400 hashes a pass. The production cost (17) is tested in tests/unit/crypto.test.ts.
    passwords: createPasswordHasher({ cost: 10, concurrency: 4 }),
    keyRing: { current: 1, keys: new Map([[1, randomBytes(32)]]) },
    secretKey: randomBytes(32).toString('base64'),
    providers: createProviderRegistry({ zoom: opts.zoom ?? UNREACHABLE_ZOOM, google: opts.google, now: () => clock.now(), ...(opts.fetch ? { fetch: opts.fetch } : {}) }),
    healthCheckIntervalMs: 6 * 3_600_000,
    warRoomTiming: { ttlMs: 24 * 3_600_000, retryDelaysMs: [0, 0] },
  };
  const live = await startLiveHub(database);
  const app = buildApp({ deps, web: { secureCookies: false, ...opts.web }, meetingEvents: meetingEventHandler, live, metricsToken: opts.metricsToken });
  after(async () => {
    await live.close();
    await database.close();
  });

  const ctxFor = (m: Member): Ctx => ({ ...deps, actor: { userId: m.userId, name: m.name, email: m.email, orgId: m.orgId, role: m.role, via: 'session' }, meta: systemMeta('test') });

  async function sessionFor(userId: string, orgId: string) {
    const cookie = await createSession(deps, userId, orgId);
    const view = await resolveSession(deps, cookie);
    return { cookie, csrf: view?.csrfToken ?? '' };
  }

  /** A new organization with its Owner. */
  async function owner(orgName = 'Acme'): Promise<Member> {
    const email = uniqueEmail('owner');
    const { userId, orgId } = await newAccount(signUp({ deps, meta: systemMeta(), input: { name: 'Olivia Owner', email, password: PASSWORD, organizationName: orgName } }));
    const s = await sessionFor(userId, orgId);
    const m: Member = { userId, orgId, email, name: 'Olivia Owner', role: 'owner', ...s, token: '' };
    m.token = (await createApiToken({ ctx: ctxFor(m), input: { name: 'tests' } })).token;
    return m;
  }

  /** A new member of the owner's organization with the given role, joined through an invite link. */
  async function member(of: Member, role: Role, name = `${role} person`): Promise<Member> {
    const invite = await createInvite({ ctx: ctxFor(of), input: { role } });
    const token = invite.url.split('/invites/')[1] ?? '';
    const email = uniqueEmail(role);
    const { userId } = await newAccount(signUp({ deps, meta: systemMeta(), input: { name, email, password: PASSWORD, inviteToken: token } }));
    const s = await sessionFor(userId, of.orgId);
    const m: Member = { userId, orgId: of.orgId, email, name, role, ...s, token: '' };
    m.token = (await createApiToken({ ctx: ctxFor(m), input: { name: 'tests' } })).token;
    return m;
  }

  /** Calls the JSON API with the member's API token. */
  async function api(m: Member | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await app.request(path, {
      method,
      headers: {
        ...(m ? { authorization: `Bearer ${m.token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    // Test-side view of the documented response shapes; each test asserts the fields it relies on.
    return { status: res.status, json: json as ApiJson, text, headers: res.headers };
  }

  /** Requests a page with the member's session cookie; forms carry the CSRF token unless told not to. */
  async function page(m: Member | null, method: string, path: string, form?: Record<string, string>, opts: { csrf?: string | null } = {}) {
    const headers: Record<string, string> = { accept: 'text/html' };
    if (m) headers['cookie'] = `rf_session=${m.cookie}`;
    let body: string | undefined;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      const csrf = opts.csrf === undefined ? m?.csrf : opts.csrf;
      body = new URLSearchParams({ ...form, ...(csrf ? { _csrf: csrf } : {}) }).toString();
    }
    const res = await app.request(path, { method, headers, ...(body === undefined ? {} : { body }) });
    return { status: res.status, text: await res.text(), headers: res.headers };
  }

  return { app, deps, clock, database, live, logLines, ctxFor, owner, member, api, page, sessionFor };
}

export type TestApp = Awaited<ReturnType<typeof makeTestApp>>;
