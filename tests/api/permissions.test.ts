import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eq } from 'drizzle-orm';
import { declareIncident } from '../../src/domain/incidents/declare-incident.ts';
import { getIncident } from '../../src/domain/incidents/get-incident.ts';
import type { Role } from '../../src/domain/access/roles.ts';
import { createApiToken } from '../../src/domain/orgs/create-api-token.ts';
import { revokeApiToken } from '../../src/domain/orgs/revoke-api-token.ts';
import { describeInvite } from '../../src/domain/orgs/invites.ts';
import { createInvite } from '../../src/domain/orgs/create-invite.ts';
import { revokeInvite } from '../../src/domain/orgs/revoke-invite.ts';
import { changeMemberRole } from '../../src/domain/orgs/change-member-role.ts';
import { listMembers } from '../../src/domain/orgs/list-members.ts';
import { removeMember } from '../../src/domain/orgs/remove-member.ts';
import { createWarRoom } from '../../src/domain/war-rooms/create-war-room.ts';
import { meetingPort } from '../../src/integrations/hub/meetings.ts';
import { incidents, invites, warRooms } from '../../src/platform/db/schema.ts';
import { AppError } from '../../src/shared/errors.ts';
import { makeTestApp, type Member } from '../support/app.ts';
import { ownerWithZoom, startZoom } from '../support/zoom.ts';

// Zoom (the sandbox) is connected, so Create War Room is refused only for the role, never for want of a provider.
const { zoom } = await startZoom();
const t = await makeTestApp({ zoom });
const owner = await ownerWithZoom(t);
const people: Record<Role, Member> = {
  owner,
  admin: await t.member(owner, 'admin'),
  responder: await t.member(owner, 'responder'),
  viewer: await t.member(owner, 'viewer'),
};
const ROLES: Role[] = ['owner', 'admin', 'responder', 'viewer'];

let seq = 0;
const unique = (label: string) => `${label} ${++seq}`;
const fresh = async (title = 'Matrix') => (await declareIncident({ ctx: t.ctxFor(owner), input: { title } })).incident;
const incidentNow = (id: string) => getIncident({ ctx: t.ctxFor(owner), incidentRef: id });
const roleOf = async (userId: string) => (await listMembers(t.ctxFor(owner))).find((m) => m.userId === userId)?.role ?? null;
const inviteCount = async () => (await t.deps.db.select({ id: invites.id }).from(invites).where(eq(invites.orgId, owner.orgId))).length;
const tokenWorks = async (token: string) => (await t.app.request('/api/v1/me', { headers: { authorization: `Bearer ${token}` } })).status === 200;

/** What a call answered, and whether the thing the row is named after really happened (or was really shown). */
interface Outcome {
  status: number;
  done: boolean;
}

/** A domain operation called the way another entry point (the CLI) would: a refusal is the 403 it becomes at the edge. */
async function viaDomain(op: () => Promise<unknown>): Promise<number> {
  try {
    await op();
    return 200;
  } catch (e) {
    if (e instanceof AppError && e.code === 'forbidden') return 403;
    throw e;
  }
}

interface Action {
  name: string;
  allowed: Role[];
  page: (m: Member) => Promise<Outcome>;
  /** The JSON API's route for it; actions the API does not offer (API tokens) are checked on the domain operation. */
  api?: (m: Member) => Promise<Outcome>;
  /** The domain operation itself, as another entry point (the CLI, a job) would call it. */
  domain?: (m: Member) => Promise<Outcome>;
}

const edit: Role[] = ['owner', 'admin', 'responder'];
const manage: Role[] = ['owner', 'admin'];
const all: Role[] = ROLES;

