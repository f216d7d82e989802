import assert from 'node:assert/strict';
import { test } from 'node:test';
import { declareIncident } from '../../src/domain/incidents/declare-incident.ts';
import type { Role } from '../../src/domain/access/roles.ts';
import { makeTestApp, type Member } from '../support/app.ts';

const t = await makeTestApp();
const owner = await t.owner();
const people: Record<Role, Member> = {
  owner,
  admin: await t.member(owner, 'admin'),
  responder: await t.member(owner, 'responder'),
  viewer: await t.member(owner, 'viewer'),
};
const ROLES: Role[] = ['owner', 'admin', 'responder', 'viewer'];

const fresh = async () => (await declareIncident({ ctx: t.ctxFor(owner), input: { title: 'Matrix' } })).incident;

interface Action {
  name: string;
  allowed: Role[];
  api: (m: Member) => Promise<number>;
  page: (m: Member) => Promise<number>;
}

const edit: Role[] = ['owner', 'admin', 'responder'];
const manage: Role[] = ['owner', 'admin'];
const all: Role[] = ROLES;

const actions: Action[] = [
  {
    name: 'declare an incident',
    allowed: edit,
    api: async (m) => (await t.api(m, 'POST', '/api/v1/incidents', { title: 'x' })).status,
    page: async (m) => (await t.page(m, 'POST', '/incidents', { title: 'x', severity: 'SEV2' })).status,
  },
  {
    name: 'change status',
    allowed: edit,
    api: async (m) => (await t.api(m, 'POST', `/api/v1/incidents/${(await fresh()).id}/status`, { status: 'fixing' })).status,
    page: async (m) => (await t.page(m, 'POST', `/incidents/${(await fresh()).number}/status`, { status: 'fixing' })).status,
  },
  {
    name: 'change severity',
    allowed: edit,
    api: async (m) => (await t.api(m, 'POST', `/api/v1/incidents/${(await fresh()).id}/severity`, { severity: 'SEV0' })).status,
    page: async (m) => (await t.page(m, 'POST', `/incidents/${(await fresh()).number}/severity`, { severity: 'SEV0' })).status,
  },
  {
    name: 'change lead',
    allowed: edit,
    api: async (m) => (await t.api(m, 'POST', `/api/v1/incidents/${(await fresh()).id}/lead`, { leadUserId: owner.userId })).status,
    page: async (m) => (await t.page(m, 'POST', `/incidents/${(await fresh()).number}/lead`, { leadUserId: owner.userId })).status,
  },
  {
    name: 'add a note',
    allowed: edit,
    api: async (m) => (await t.api(m, 'POST', `/api/v1/incidents/${(await fresh()).id}/notes`, { body: 'hi' })).status,
    page: async (m) => (await t.page(m, 'POST', `/incidents/${(await fresh()).number}/notes`, { body: 'hi' })).status,
  },
  {
    name: 'view incidents',
    allowed: all,
    api: async (m) => (await t.api(m, 'GET', `/api/v1/incidents/${(await fresh()).id}/timeline`)).status,
    page: async (m) => (await t.page(m, 'GET', `/incidents/${(await fresh()).number}`)).status,
  },
  {
    name: 'view the audit log',
    allowed: manage,
    api: async (m) => (await t.api(m, 'GET', '/api/v1/audit-log')).status,
    page: async (m) => (await t.page(m, 'GET', '/organization/audit')).status,
  },
  {
    name: 'invite members',
    allowed: manage,
    api: async (m) => (await t.page(m, 'POST', '/organization/invites', { role: 'viewer' })).status,
    page: async (m) => (await t.page(m, 'POST', '/organization/invites', { role: 'viewer' })).status,
  },
  {
    name: 'change roles',
    allowed: manage,
    api: async (m) => {
      const target = await t.member(owner, 'viewer');
      return (await t.page(m, 'POST', `/organization/members/${target.userId}/role`, { role: 'responder' })).status;
    },
    page: async (m) => {
      const target = await t.member(owner, 'viewer');
      return (await t.page(m, 'POST', `/organization/members/${target.userId}/remove`, {})).status;
    },
  },
];

const ok = (status: number) => status >= 200 && status < 400;

for (const action of actions) {
  for (const role of ROLES) {
    const expected = action.allowed.includes(role);
    test(`${role} ${expected ? 'can' : 'cannot'} ${action.name} (API and page)`, async () => {
      const m = people[role];
      const viaApi = await action.api(m);
      const viaPage = await action.page(m);
      if (expected) {
        assert.ok(ok(viaApi), `API answered ${viaApi}`);
        assert.ok(ok(viaPage), `page answered ${viaPage}`);
      } else {
        assert.equal(viaApi, 403);
        assert.equal(viaPage, 403);
      }
    });
  }
}

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
