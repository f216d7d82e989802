import assert from 'node:assert/strict';
import { test } from 'node:test';
import { and, eq, inArray } from 'drizzle-orm';
import { sql } from 'drizzle-orm';
import { signIn } from '../../src/domain/orgs/sign-in.ts';
import { createOrganization } from '../../src/domain/orgs/create-organization.ts';
import { createPasswordHasher, type PasswordHasher } from '../../src/platform/crypto.ts';
import { auditLog, users } from '../../src/platform/db/schema.ts';
import { parseTrustedProxies } from '../../src/platform/proxies.ts';
import { AppError } from '../../src/shared/errors.ts';
import { makeTestApp, PASSWORD, uniqueEmail } from '../support/app.ts';

const PROXY = '10.0.0.1';
const t = await makeTestApp({ web: { trustedProxies: parseTrustedProxies(`${PROXY}, 10.0.0.0/30`).proxies } });
const meta = (ip: string) => ({ ip, userAgent: 'test-agent', requestId: 'r' });

/** A browser behind the reverse proxy: the peer is the proxy, the client is in X-Forwarded-For. */
async function browser(client: string) {
  const via = { incoming: { socket: { remoteAddress: PROXY } } };
  const headers = { accept: 'text/html', 'x-forwarded-for': `${client}`, 'x-forwarded-proto': 'https' };
  const form = await t.app.request('/sign-in', { headers }, via);
  const anon = /rf_csrf=([^;]+)/.exec(form.headers.get('set-cookie') ?? '')?.[1] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  return {
    signIn: (email: string, password: string) =>
      t.app.request(
        '/sign-in',
        { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', cookie: `rf_csrf=${anon}` }, body: new URLSearchParams({ _csrf: csrf, email, password }).toString() },
        via,
      ),
  };
}

const refusal = async (p: Promise<unknown>): Promise<AppError> => {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof AppError, String(e));
    return e;
  }
  return assert.fail('expected the sign-in to be refused');
};

test('behind a trusted proxy, an attacker’s wrong passwords lock only the attacker’s address, not the account', async () => {
  const o = await t.owner();
  const attacker = await browser('198.51.100.66');
  for (let i = 0; i < 10; i++) assert.equal((await attacker.signIn(o.email, `wrong-${i}-password`)).status, 401);
  const locked = await attacker.signIn(o.email, PASSWORD);
  assert.equal(locked.status, 429);
  assert.ok(Number(locked.headers.get('retry-after')) > 0);
  // Same proxy, another client: the real owner signs in.
  const owner = await browser('203.0.113.10');
  assert.equal((await owner.signIn(o.email, PASSWORD)).status, 303);
  // The audit row names the real client, not the proxy.
  const rows = await t.deps.db.select().from(auditLog).where(and(eq(auditLog.action, 'user.signed_in'), eq(auditLog.actorUserId, o.userId)));
  assert.deepEqual(rows.map((r) => r.ip), ['203.0.113.10']);
});

test('a peer that is not a trusted proxy cannot pick its address with X-Forwarded-For', async () => {
  const o = await t.owner();
  const direct = { incoming: { socket: { remoteAddress: '192.0.2.50' } } };
  for (let i = 0; i < 11; i++) {
    const res = await t.app.request(
      '/api/v1/incidents',
      { headers: { authorization: `Bearer ${o.token}`, 'x-forwarded-for': `192.0.2.${100 + i}` } },
      direct,
    );
    assert.equal(res.status, 200);
  }
  await refusal(signIn({ deps: t.deps, meta: meta('192.0.2.50'), input: { email: o.email, password: 'wrong password one' } }));
  const [row] = await t.deps.db.select().from(auditLog).where(and(eq(auditLog.action, 'user.sign_in_failed'), eq(auditLog.targetId, o.userId)));
  assert.equal(row?.ip, '192.0.2.50');
});

test('password spraying: one address trying many accounts once each is throttled across accounts', async () => {
  const ip = '198.51.100.77';
  for (let i = 0; i < 30; i++) {
    const e = await refusal(signIn({ deps: t.deps, meta: meta(ip), input: { email: uniqueEmail(`spray${i}`), password: 'Summer2026!!' } }));
    assert.equal(e.code, 'unauthenticated');
  }
  const o = await t.owner();
  const stopped = await refusal(signIn({ deps: t.deps, meta: meta(ip), input: { email: o.email, password: 'Summer2026!!' } }));
  assert.equal(stopped.code, 'rate_limited');
  assert.match(stopped.message, /Too many failed sign-ins from your network/);
  assert.ok((stopped.retryAfterSeconds ?? 0) > 0);
  // Other addresses are untouched.
  assert.ok((await signIn({ deps: t.deps, meta: meta('198.51.100.78'), input: { email: o.email, password: PASSWORD } })).token);
});

