import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import { queryRows } from '../../../src/platform/db/client.ts';
import { integrationConnections } from '../../../src/platform/db/schema.ts';
import { getAccessToken } from '../../../src/integrations/hub/token-getter.ts';
import { AppError } from '../../../src/shared/errors.ts';
import { makeTestApp } from '../../support/app.ts';
import { connectZoom, holdNextCall, startZoom, zoomCard } from '../../support/zoom.ts';

const { sandbox, zoom } = await startZoom();

// Passes every request through to the sandbox unchanged; tells the test when a refresh request
// leaves Runframe and when Zoom's answer to it arrives.
const refreshSeen = { sent: (): void => {}, answered: false };
const observing: typeof fetch = async (input, init) => {
  const isRefresh = String(input).endsWith('/oauth/token') && String(init?.body ?? '').includes('grant_type=refresh_token');
  if (isRefresh) refreshSeen.sent();
  const res = await fetch(input, init);
  if (isRefresh) refreshSeen.answered = true;
  return res;
};
const t = await makeTestApp({ zoom, fetch: observing });

const refreshes = async () => (await sandbox.control<{ counts: Record<string, number> }>('GET', '/calls')).json.counts['POST /oauth/token:refresh_token'] ?? 0;
const connectionOf = async (orgId: string) => (await t.deps.db.select().from(integrationConnections).where(eq(integrationConnections.orgId, orgId)))[0];

test('while Zoom answers a refresh, other database work goes on, and ten concurrent callers share that one refresh', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  await t.api(o, 'POST', '/api/v1/incidents', { title: 'Checkout errors' });
  // Zoom does not answer the refresh until the queries below are done.
  const held = await holdNextCall(sandbox, 'POST /oauth/token:refresh_token');
  t.clock.advance(3_600_000);
  try {
    const before = await refreshes();
    const sent = new Promise<void>((resolve) => (refreshSeen.sent = resolve));
    refreshSeen.answered = false;
    const first = getAccessToken(t.deps, o.orgId, 'zoom');
    await sent;
    await held.reached();
    const others = Array.from({ length: 9 }, () => getAccessToken(t.deps, o.orgId, 'zoom'));

    // Unrelated work, and a write to the very connection row, finish while the refresh is in flight.
    const rows = await queryRows(t.deps.db, sql`select count(*) as n from incidents where org_id = ${o.orgId}`);
    assert.equal(Number(rows[0]?.['n']), 1);
    const conn = await connectionOf(o.orgId);
    await t.deps.db.update(integrationConnections).set({ healthMessage: 'Ready for war rooms' }).where(eq(integrationConnections.id, conn?.id ?? ''));
    assert.equal((await t.api(o, 'GET', '/api/v1/incidents')).status, 200);
    assert.equal(refreshSeen.answered, false, 'the queries did not wait for Zoom');
    await held.release();

    const tokens = await Promise.all([first, ...others]);
    assert.equal(new Set(tokens).size, 1, 'everyone got the same fresh token');
    assert.equal((await refreshes()) - before, 1, 'exactly one refresh reached Zoom');
    const after = await connectionOf(o.orgId);
    assert.equal(after?.refreshLeaseId, null, 'the lease is released with the stored tokens');
    assert.notEqual(after?.credentialFingerprint, conn?.credentialFingerprint, 'the rotated refresh token is stored');
  } finally {
    await held.release();
    t.clock.advance(-3_600_000);
  }
  assert.equal((await zoomCard(t, o)).status, 'Connected');
});

test('a refresh that meets a Zoom outage releases its lease, so the next caller can refresh at once', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  await sandbox.control('POST', '/faults', { endpoint: 'POST /oauth/token:refresh_token', times: 1, fault: { kind: 'http', status: 503 } });
  t.clock.advance(3_600_000);
  try {
    await assert.rejects(getAccessToken(t.deps, o.orgId, 'zoom'), (e: unknown) => e instanceof AppError && e.code === 'provider_unavailable');
    assert.equal((await connectionOf(o.orgId))?.refreshLeaseId, null);
    const before = await refreshes();
    assert.ok(await getAccessToken(t.deps, o.orgId, 'zoom'));
    assert.equal((await refreshes()) - before, 1);
  } finally {
    t.clock.advance(-3_600_000);
  }
  assert.equal((await zoomCard(t, o)).status, 'Connected');
});

test('a lease left behind by a refresher that died is taken over once it runs out', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  t.clock.advance(3_600_000);
  try {
    const conn = await connectionOf(o.orgId);
    // A process claimed the refresh 40 seconds ago and never came back (the lease lasts 30 seconds).
    await t.deps.db
      .update(integrationConnections)
      .set({ refreshLeaseId: 'dead-process', refreshLeaseUntil: new Date(t.clock.now().getTime() - 10_000) })
      .where(eq(integrationConnections.id, conn?.id ?? ''));
    const before = await refreshes();
    const token = await getAccessToken(t.deps, o.orgId, 'zoom');
    assert.ok(token);
    assert.equal((await refreshes()) - before, 1);
    assert.equal((await connectionOf(o.orgId))?.refreshLeaseId, null);
  } finally {
    t.clock.advance(-3_600_000);
  }
});

test('a token is renewed a few minutes before it expires: at 4 minutes left it is refreshed before use, at 6 minutes left it is used as is', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  const issued = await getAccessToken(t.deps, o.orgId, 'zoom');
  // The sandbox's tokens live one hour, like Zoom's.
  t.clock.advance(60 * 60_000 - 6 * 60_000);
  try {
    let before = await refreshes();
    assert.equal(await getAccessToken(t.deps, o.orgId, 'zoom'), issued, '6 minutes before expiry the token is still used');
    assert.equal((await refreshes()) - before, 0);
    t.clock.advance(2 * 60_000);
    before = await refreshes();
    const renewed = await getAccessToken(t.deps, o.orgId, 'zoom');
    assert.notEqual(renewed, issued, '4 minutes before expiry a fresh token is used');
    assert.equal((await refreshes()) - before, 1);
  } finally {
    t.clock.advance(-(60 * 60_000 - 4 * 60_000));
  }
});