/** Declares through the given call and reports whether an incident with that title now exists. */
const declared = async (title: string, call: () => Promise<{ status: number }>): Promise<Outcome> => {
  const { status } = await call();
  const rows = await t.deps.db.select({ id: incidents.id }).from(incidents).where(eq(incidents.title, title));
  return { status, done: rows.length === 1 };
};
/** Runs a change on a fresh incident and reports whether the incident shows it afterwards. */
const changed = async (call: (inc: { id: string; number: number }) => Promise<{ status: number }>, landed: (after: Awaited<ReturnType<typeof incidentNow>>) => boolean): Promise<Outcome> => {
  const inc = await fresh();
  const { status } = await call(inc);
  return { status, done: landed(await incidentNow(inc.id)) };
};
/** A read: answered, and the incident's title is in what came back. */
const shows = async (title: string, call: () => Promise<{ status: number; text: string }>): Promise<Outcome> => {
  const r = await call();
  return { status: r.status, done: r.text.includes(title) };
};
const invited = async (call: () => Promise<number>): Promise<Outcome> => {
  const before = await inviteCount();
  const status = await call();
  return { status, done: (await inviteCount()) === before + 1 };
};
const inviteRevoked = async (call: (inviteId: string) => Promise<number>): Promise<Outcome> => {
  const invite = await createInvite({ ctx: t.ctxFor(owner), input: { role: 'viewer' } });
  const status = await call(invite.id);
  return { status, done: (await describeInvite(t.deps, invite.url.split('/invites/')[1] ?? '')) === null };
};
const roleChanged = async (call: (userId: string) => Promise<number>): Promise<Outcome> => {
  const target = await t.member(owner, 'viewer');
  const status = await call(target.userId);
  return { status, done: (await roleOf(target.userId)) === 'responder' };
};
const removed = async (call: (userId: string) => Promise<number>): Promise<Outcome> => {
  const target = await t.member(owner, 'viewer');
  const status = await call(target.userId);
  return { status, done: (await roleOf(target.userId)) === null };
};
/** Revokes one of the member's own tokens; done when it no longer authenticates. */
/** Creates a war room for a fresh incident; done when the incident has one (in any state). */
const warRoomMade = async (call: (inc: { id: string; number: number }) => Promise<{ status: number }>): Promise<Outcome> => {
  const inc = await fresh();
  const { status } = await call(inc);
  return { status, done: (await t.deps.db.select({ id: warRooms.id }).from(warRooms).where(eq(warRooms.incidentId, inc.id))).length > 0 };
};
const ownTokenRevoked = async (m: Member, call: (tokenId: string) => Promise<number>): Promise<Outcome> => {
  const made = await createApiToken({ ctx: t.ctxFor(m), input: { name: unique('to revoke') } });
  const status = await call(made.id);
  return { status, done: !(await tokenWorks(made.token)) };
};

