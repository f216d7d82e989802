import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newAccount } from '../support/app.ts';
import { signUp } from '../../src/domain/orgs/sign-up.ts';
import { signIn } from '../../src/domain/orgs/sign-in.ts';
import { resolveSession } from '../../src/domain/orgs/sessions.ts';
import { switchOrganization } from '../../src/domain/orgs/switch-organization.ts';
import { describeInvite } from '../../src/domain/orgs/invites.ts';
import { createInvite } from '../../src/domain/orgs/create-invite.ts';
import { revokeInvite } from '../../src/domain/orgs/revoke-invite.ts';
import { acceptInvite } from '../../src/domain/orgs/accept-invite.ts';
import { changeMemberRole } from '../../src/domain/orgs/change-member-role.ts';
import { listMembers } from '../../src/domain/orgs/list-members.ts';
import { removeMember } from '../../src/domain/orgs/remove-member.ts';
import { createOrganization } from '../../src/domain/orgs/create-organization.ts';
import { listAudit } from '../../src/domain/audit/list-audit.ts';
import { systemMeta } from '../../src/domain/context.ts';
import { users } from '../../src/platform/db/schema.ts';
import { AppError } from '../../src/shared/errors.ts';
import { makeTestApp, PASSWORD, uniqueEmail } from '../support/app.ts';

const t = await makeTestApp();
const meta = (ip = '203.0.113.7') => ({ ...systemMeta('t'), ip, userAgent: 'test-agent' });

const code = async (p: Promise<unknown>): Promise<AppError> => {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof AppError, String(e));
    return e;
  }
  assert.fail('expected the operation to be refused');
};

test('sign-up creates an organization with the new user as Owner; passwords are scrypt-hashed', async () => {
  const email = uniqueEmail('new');
  const { userId, orgId } = await newAccount(signUp({ deps: t.deps, meta: meta(), input: { name: 'Nia', email: email.toUpperCase(), password: PASSWORD, organizationName: 'Nia Co' } }));
  const [row] = await t.deps.db.select().from(users);
  assert.ok(row);
  const mine = (await t.deps.db.select().from(users)).find((u) => u.id === userId);
  assert.equal(mine?.email, email, 'emails are stored lower-case');
  assert.match(mine?.passwordHash ?? '', /^scrypt\$/);
  assert.ok(!mine?.passwordHash.includes(PASSWORD));
  const members = await listMembers({ ...t.deps, actor: { userId, orgId, name: 'Nia', email, role: 'owner', via: 'session' }, meta: meta() });
  assert.deepEqual(members.map((m) => m.role), ['owner']);
});

test('sign-up refuses short passwords, bad emails and a missing organization name; a taken email changes nothing and is not revealed', async () => {
  const short = await code(signUp({ deps: t.deps, meta: meta(), input: { name: 'A', email: uniqueEmail('a'), password: 'short', organizationName: 'X' } }));
  assert.deepEqual(short.fields, [{ field: 'password', reason: 'must be at least 12 characters' }]);
  const bad = await code(signUp({ deps: t.deps, meta: meta(), input: { name: 'A', email: 'not-an-email', password: PASSWORD, organizationName: 'X' } }));
  assert.equal(bad.fields[0]?.field, 'email');
  const noOrg = await code(signUp({ deps: t.deps, meta: meta(), input: { name: 'A', email: uniqueEmail('a'), password: PASSWORD } }));
  assert.equal(noOrg.fields[0]?.field, 'organizationName');
  const o = await t.owner();
  const taken = await signUp({ deps: t.deps, meta: meta(), input: { name: 'A', email: o.email, password: 'another password!', organizationName: 'X' } });
  assert.deepEqual(taken, { created: false });
  assert.ok((await signIn({ deps: t.deps, meta: meta(), input: { email: o.email, password: PASSWORD } })).token, 'the existing account keeps its password');
});

test('sign-in works with the right password, fails clearly with a wrong one, and is audited', async () => {
  const o = await t.owner();
  const ok = await signIn({ deps: t.deps, meta: meta(), input: { email: o.email, password: PASSWORD } });
  assert.ok(await resolveSession(t.deps, ok.token));
  const wrong = await code(signIn({ deps: t.deps, meta: meta(), input: { email: o.email, password: 'wrong password!!' } }));
  assert.equal(wrong.code, 'unauthenticated');
  assert.equal(wrong.message, 'The email or password is not correct.');
  const unknown = await code(signIn({ deps: t.deps, meta: meta(), input: { email: uniqueEmail('nobody'), password: PASSWORD } }));
  assert.equal(unknown.message, wrong.message, 'an unknown email is not revealed');
  const audit = await listAudit({ ctx: t.ctxFor(o), input: { action: 'user.sign' } });
  const actions = audit.entries.map((e) => e.action);
  assert.ok(actions.includes('user.signed_in') && actions.includes('user.sign_in_failed'));
  const failed = audit.entries.find((e) => e.action === 'user.sign_in_failed');
  assert.equal(failed?.ip, '203.0.113.7');
  assert.equal(failed?.userAgent, 'test-agent');
  assert.ok(!JSON.stringify(audit.entries).includes('wrong password'));
});

