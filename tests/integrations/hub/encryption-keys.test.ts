// ENCRYPTION_KEYS and the sealed Zoom credentials: key rotation (old blobs stay readable and are
// re-sealed under the current key at the next refresh), and a key version that is no longer
// configured (Reconnect required with the reason, Disconnect still works, restoring the key helps).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { eq } from 'drizzle-orm';
import type { KeyRing } from '../../../src/platform/crypto.ts';
import { integrationConnections } from '../../../src/platform/db/schema.ts';
import { getAccessToken } from '../../../src/integrations/hub/token-getter.ts';
import { AppError } from '../../../src/shared/errors.ts';
import { makeTestApp, type Member } from '../../support/app.ts';
import { connectZoom, startZoom, zoomCard } from '../../support/zoom.ts';

const { sandbox, zoom } = await startZoom();
const t = await makeTestApp({ zoom });
const KEYS = new Map([
  [1, t.deps.keyRing.keys.get(1) ?? randomBytes(32)],
  [2, randomBytes(32)],
]);
/** What ENCRYPTION_KEYS would say: the current version and the versions listed. */
const useKeys = (current: number, ...versions: number[]) => {
  const ring: KeyRing = { current, keys: new Map(versions.map((v) => [v, KEYS.get(v) ?? randomBytes(32)])) };
  t.deps.keyRing = ring;
};

const counts = async () => (await sandbox.control<{ counts: Record<string, number> }>('GET', '/calls')).json.counts;
const refreshes = async () => (await counts())['POST /oauth/token:refresh_token'] ?? 0;
const revokes = async () => (await counts())['POST /oauth/revoke'] ?? 0;
const keyVersionOf = async (orgId: string) => (await t.deps.db.select().from(integrationConnections).where(eq(integrationConnections.orgId, orgId)))[0]?.keyVersion;
const audit = async (o: Member, action: string) => (await t.api(o, 'GET', `/api/v1/audit-log?action=${action}&perPage=100`)).json.entries;
const REASON = 'Runframe can no longer read the stored Zoom credentials (encryption key version 1 is not configured). Reconnect Zoom, or restore the key.';

test('key rotation: credentials sealed under v1 keep working when v2 is current, and are re-sealed as v2 at the next refresh', async () => {
  useKeys(1, 1);
  const o = await t.owner();
  await connectZoom(t, o);
  assert.equal(await keyVersionOf(o.orgId), 1);

  useKeys(2, 1, 2);
  const before = await refreshes();
  assert.ok(await getAccessToken(t.deps, o.orgId, 'zoom'));
  assert.match((await t.page(o, 'POST', '/integrations/zoom/test', {})).headers.get('location') ?? '', /result=checked/);
  assert.equal((await refreshes()) - before, 0, 'no refresh was needed to read them');
  assert.equal(await keyVersionOf(o.orgId), 1, 'nothing is re-sealed without a reason to write');

  t.clock.advance(3_600_000);
  try {
    const token = await getAccessToken(t.deps, o.orgId, 'zoom');
    assert.equal((await refreshes()) - before, 1);
    assert.equal(await keyVersionOf(o.orgId), 2, 'the refreshed credentials are sealed under the current key');
    // v1 can now be retired: the connection no longer needs it.
    useKeys(2, 2);
    assert.equal(await getAccessToken(t.deps, o.orgId, 'zoom'), token);
    assert.equal((await zoomCard(t, o)).status, 'Connected');
  } finally {
    t.clock.advance(-3_600_000);
  }
});

test('a key version missing from ENCRYPTION_KEYS: the token getter marks Reconnect required with the reason; restoring the key brings the connection back', async () => {
  useKeys(1, 1);
  const o = await t.owner();
  await connectZoom(t, o);
  useKeys(2, 2);
  await assert.rejects(getAccessToken(t.deps, o.orgId, 'zoom'), (e: unknown) => e instanceof AppError && e.code === 'needs_reconnect' && e.message.includes(REASON));
  const card = await zoomCard(t, o);
  assert.equal(card.status, 'Reconnect required');
  assert.ok(card.html.includes(REASON), 'the card gives the reason');
  const entries = await audit(o, 'integration.reconnect_required');
  assert.equal(entries.length, 1);
  assert.equal(entries[0]?.actor, 'Runframe');
  assert.equal(entries[0]?.metadata['reason'], REASON);

  // Still missing: testing again says so, without an error page.
  const still = await t.page(o, 'POST', '/integrations/zoom/test', {});
  assert.match(still.headers.get('location') ?? '', /result=check_failed/);
  assert.equal((await zoomCard(t, o)).status, 'Reconnect required');

  // The key is back in ENCRYPTION_KEYS: Test connection finds the same grant working.
  useKeys(2, 1, 2);
  const back = await t.page(o, 'POST', '/integrations/zoom/test', {});
  assert.match(back.headers.get('location') ?? '', /result=checked/);
  const restored = await zoomCard(t, o);
  assert.equal(restored.status, 'Connected');
  assert.match(restored.html, /Ready for war rooms · checked just now/);
  assert.equal((await audit(o, 'integration.restored')).length, 1);
});

test('a key version missing from ENCRYPTION_KEYS: the health check shows Reconnect required with the reason, not an internal error', async () => {
  useKeys(1, 1);
  const o = await t.owner();
  await connectZoom(t, o);
  useKeys(2, 2);
  const r = await t.page(o, 'POST', '/integrations/zoom/test', {});
  assert.equal(r.status, 303, r.text.slice(0, 300));
  assert.match(r.headers.get('location') ?? '', /result=check_failed/);
  const card = await zoomCard(t, o);
  assert.equal(card.status, 'Reconnect required');
  assert.ok(card.html.includes(REASON));
  assert.equal((await audit(o, 'integration.health_checked')).length, 1);
});

test('a key version missing from ENCRYPTION_KEYS: Disconnect still drops the connection, skips the revoke and records why; Connect works again', async () => {
  useKeys(1, 1);
  const o = await t.owner();
  await connectZoom(t, o);
  useKeys(2, 2);
  const before = await revokes();
  const r = await t.page(o, 'POST', '/integrations/zoom/disconnect', {});
  assert.equal(r.status, 303, r.text.slice(0, 300));
  assert.match(r.headers.get('location') ?? '', /result=disconnected/);
  assert.equal((await zoomCard(t, o)).status, 'Not connected');
  assert.equal((await revokes()) - before, 0, 'nothing to revoke with');
  assert.equal((await audit(o, 'integration.disconnected')).length, 1);
  const failed = await audit(o, 'integration.revoke_failed');
  assert.equal(failed.length, 1);
  assert.equal(failed[0]?.metadata['failure'], 'encryption_key_missing');
  assert.match(String(failed[0]?.metadata['note']), /could not be read \(encryption key version 1 is not configured\)/);
  assert.equal((await connectZoom(t, o)).result, 'connected');
  assert.equal(await keyVersionOf(o.orgId), 2);
});
