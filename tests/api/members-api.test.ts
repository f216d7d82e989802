import assert from 'node:assert/strict';
import { test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { describeInvite } from '../../src/domain/orgs/invites.ts';
import { auditLog } from '../../src/platform/db/schema.ts';
import { makeTestApp, type Member } from '../support/app.ts';

// Members and invites through the API: the Members page's operations, with its rules
// (Owners and Admins manage; only an Owner makes, changes or removes an Owner; the last Owner stays).
const t = await makeTestApp();

interface MemberJson {
  userId: string;
  name: string;
  email: string;
  role: string;
}
const membersOf = async (m: Member) => (await t.api(m, 'GET', '/api/v1/members')).json as unknown as { members: MemberJson[] };
const roleOf = async (of: Member, userId: string) => (await membersOf(of)).members.find((x) => x.userId === userId)?.role;
const setRole = (by: Member, userId: string, role: unknown) => t.api(by, 'PATCH', `/api/v1/members/${userId}`, { role });
const audited = async (orgId: string, action: string, targetId: string) =>
  (await t.deps.db.select().from(auditLog).where(and(eq(auditLog.orgId, orgId), eq(auditLog.action, action), eq(auditLog.targetId, targetId)))).length;
const tokenFromUrl = (url: string) => url.split('/invites/')[1] ?? '';

async function team() {
  const owner = await t.owner();
  return {
    owner,
    admin: await t.member(owner, 'admin', 'Ada Admin'),
    responder: await t.member(owner, 'responder', 'Rita Responder'),
    viewer: await t.member(owner, 'viewer', 'Vic Viewer'),
  };
}

test('every member reads the member list (as on the Members page), with names, emails and roles', async () => {
  const { owner, admin, responder, viewer } = await team();
  for (const m of [owner, admin, responder, viewer]) {
    const r = await t.api(m, 'GET', '/api/v1/members');
    assert.equal(r.status, 200);
    const list = (r.json as unknown as { members: MemberJson[] }).members;
    assert.deepEqual(list.map((x) => [x.name, x.role]).sort(), [['Ada Admin', 'admin'], ['Olivia Owner', 'owner'], ['Rita Responder', 'responder'], ['Vic Viewer', 'viewer']]);
    assert.ok(list.some((x) => x.email === viewer.email));
  }
  const stranger = await t.owner('Elsewhere');
  assert.ok(!(await membersOf(stranger)).members.some((x) => x.userId === owner.userId), 'another organization sees only its own');
  assert.equal((await t.api(null, 'GET', '/api/v1/members')).status, 401);
});

test('an Admin changes a role: answered with the member, audited; Responders and Viewers are refused', async () => {
  const { owner, admin, responder, viewer } = await team();
  const r = await setRole(admin, viewer.userId, 'responder');
  assert.equal(r.status, 200, r.text);
  assert.equal((r.json as unknown as { member: MemberJson }).member.role, 'responder');
  assert.equal(await roleOf(owner, viewer.userId), 'responder');
  assert.equal(await audited(owner.orgId, 'member.role_changed', viewer.userId), 1);
  for (const m of [responder, viewer]) {
    const refused = await setRole(m, admin.userId, 'viewer');
    assert.equal(refused.status, 403);
    assert.equal(refused.json.error.message, "Your role can't manage members. Ask an Owner or Admin.");
  }
  assert.equal(await roleOf(owner, admin.userId), 'admin');
});

test('only an Owner makes or changes an Owner; the last Owner cannot be demoted', async () => {
  const { owner, admin, responder } = await team();
  const promote = await setRole(admin, responder.userId, 'owner');
  assert.equal(promote.status, 403);
  assert.match(promote.json.error.message, /Only an Owner can make someone an Owner/);
  const demoteOwner = await setRole(admin, owner.userId, 'admin');
  assert.equal(demoteOwner.status, 403);
  const last = await setRole(owner, owner.userId, 'admin');
  assert.equal(last.status, 409);
  assert.equal(last.json.error.message, 'Olivia Owner is the last Owner and cannot be demoted.');
  assert.equal((await setRole(owner, admin.userId, 'owner')).status, 200);
  assert.equal((await setRole(owner, owner.userId, 'admin')).status, 200, 'with a second Owner, the first may step down');
  assert.equal(await roleOf(admin, owner.userId), 'admin');
});

test('bad role changes: an unknown role is a 400 naming the field; an unknown member is a 404', async () => {
  const { owner, responder } = await team();
  const bad = await setRole(owner, responder.userId, 'superuser');
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.json.error.fields, [{ field: 'role', reason: 'must be one of owner, admin, responder, viewer' }]);
  assert.equal((await setRole(owner, '00000000-0000-4000-8000-000000000000', 'viewer')).status, 404);
  assert.equal((await setRole(owner, 'not-an-id', 'viewer')).status, 404);
  const stranger = await t.owner('Elsewhere');
  assert.equal((await setRole(owner, stranger.userId, 'viewer')).status, 404, 'someone of another organization is not found');
});