test('ten failed sign-ins in 15 minutes lock that email from that address, with a clear message', async () => {
  const o = await t.owner();
  for (let i = 0; i < 10; i++) await code(signIn({ deps: t.deps, meta: meta('198.51.100.1'), input: { email: o.email, password: `wrong-${i}-password` } }));
  const locked = await code(signIn({ deps: t.deps, meta: meta('198.51.100.1'), input: { email: o.email, password: PASSWORD } }));
  assert.equal(locked.code, 'rate_limited');
  assert.match(locked.message, /Too many failed sign-ins.*Wait 15 minutes/);
  // Another address is not punished for the attacker's attempts.
  assert.ok((await signIn({ deps: t.deps, meta: meta('198.51.100.2'), input: { email: o.email, password: PASSWORD } })).token);
  t.clock.advance(15 * 60_000 + 1000);
  assert.ok((await signIn({ deps: t.deps, meta: meta('198.51.100.1'), input: { email: o.email, password: PASSWORD } })).token);
});

test('sessions expire', async () => {
  const o = await t.owner();
  assert.ok(await resolveSession(t.deps, o.cookie));
  t.clock.advance(73 * 3_600_000);
  assert.equal(await resolveSession(t.deps, o.cookie), null);
});

test('an invite link joins the organization once, with its role; revoked links stop working', async () => {
  const o = await t.owner();
  const inv = await createInvite({ ctx: t.ctxFor(o), input: { role: 'viewer' } });
  const token = inv.url.split('/invites/')[1] ?? '';
  assert.deepEqual(await describeInvite(t.deps, token), { orgName: 'Acme', role: 'viewer' });
  const { userId, orgId } = await newAccount(signUp({ deps: t.deps, meta: meta(), input: { name: 'Vic', email: uniqueEmail('v'), password: PASSWORD, inviteToken: token } }));
  assert.equal(orgId, o.orgId);
  assert.equal((await listMembers(t.ctxFor(o))).find((m) => m.userId === userId)?.role, 'viewer');
  assert.equal(await describeInvite(t.deps, token), null, 'used links are spent');
  const again = await code(signUp({ deps: t.deps, meta: meta(), input: { name: 'Eve', email: uniqueEmail('e'), password: PASSWORD, inviteToken: token } }));
  assert.equal(again.code, 'not_found');

  const inv2 = await createInvite({ ctx: t.ctxFor(o), input: { role: 'responder' } });
  await revokeInvite({ ctx: t.ctxFor(o), inviteId: inv2.id });
  assert.equal(await describeInvite(t.deps, inv2.url.split('/invites/')[1] ?? ''), null);
});

test('a user can belong to several organizations and switch between them', async () => {
  const a = await t.owner('Alpha');
  const b = await t.owner('Beta');
  const inv = await createInvite({ ctx: t.ctxFor(b), input: { role: 'responder' } });
  await acceptInvite({ deps: t.deps, meta: meta(), user: { id: a.userId, name: a.name, email: a.email }, token: inv.url.split('/invites/')[1] ?? '' });
  const before = await resolveSession(t.deps, a.cookie);
  assert.deepEqual(before?.memberships.map((m) => m.orgName).sort(), ['Alpha', 'Beta']);
  assert.equal(before?.actor?.orgId, a.orgId);
  if (!before) return;
  await switchOrganization(t.deps, before, b.orgId);
  const after = await resolveSession(t.deps, a.cookie);
  assert.equal(after?.actor?.orgId, b.orgId);
  assert.equal(after?.actor?.role, 'responder');
  const other = await t.owner('Gamma');
  assert.equal((await code(switchOrganization(t.deps, before, other.orgId))).code, 'not_found');
  const made = await createOrganization({ deps: t.deps, meta: meta(), userId: a.userId, input: { organizationName: 'Delta' } });
  assert.ok(made.orgId);
});

test('the last Owner can be neither demoted nor removed; only Owners make Owners', async () => {
  const o = await t.owner();
  const admin = await t.member(o, 'admin');
  const demote = await code(changeMemberRole({ ctx: t.ctxFor(o), userId: o.userId, input: { role: 'admin' } }));
  assert.equal(demote.code, 'conflict');
  assert.match(demote.message, /last Owner/);
  assert.equal((await code(removeMember({ ctx: t.ctxFor(o), userId: o.userId }))).code, 'conflict');
  assert.equal((await code(changeMemberRole({ ctx: t.ctxFor(admin), userId: admin.userId, input: { role: 'owner' } }))).code, 'forbidden');
  await changeMemberRole({ ctx: t.ctxFor(o), userId: admin.userId, input: { role: 'owner' } });
  await changeMemberRole({ ctx: t.ctxFor(o), userId: o.userId, input: { role: 'responder' } });
  const roles = (await listMembers(t.ctxFor(admin))).map((m) => m.role).sort();
  assert.deepEqual(roles, ['owner', 'responder']);
  const bad = await code(changeMemberRole({ ctx: t.ctxFor(admin), userId: o.userId, input: { role: 'superuser' } }));
  assert.equal(bad.fields[0]?.field, 'role');
});

test('a removed member loses the organization, and their API tokens for it', async () => {
  const o = await t.owner();
  const r = await t.member(o, 'responder');
  await removeMember({ ctx: t.ctxFor(o), userId: r.userId });
  const res = await t.api(r, 'GET', '/api/v1/incidents');
  assert.equal(res.status, 401);
  const s = await resolveSession(t.deps, r.cookie);
  assert.equal(s?.actor, null);
  const audit = await listAudit({ ctx: t.ctxFor(o), input: { action: 'member.removed' } });
  assert.equal(audit.entries.length, 1);
});
