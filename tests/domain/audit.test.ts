import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eq, isNull, or } from 'drizzle-orm';
import { listAudit, type AuditEntryView } from '../../src/domain/audit/list-audit.ts';
import type { Ctx, RequestMeta } from '../../src/domain/context.ts';
import { createApiToken } from '../../src/domain/orgs/create-api-token.ts';
import { revokeApiToken } from '../../src/domain/orgs/revoke-api-token.ts';
import { createInvite } from '../../src/domain/orgs/create-invite.ts';
import { revokeInvite } from '../../src/domain/orgs/revoke-invite.ts';
import { changeMemberRole } from '../../src/domain/orgs/change-member-role.ts';
import { removeMember } from '../../src/domain/orgs/remove-member.ts';
import { signIn } from '../../src/domain/orgs/sign-in.ts';
import { newAccount } from '../support/app.ts';
import { signUp } from '../../src/domain/orgs/sign-up.ts';
import { auditLog } from '../../src/platform/db/schema.ts';
import { AppError } from '../../src/shared/errors.ts';
import { makeTestApp, PASSWORD, uniqueEmail, type Member } from '../support/app.ts';

const t = await makeTestApp();

const from = (ip: string, userAgent: string): RequestMeta => ({ ip, userAgent, requestId: `audit-${ip}` });
/** The member acting from a known address and browser, as a request would carry them. */
const as = (m: Member, meta: RequestMeta): Ctx => ({ ...t.ctxFor(m), meta });
const label = (m: { name: string; email: string }) => `${m.name} (${m.email})`;
const tokenOf = (invite: { url: string }) => invite.url.split('/invites/')[1] ?? '';

/** The one entry for this action and target, as Owners and Admins read the audit log. */
async function entry(owner: Member, action: string, targetId: string): Promise<AuditEntryView> {
  const { entries } = await listAudit({ ctx: t.ctxFor(owner), input: { action, perPage: '100' } });
  const matching = entries.filter((e) => e.action === action && e.targetId === targetId);
  assert.equal(matching.length, 1, `one ${action} row for ${targetId}, got ${JSON.stringify(entries)}`);
  return matching[0] as AuditEntryView;
}

test('invites and member changes are audited with actor, action, target, address and user agent', async () => {
  const o = await t.owner('Audit Co');
  const ownerAt = from('203.0.113.10', 'OwnerBrowser/1.0');
  const kept = await createInvite({ ctx: as(o, ownerAt), input: { role: 'responder' } });
  const dropped = await createInvite({ ctx: as(o, ownerAt), input: { role: 'viewer' } });
  await revokeInvite({ ctx: as(o, ownerAt), inviteId: dropped.id });
  const newcomer = { name: 'Nora Newcomer', email: uniqueEmail('nora') };
  const joinAt = from('198.51.100.20', 'JoinerBrowser/2.0');
  const { userId } = await newAccount(signUp({ deps: t.deps, meta: joinAt, input: { ...newcomer, password: PASSWORD, inviteToken: tokenOf(kept) } }));
  await changeMemberRole({ ctx: as(o, ownerAt), userId, input: { role: 'admin' } });
  await removeMember({ ctx: as(o, ownerAt), userId });

  const byOwner = { actor: label(o), ip: ownerAt.ip, userAgent: ownerAt.userAgent };
  const expected: Array<[string, string, Partial<AuditEntryView>]> = [
    ['invite.created', kept.id, { ...byOwner, targetType: 'invite', metadata: { role: 'Responder' } }],
    ['invite.created', dropped.id, { ...byOwner, targetType: 'invite', metadata: { role: 'Viewer' } }],
    ['invite.revoked', dropped.id, { ...byOwner, targetType: 'invite', metadata: {} }],
    ['invite.accepted', kept.id, { actor: label(newcomer), ip: joinAt.ip, userAgent: joinAt.userAgent, targetType: 'invite', metadata: { role: 'Responder' } }],
    ['member.role_changed', userId, { ...byOwner, targetType: 'user', metadata: { from: 'Responder', to: 'Admin', member: newcomer.email } }],
    ['member.removed', userId, { ...byOwner, targetType: 'user', metadata: { member: newcomer.email, role: 'Admin' } }],
  ];
  for (const [action, targetId, fields] of expected) {
    const e = await entry(o, action, targetId);
    for (const [key, value] of Object.entries(fields)) assert.deepEqual(e[key as keyof AuditEntryView], value, `${action}.${key}`);
    assert.ok(!Number.isNaN(Date.parse(e.createdAt)), `${action} has a time`);
  }
});

test('API tokens created and revoked are audited by name and prefix, as the member who owns them', async () => {
  const o = await t.owner();
  const r = await t.member(o, 'responder', 'Rhea Responder');
  const at = from('192.0.2.30', 'TokenClient/3.0');
  const made = await createApiToken({ ctx: as(r, at), input: { name: 'pager bridge' } });
  await revokeApiToken({ ctx: as(r, at), tokenId: made.id });
  for (const action of ['api_token.created', 'api_token.revoked']) {
    const e = await entry(o, action, made.id);
    assert.equal(e.actor, label(r));
    assert.equal(e.targetType, 'api_token');
    assert.equal(e.ip, at.ip);
    assert.equal(e.userAgent, at.userAgent);
    assert.deepEqual(e.metadata, { token_name: 'pager bridge', token_prefix: made.prefix });
    assert.ok(made.token.length > made.prefix.length + 20, 'the prefix recognises the token without revealing it');
  }
});