const actions: Action[] = [
  {
    name: 'declare an incident',
    allowed: edit,
    api: (m) => {
      const title = unique(`${m.role} via API`);
      return declared(title, () => t.api(m, 'POST', '/api/v1/incidents', { title }));
    },
    page: (m) => {
      const title = unique(`${m.role} via page`);
      return declared(title, () => t.page(m, 'POST', '/incidents', { title, severity: 'SEV2' }));
    },
  },
  {
    name: 'change status',
    allowed: edit,
    api: (m) => changed((inc) => t.api(m, 'POST', `/api/v1/incidents/${inc.id}/status`, { status: 'fixing' }), (i) => i.status === 'fixing'),
    page: (m) => changed((inc) => t.page(m, 'POST', `/incidents/${inc.number}/status`, { status: 'fixing' }), (i) => i.status === 'fixing'),
  },
  {
    name: 'change severity',
    allowed: edit,
    api: (m) => changed((inc) => t.api(m, 'POST', `/api/v1/incidents/${inc.id}/severity`, { severity: 'SEV0' }), (i) => i.severity === 'SEV0'),
    page: (m) => changed((inc) => t.page(m, 'POST', `/incidents/${inc.number}/severity`, { severity: 'SEV0' }), (i) => i.severity === 'SEV0'),
  },
  {
    name: 'change lead',
    allowed: edit,
    api: (m) => changed((inc) => t.api(m, 'POST', `/api/v1/incidents/${inc.id}/lead`, { leadUserId: owner.userId }), (i) => i.lead?.userId === owner.userId),
    page: (m) => changed((inc) => t.page(m, 'POST', `/incidents/${inc.number}/lead`, { leadUserId: owner.userId }), (i) => i.lead?.userId === owner.userId),
  },
  {
    name: 'add a note',
    allowed: edit,
    api: async (m) => {
      const inc = await fresh();
      const body = unique('api note');
      const { status } = await t.api(m, 'POST', `/api/v1/incidents/${inc.id}/notes`, { body });
      return { status, done: (await t.api(owner, 'GET', `/api/v1/incidents/${inc.id}/timeline`)).text.includes(body) };
    },
    page: async (m) => {
      const inc = await fresh();
      const body = unique('page note');
      const { status } = await t.page(m, 'POST', `/incidents/${inc.number}/notes`, { body });
      return { status, done: (await t.api(owner, 'GET', `/api/v1/incidents/${inc.id}/timeline`)).text.includes(body) };
    },
  },
  {
    name: 'Create War Room',
    allowed: edit,
    api: (m) => warRoomMade((inc) => t.api(m, 'POST', `/api/v1/incidents/${inc.id}/war-room`, {})),
    page: (m) => warRoomMade((inc) => t.page(m, 'POST', `/incidents/${inc.number}/war-room`, { provider: 'zoom' })),
    domain: (m) =>
      warRoomMade(async (inc) => ({
        status: await viaDomain(() => createWarRoom({ ctx: t.ctxFor(m), meetings: meetingPort(t.deps), timing: t.deps.warRoomTiming, incidentRef: inc.id, input: {} })),
      })),
  },
  {
    name: 'view incidents in the list',
    allowed: all,
    api: async (m) => {
      const title = unique('Listed');
      await fresh(title);
      return shows(title, () => t.api(m, 'GET', '/api/v1/incidents'));
    },
    page: async (m) => {
      const title = unique('Listed');
      await fresh(title);
      return shows(title, () => t.page(m, 'GET', '/incidents'));
    },
  },
  {
    name: 'view an incident',
    allowed: all,
    api: async (m) => {
      const title = unique('Opened');
      return shows(title, async () => t.api(m, 'GET', `/api/v1/incidents/${(await fresh(title)).id}`));
    },
    page: async (m) => {
      const title = unique('Opened');
      return shows(title, async () => t.page(m, 'GET', `/incidents/${(await fresh(title)).number}`));
    },
  },
  {
    name: 'view an incident timeline',
    allowed: all,
    api: async (m) => {
      const title = unique('Timeline of');
      return shows(title, async () => t.api(m, 'GET', `/api/v1/incidents/${(await fresh(title)).id}/timeline`));
    },
    page: async (m) => {
      const title = unique('Timeline of');
      const r = await t.page(m, 'GET', `/incidents/${(await fresh(title)).number}`);
      return { status: r.status, done: r.text.includes(`Declared INC-`) && r.text.includes(title) };
    },
  },
  {
    name: 'view the audit log',
    allowed: manage,
    api: async (m) => {
      const { id } = await fresh();
      const r = await t.api(m, 'GET', '/api/v1/audit-log?action=incident.declared');
      return { status: r.status, done: r.json?.entries?.some((e) => e.action === 'incident.declared' && JSON.stringify(e).includes(id)) ?? false };
    },
    page: async (m) => {
      const { id } = await fresh();
      const r = await t.page(m, 'GET', '/organization/audit?action=incident.declared');
      const { number } = await incidentNow(id);
      return { status: r.status, done: r.text.includes('data-action="incident.declared"') && r.text.includes(`href="/incidents/${number}"`) };
    },
  },
  {
    name: 'invite members',
    allowed: manage,
    page: (m) =>
      invited(async () => {
        const r = await t.page(m, 'POST', '/organization/invites', { role: 'viewer' });
        if (r.status === 200) assert.match(r.text, /Invite link for a new Viewer/, 'the link is shown to the inviter');
        return r.status;
      }),
    api: (m) => invited(async () => (await t.api(m, 'POST', '/api/v1/invites', { role: 'viewer' })).status),
    domain: (m) => invited(() => viaDomain(() => createInvite({ ctx: t.ctxFor(m), input: { role: 'viewer' } }))),
  },
  {
    name: 'revoke an invite',
    allowed: manage,
    page: (m) => inviteRevoked(async (id) => (await t.page(m, 'POST', `/organization/invites/${id}/revoke`, {})).status),
    api: (m) => inviteRevoked(async (id) => (await t.api(m, 'DELETE', `/api/v1/invites/${id}`)).status),
    domain: (m) => inviteRevoked((id) => viaDomain(() => revokeInvite({ ctx: t.ctxFor(m), inviteId: id }))),
  },
  {
    name: 'change roles',
    allowed: manage,
    page: (m) => roleChanged(async (userId) => (await t.page(m, 'POST', `/organization/members/${userId}/role`, { role: 'responder' })).status),
    api: (m) => roleChanged(async (userId) => (await t.api(m, 'PATCH', `/api/v1/members/${userId}`, { role: 'responder' })).status),
    domain: (m) => roleChanged((userId) => viaDomain(() => changeMemberRole({ ctx: t.ctxFor(m), userId, input: { role: 'responder' } }))),
  },
  {
    name: 'remove members',
    allowed: manage,
    page: (m) => removed(async (userId) => (await t.page(m, 'POST', `/organization/members/${userId}/remove`, {})).status),
    api: (m) => removed(async (userId) => (await t.api(m, 'DELETE', `/api/v1/members/${userId}`)).status),
    domain: (m) => removed((userId) => viaDomain(() => removeMember({ ctx: t.ctxFor(m), userId }))),
  },
  {
    // Personal tokens act as their owner with the owner's role, so every role may manage its own.
    name: 'create their own API token',
    allowed: all,
    page: async (m) => {
      const r = await t.page(m, 'POST', '/settings/api-tokens', { name: unique('page token') });
      const shown = /(rf_[A-Za-z0-9_-]{30,})/.exec(r.text)?.[1];
      return { status: r.status, done: shown !== undefined && (await tokenWorks(shown)) };
    },
    domain: async (m) => {
      let token = '';
      const status = await viaDomain(async () => (token = (await createApiToken({ ctx: t.ctxFor(m), input: { name: unique('domain token') } })).token));
      return { status, done: token !== '' && (await tokenWorks(token)) };
    },
  },
  {
    name: 'revoke their own API token',
    allowed: all,
    page: (m) => ownTokenRevoked(m, async (id) => (await t.page(m, 'POST', `/settings/api-tokens/${id}/revoke`, {})).status),
    domain: (m) => ownTokenRevoked(m, (id) => viaDomain(() => revokeApiToken({ ctx: t.ctxFor(m), tokenId: id }))),
  },
];