test('an Admin creates an invite: 201 with the link shown once, it works, it is listed and audited', async () => {
  const { owner, admin } = await team();
  const r = await t.api(admin, 'POST', '/api/v1/invites', { role: 'responder' });
  assert.equal(r.status, 201, r.text);
  const invite = (r.json as unknown as { invite: { id: string; role: string; url: string; expiresAt: string } }).invite;
  assert.equal(invite.role, 'responder');
  assert.match(invite.url, /^http:\/\/runframe\.test\/invites\/[A-Za-z0-9_-]{20,}$/);
  assert.equal(invite.expiresAt, new Date(t.clock.now().getTime() + 7 * 86_400_000).toISOString());
  assert.deepEqual(await describeInvite(t.deps, tokenFromUrl(invite.url)), { orgName: 'Acme', role: 'responder' });
  const listed = (await t.api(owner, 'GET', '/api/v1/invites')).json as unknown as { invites: { id: string; role: string }[] };
  assert.deepEqual(
    listed.invites.map((i) => [i.id, i.role]),
    [[invite.id, 'responder']],
  );
  assert.ok(!JSON.stringify(listed).includes(tokenFromUrl(invite.url)), 'the link is not shown again');
  assert.equal(await audited(owner.orgId, 'invite.created', invite.id), 1);
});

test('invite rules: only an Owner invites an Owner; Responders and Viewers cannot invite or list invites', async () => {
  const { owner, admin, responder, viewer } = await team();
  const asAdmin = await t.api(admin, 'POST', '/api/v1/invites', { role: 'owner' });
  assert.equal(asAdmin.status, 403);
  assert.equal(asAdmin.json.error.message, 'Only an Owner can invite another Owner.');
  assert.equal((await t.api(owner, 'POST', '/api/v1/invites', { role: 'owner' })).status, 201);
  for (const m of [responder, viewer]) {
    assert.equal((await t.api(m, 'POST', '/api/v1/invites', { role: 'viewer' })).status, 403);
    assert.equal((await t.api(m, 'GET', '/api/v1/invites')).status, 403);
  }
  const bad = await t.api(owner, 'POST', '/api/v1/invites', {});
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.fields[0]?.field, 'role');
});

test('revoking an invite: 204, its link stops working, audited; revoking again or another organization’s invite is a 404', async () => {
  const { owner, admin, responder } = await team();
  const created = (await t.api(owner, 'POST', '/api/v1/invites', { role: 'viewer' })).json as unknown as { invite: { id: string; url: string } };
  assert.equal((await t.api(responder, 'DELETE', `/api/v1/invites/${created.invite.id}`)).status, 403);
  const r = await t.api(admin, 'DELETE', `/api/v1/invites/${created.invite.id}`);
  assert.equal(r.status, 204);
  assert.equal(r.text, '');
  assert.equal(await describeInvite(t.deps, tokenFromUrl(created.invite.url)), null, 'the link no longer works');
  assert.equal(((await t.api(owner, 'GET', '/api/v1/invites')).json as unknown as { invites: unknown[] }).invites.length, 0);
  assert.equal(await audited(owner.orgId, 'invite.revoked', created.invite.id), 1);
  assert.equal((await t.api(admin, 'DELETE', `/api/v1/invites/${created.invite.id}`)).status, 404);
  const stranger = await t.owner('Elsewhere');
  const theirs = (await t.api(stranger, 'POST', '/api/v1/invites', { role: 'viewer' })).json as unknown as { invite: { id: string; url: string } };
  assert.equal((await t.api(owner, 'DELETE', `/api/v1/invites/${theirs.invite.id}`)).status, 404);
  assert.notEqual(await describeInvite(t.deps, tokenFromUrl(theirs.invite.url)), null, 'their link still works');
});

test('removing a member: 204 and their token stops working; the last Owner stays; only an Owner removes an Owner', async () => {
  const { owner, admin, responder } = await team();
  assert.equal((await t.api(responder, 'DELETE', `/api/v1/members/${admin.userId}`)).status, 403);
  assert.equal((await t.api(admin, 'DELETE', `/api/v1/members/${owner.userId}`)).status, 403);
  const last = await t.api(owner, 'DELETE', `/api/v1/members/${owner.userId}`);
  assert.equal(last.status, 409);
  assert.match(last.json.error.message, /last Owner and cannot be removed/);
  assert.equal((await t.api(admin, 'DELETE', `/api/v1/members/${responder.userId}`)).status, 204);
  assert.equal((await t.api(responder, 'GET', '/api/v1/me')).status, 401, 'their API token for the organization stops working');
  assert.equal(await roleOf(owner, responder.userId), undefined);
  assert.equal(await audited(owner.orgId, 'member.removed', responder.userId), 1);
});