test('40 parallel wrong passwords check at most the limit (10); the rest are refused before any hashing', async () => {
  const o = await t.owner();
  let verified = 0;
  const counting: PasswordHasher = { ...t.deps.passwords, verify: (p, s) => ((verified += 1), t.deps.passwords.verify(p, s)) };
  const deps = { ...t.deps, passwords: counting };
  const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => signIn({ deps, meta: meta('198.51.100.90'), input: { email: o.email, password: `parallel-wrong-${i}` } })));
  const codes = results.map((r) => (r.status === 'rejected' && r.reason instanceof AppError ? r.reason.code : 'signed in'));
  assert.equal(codes.filter((c) => c === 'unauthenticated').length, 10);
  assert.equal(codes.filter((c) => c === 'rate_limited').length, 30);
  assert.equal(verified, 10, 'only ten passwords were checked');
});

test('a failed sign-in for a known email is audited once per window, in one organization, whatever the number of attempts', async () => {
  const o = await t.owner();
  const second = await createOrganization({ deps: t.deps, meta: meta(''), userId: o.userId, input: { organizationName: 'Second Co' } });
  for (let i = 0; i < 8; i++) await refusal(signIn({ deps: t.deps, meta: meta(`198.51.100.${120 + i}`), input: { email: o.email, password: `flood-${i}-password` } }));
  const rows = await t.deps.db.select().from(auditLog).where(and(eq(auditLog.action, 'user.sign_in_failed'), inArray(auditLog.orgId, [o.orgId, second.orgId])));
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.orgId, o.orgId, 'the account’s first organization');
  t.clock.advance(15 * 60_000 + 1000);
  await refusal(signIn({ deps: t.deps, meta: meta('198.51.100.140'), input: { email: o.email, password: 'next-window-password' } }));
  const later = await t.deps.db.select().from(auditLog).where(and(eq(auditLog.action, 'user.sign_in_failed'), eq(auditLog.targetId, o.userId)));
  assert.equal(later.length, 2, 'the next window records again');
});

test('a hash made with weaker parameters is replaced by today’s at the next successful sign-in', async () => {
  const o = await t.owner();
  const [before] = await t.deps.db.select({ h: users.passwordHash }).from(users).where(eq(users.id, o.userId));
  assert.match(before?.h ?? '', /^scrypt\$1024\$8\$1\$/);
  const stronger = { ...t.deps, passwords: createPasswordHasher({ cost: 15, concurrency: 2 }) };
  await refusal(signIn({ deps: stronger, meta: meta('198.51.100.150'), input: { email: o.email, password: 'not the password' } }));
  const [unchanged] = await t.deps.db.select({ h: users.passwordHash }).from(users).where(eq(users.id, o.userId));
  assert.equal(unchanged?.h, before?.h, 'a wrong password changes nothing');
  assert.ok((await signIn({ deps: stronger, meta: meta('198.51.100.150'), input: { email: o.email, password: PASSWORD } })).token);
  const [after] = await t.deps.db.select({ h: users.passwordHash }).from(users).where(eq(users.id, o.userId));
  assert.match(after?.h ?? '', /^scrypt\$32768\$8\$1\$/);
  assert.ok((await signIn({ deps: stronger, meta: meta('198.51.100.150'), input: { email: o.email, password: PASSWORD } })).token, 'the new hash verifies');
});

test('a failed query is logged with its SQLSTATE and statement name, never its parameters', async () => {
  const o = await t.owner();
  const ip = '198.51.100.201';
  const before = t.logLines.length;
  await t.deps.db.execute(sql`alter table sign_in_throttle rename to sign_in_throttle_away`);
  try {
    const anon = 'c'.repeat(30);
    const res = await t.app.request(
      '/sign-in',
      {
        method: 'POST',
        headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': anon, cookie: `rf_csrf=${anon}` },
        body: new URLSearchParams({ email: o.email, password: 'a secret password' }).toString(),
      },
      { incoming: { socket: { remoteAddress: ip } } },
    );
    assert.equal(res.status, 500);
  } finally {
    await t.deps.db.execute(sql`alter table sign_in_throttle_away rename to sign_in_throttle`);
  }
  const lines = t.logLines.slice(before).join('');
  assert.match(lines, /"code":"42P01"/);
  assert.match(lines, /"query":"insert sign_in_throttle"/);
  for (const secret of [o.email, ip, 'a secret password', 'account:']) assert.ok(!lines.includes(secret), `the log holds ${secret}`);
});