test('no audit row holds a secret value: invite links, API tokens, passwords (right or wrong)', async () => {
  const o = await t.owner();
  const secrets: string[] = [PASSWORD, o.token, o.cookie];
  const ctx = as(o, from('203.0.113.40', 'ScanBrowser/1.0'));
  const invite = await createInvite({ ctx, input: { role: 'viewer' } });
  const revoked = await createInvite({ ctx, input: { role: 'admin' } });
  await revokeInvite({ ctx, inviteId: revoked.id });
  secrets.push(tokenOf(invite), tokenOf(revoked));
  const joinerPassword = 'another long passphrase 42';
  secrets.push(joinerPassword);
  const joiner = await newAccount(signUp({ deps: t.deps, meta: ctx.meta, input: { name: 'Jo', email: uniqueEmail('jo'), password: joinerPassword, inviteToken: tokenOf(invite) } }));
  const token = await createApiToken({ ctx, input: { name: 'ci' } });
  secrets.push(token.token);
  await revokeApiToken({ ctx, tokenId: token.id });
  const session = await signIn({ deps: t.deps, meta: ctx.meta, input: { email: o.email, password: PASSWORD } });
  secrets.push(session.token);
  const wrongPassword = 'definitely-not-the-password';
  secrets.push(wrongPassword);
  await assert.rejects(signIn({ deps: t.deps, meta: ctx.meta, input: { email: o.email, password: wrongPassword } }), AppError);
  await changeMemberRole({ ctx, userId: joiner.userId, input: { role: 'responder' } });

  // Every row of this organization, and those with no organization (failed sign-ins of unknown emails), as stored.
  const rows = await t.deps.db.select().from(auditLog).where(or(eq(auditLog.orgId, o.orgId), isNull(auditLog.orgId)));
  const actions = new Set(rows.map((row) => row.action));
  for (const a of ['invite.created', 'invite.revoked', 'invite.accepted', 'api_token.created', 'api_token.revoked', 'user.signed_in', 'user.sign_in_failed', 'member.role_changed']) {
    assert.ok(actions.has(a), `the scan covers ${a}`);
  }
  const stored = JSON.stringify(rows);
  for (const secret of secrets) {
    assert.ok(secret.length >= 12, 'a real secret value, not a fragment');
    assert.ok(!stored.includes(secret), `an audit row holds a secret value (${secret.slice(0, 4)}…)`);
  }
});

test('the audit log filters by actor and pages through the rest', async () => {
  const o = await t.owner();
  const admin = await t.member(o, 'admin', 'Ada Admin'); // the Owner's first invite
  for (let i = 0; i < 3; i++) await createInvite({ ctx: t.ctxFor(o), input: { role: 'viewer' } });
  await createInvite({ ctx: t.ctxFor(admin), input: { role: 'responder' } });

  const byAdmin = await listAudit({ ctx: t.ctxFor(o), input: { action: 'invite.created', actor: admin.email } });
  assert.equal(byAdmin.total, 1);
  assert.deepEqual(byAdmin.entries.map((e) => [e.actor, e.metadata['role']]), [[label(admin), 'Responder']]);
  const byName = await listAudit({ ctx: t.ctxFor(o), input: { action: 'invite.created', actor: 'Ada Adm' } });
  assert.deepEqual(byName.entries.map((e) => e.actor), [label(admin)], 'part of a name is enough');
  const wildcard = await listAudit({ ctx: t.ctxFor(o), input: { actor: '%' } });
  assert.equal(wildcard.total, 0, 'a % in the filter is a character, not a wildcard');

  const all = await listAudit({ ctx: t.ctxFor(o), input: { action: 'invite.created' } });
  assert.equal(all.total, 5);
  const page1 = await listAudit({ ctx: t.ctxFor(o), input: { action: 'invite.created', perPage: '3', page: '1' } });
  const page2 = await listAudit({ ctx: t.ctxFor(o), input: { action: 'invite.created', perPage: '3', page: '2' } });
  assert.equal(page1.entries.length, 3);
  assert.equal(page2.entries.length, 2, 'page 2 has the rest');
  assert.equal(page2.total, 5);
  assert.deepEqual([...page1.entries, ...page2.entries].map((e) => e.id), all.entries.map((e) => e.id), 'newest first, no entry twice or missed');
  assert.deepEqual(page2.entries.map((e) => e.actor), [label(o), label(o)], 'the oldest invites are on the last page');
  const page3 = await listAudit({ ctx: t.ctxFor(o), input: { action: 'invite.created', perPage: '3', page: '3' } });
  assert.deepEqual(page3.entries, []);
});