const ok = (status: number) => status >= 200 && status < 400;

for (const action of actions) {
  const ways: [string, (m: Member) => Promise<Outcome>][] = [['page', action.page]];
  if (action.api) ways.push(['API', action.api]);
  if (action.domain) ways.push(['domain', action.domain]);
  const second = action.api && action.domain ? 'API and domain operation' : action.api ? 'API' : 'domain operation; the API has no route for it';
  for (const role of ROLES) {
    const expected = action.allowed.includes(role);
    test(`${role} ${expected ? 'can' : 'cannot'} ${action.name} (page and ${second})`, async () => {
      const m = people[role];
      assert.ok(ways.length > 1, `${action.name}: an API or a domain check`);
      for (const [via, call] of ways) {
        const r = await call(m);
        if (expected) {
          assert.ok(ok(r.status), `${via} answered ${r.status}`);
          assert.ok(r.done, `${via} answered ${r.status} but "${action.name}" did not happen`);
        } else {
          assert.equal(r.status, 403, `${via} answered ${r.status}`);
          assert.equal(r.done, false, `${via} refused, yet "${action.name}" happened`);
        }
      }
    });
  }
}

test("nobody can revoke another member's API token: it is not found, not forbidden, and keeps working", async () => {
  const target = await t.member(owner, 'responder');
  const theirs = await createApiToken({ ctx: t.ctxFor(target), input: { name: 'theirs' } });
  for (const role of ROLES) {
    const m = people[role];
    const page = await t.page(m, 'POST', `/settings/api-tokens/${theirs.id}/revoke`, {});
    assert.equal(page.status, 404, `${role} on the page`);
    await assert.rejects(revokeApiToken({ ctx: t.ctxFor(m), tokenId: theirs.id }), (e: unknown) => e instanceof AppError && e.code === 'not_found');
  }
  assert.ok(await tokenWorks(theirs.token));
});

test('a refused action explains itself in words a user understands', async () => {
  const res = await t.api(people.viewer, 'POST', '/api/v1/incidents', { title: 'x' });
  assert.equal(res.json.error.code, 'forbidden');
  assert.equal(res.json.error.message, "Your role can't edit incidents. Ask an Owner or Admin.");
  const page = await t.page(people.viewer, 'GET', `/incidents/${(await fresh()).number}`);
  assert.match(page.text, /Your role can(&#39;|')t edit incidents\. Ask an Owner or Admin\./);
  assert.ok(!page.text.includes('Change status'), 'no edit controls for a Viewer');
  assert.ok(!page.text.includes('Add note'));
  const list = await t.page(people.viewer, 'GET', '/incidents');
  assert.ok(!list.text.includes('href="/incidents/new"'), 'no Declare button for a Viewer');
  const members = await t.page(people.responder, 'GET', '/organization/members');
  assert.ok(!members.text.includes('Create invite link'));
  assert.match(members.text, /Your role can(&#39;|')t manage members/);
});
