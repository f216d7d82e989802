import assert from 'node:assert/strict';
import { test } from 'node:test';
import { declareIncident } from '../../src/domain/incidents/declare-incident.ts';
import { makeTestApp } from '../support/app.ts';

const t = await makeTestApp();
const mine = await t.owner('Mine');
const theirs = await t.owner('Theirs');
const foreign = (await declareIncident({ ctx: t.ctxFor(theirs), input: { title: 'Their secret outage' } })).incident;
await declareIncident({ ctx: t.ctxFor(mine), input: { title: 'My outage' } });

const refs = [foreign.id, foreign.reference];

test('every incident API route answers "not found" for another organization’s incident', async () => {
  for (const ref of refs) {
    const calls: [string, string, unknown?][] = [
      ['GET', `/api/v1/incidents/${ref}`],
      ['GET', `/api/v1/incidents/${ref}/timeline`],
      ['POST', `/api/v1/incidents/${ref}/status`, { status: 'fixing' }],
      ['POST', `/api/v1/incidents/${ref}/severity`, { severity: 'SEV0' }],
      ['POST', `/api/v1/incidents/${ref}/lead`, { leadUserId: null }],
      ['POST', `/api/v1/incidents/${ref}/notes`, { body: 'x' }],
    ];
    for (const [method, path, body] of calls) {
      const r = await t.api(mine, method, path, body);
      // INC-1 exists in both organizations: by reference, "mine" resolves to my own incident.
      if (ref === foreign.reference) continue;
      assert.equal(r.status, 404, `${method} ${path}`);
      assert.equal(r.json.error.code, 'not_found');
      assert.ok(!r.text.includes('Their secret outage'));
    }
  }
  const mineList = await t.api(mine, 'GET', '/api/v1/incidents');
  assert.deepEqual(mineList.json.incidents.map((i: { title: string }) => i.title), ['My outage']);
});

test('by reference, each organization sees only its own INC-1', async () => {
  const r = await t.api(mine, 'GET', '/api/v1/incidents/INC-1');
  assert.equal(r.json.incident.title, 'My outage');
  const r2 = await t.api(mine, 'GET', '/api/v1/incidents/INC-2');
  assert.equal(r2.status, 404);
});

test('pages of another organization’s incident are "not found", and the audit log holds only our own entries', async () => {
  const page = await t.page(mine, 'GET', `/incidents/${foreign.id}`);
  assert.equal(page.status, 404);
  assert.ok(!page.text.includes('Their secret outage'));
  for (const path of ['status', 'severity', 'lead', 'notes']) {
    const r = await t.page(mine, 'POST', `/incidents/${foreign.id}/${path}`, { status: 'fixing', severity: 'SEV0', leadUserId: '', body: 'x' });
    assert.equal(r.status, 404, path);
  }
  const audit = await t.api(mine, 'GET', '/api/v1/audit-log?perPage=100');
  assert.ok(audit.json.entries.length > 0);
  assert.ok(!audit.text.includes(foreign.id));
  assert.ok(!audit.text.includes(theirs.email));
});

test('members of another organization cannot be changed, removed or made lead', async () => {
  for (const [path, form] of [
    [`/organization/members/${theirs.userId}/role`, { role: 'viewer' }],
    [`/organization/members/${theirs.userId}/remove`, {}],
  ] as const) {
    const r = await t.page(mine, 'POST', path, form);
    assert.equal(r.status, 404, path);
  }
  const r = await t.api(mine, 'POST', '/api/v1/incidents/INC-1/lead', { leadUserId: theirs.userId });
  assert.equal(r.status, 400);
  assert.deepEqual(r.json.error.fields, [{ field: 'leadUserId', reason: 'is not a member of this organization' }]);
});

test('war rooms of another organization’s incident cannot be read or created, by API or page', async () => {
  for (const [method, path] of [
    ['GET', `/api/v1/incidents/${foreign.id}/war-room`],
    ['POST', `/api/v1/incidents/${foreign.id}/war-room`],
  ] as const) {
    const r = await t.api(mine, method, path, method === 'POST' ? {} : undefined);
    assert.equal(r.status, 404, `${method} ${path}`);
    assert.ok(!r.text.includes('Their secret outage'));
  }
  const fragment = await t.page(mine, 'GET', `/incidents/${foreign.id}/war-room/fragment`);
  assert.equal(fragment.status, 404);
  const create = await t.page(mine, 'POST', `/incidents/${foreign.id}/war-room`, { provider: 'zoom' });
  assert.equal(create.status, 404);
  assert.ok(!create.text.includes('Their secret outage'));
});

test('another organization’s invites, tokens and membership cannot be used from mine', async () => {
  const created = await t.page(theirs, 'POST', '/organization/invites', { role: 'admin' });
  const inviteId = /\/organization\/invites\/([0-9a-f-]{36})\/revoke/.exec(created.text)?.[1];
  assert.ok(inviteId, 'their members page lists the invite with its revoke form');
  const revoke = await t.page(mine, 'POST', `/organization/invites/${inviteId}/revoke`, {});
  assert.equal(revoke.status, 404);
  assert.match((await t.page(theirs, 'GET', '/organization/members')).text, new RegExp(`/organization/invites/${inviteId}/revoke`), 'their invite is still pending');

  const tokens = await t.page(theirs, 'GET', '/settings/api-tokens');
  const tokenId = /\/settings\/api-tokens\/([0-9a-f-]{36})\/revoke/.exec(tokens.text)?.[1];
  assert.ok(tokenId);
  assert.equal((await t.page(mine, 'POST', `/settings/api-tokens/${tokenId}/revoke`, {})).status, 404);
  assert.equal((await t.api(theirs, 'GET', '/api/v1/incidents')).status, 200, 'their token still works');

  const sw = await t.page(mine, 'POST', '/organization/switch', { orgId: theirs.orgId });
  assert.equal(sw.status, 404, 'switching into an organization I do not belong to is refused');
  const after = await t.page(mine, 'GET', '/incidents');
  assert.ok(!after.text.includes('Their secret outage'));
});
