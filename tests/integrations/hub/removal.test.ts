import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { auditLog, integrationConnections } from '../../../src/platform/db/schema.ts';
import type { Member } from '../../support/app.ts';
import { holdsCredentials } from '../../../src/integrations/hub/credentials.ts';
import { connectZoom, declareSev1, HOST_ID, startZoomDelivering, WEBHOOK_SECRET, zoomCard } from '../../support/zoom.ts';
import { ALL_SCOPES, BASIC_ID } from '../../zoom-sandbox/helpers.ts';

// Removal as Zoom sends it (zoom-api.md §5.5): app_deauthorized names the app (client_id) and may
// ask for the user's data to be deleted (user_data_retention "false"); and every grant Runframe
// got and no longer uses is given back.
const { sandbox, t, delivered } = await startZoomDelivering();
// Each removal happens at its own moment, as at Zoom (deliveries are told apart by event_ts).
beforeEach(() => t.clock.advance(60_000));

interface Grant {
  userId: string;
  clientId: string;
  revokedAt: string | null;
}
const activeGrants = async (userId: string) =>
  (await sandbox.control<{ grants: Grant[] }>('GET', '/grants')).json.grants.filter((g) => g.userId === userId && g.clientId === 'rf-client' && g.revokedAt === null).length;
const connectionRows = (m: Member) => t.deps.db.select().from(integrationConnections).where(eq(integrationConnections.orgId, m.orgId));
const auditRows = (m: Member) => t.deps.db.select().from(auditLog).where(eq(auditLog.orgId, m.orgId));

/** The guide's "Remove Runframe from Zoom": Marketplace › Manage › Added Apps › Remove, optionally asking for deletion. */
async function removeInMarketplace(userId: string, clientId: string, deleteData: boolean) {
  const form = new URLSearchParams({ user: userId });
  if (deleteData) form.set('delete_data', 'yes');
  const r = await fetch(`${sandbox.url}/marketplace/manage/added-apps/${clientId}/remove`, { method: 'POST', body: form, redirect: 'manual' });
  assert.equal(r.status, 303);
  await delivered();
}

test('removed in Zoom with user_data_retention "false": credentials and the Zoom account data are deleted at once, the audit log says so, incidents keep their war rooms', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  const inc = await declareSev1(t, o, 'Kept after removal');
  const w = (await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/war-room`, {})).json.warRoom as unknown as { meetingId: string; joinUrl: string };
  const [connected] = await connectionRows(o);
  assert.equal(holdsCredentials(connected?.id ?? ''), true, 'the war room opened the credentials, and this process keeps them while in use');

  await removeInMarketplace(HOST_ID, 'rf-client', true);
  assert.equal(holdsCredentials(connected?.id ?? ''), false, 'no decrypted copy of dropped credentials stays in memory');
  const deliveries = (await sandbox.control<{ deliveries: { event: string; body: string; attempts: { status: number }[] }[] }>('GET', '/webhooks')).json.deliveries;
  const removal = deliveries.filter((d) => d.event === 'app_deauthorized').at(-1);
  assert.match(removal?.body ?? '', /"user_data_retention":"false"/);
  assert.equal(removal?.attempts.at(-1)?.status, 200);

  const [row] = await connectionRows(o);
  assert.ok(row, 'the card stays, as Reconnect required');
  assert.equal(row.status, 'reconnect_required');
  assert.equal(row.sealedCredentials, null, 'credentials dropped');
  assert.deepEqual([row.accountEmail, row.accountName, row.externalUserId, row.externalAccountId], ['', '', '', ''], 'no Zoom email, name or ids kept');
  const audits = await auditRows(o);
  assert.ok(audits.some((a) => a.action === 'integration.user_data_deleted'), 'the audit log records the deletion');
  const text = JSON.stringify(audits.map((a) => a.metadata));
  assert.doesNotMatch(text, /host@sandbox\.zoom\.test/, 'the account email is gone from the audit log too');
  const card = await zoomCard(t, o);
  assert.equal(card.status, 'Reconnect required');
  assert.match(card.html, /Deleted at Zoom's request/);

  const kept = (await t.api(o, 'GET', `/api/v1/incidents/${inc.id}/war-room`)).json as unknown as { warRoom: { meetingId: string; joinUrl: string } | null; history: { meetingId: string }[] };
  assert.equal(kept.warRoom?.meetingId, w.meetingId, 'the war room is incident history');
  assert.equal(kept.warRoom?.joinUrl, w.joinUrl);
});

test('Disconnect: no decrypted copy of the credentials stays in the process', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  const inc = await declareSev1(t, o, 'Disconnected after');
  assert.equal((await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/war-room`, {})).status, 201);
  const [row] = await connectionRows(o);
  assert.equal(holdsCredentials(row?.id ?? ''), true);
  await t.page(o, 'POST', '/integrations/zoom/disconnect', {});
  await delivered();
  assert.equal((await connectionRows(o)).length, 0, 'Not connected');
  assert.equal(holdsCredentials(row?.id ?? ''), false);
});

test('removed in Zoom without a deletion request: credentials dropped, the account shown for reconnecting', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  await removeInMarketplace(HOST_ID, 'rf-client', false);
  const [row] = await connectionRows(o);
  assert.equal(row?.status, 'reconnect_required');
  assert.equal(row?.sealedCredentials, null);
  assert.equal(row?.accountEmail, 'host@sandbox.zoom.test');
  assert.ok(!(await auditRows(o)).some((a) => a.action === 'integration.user_data_deleted'));
});

test('a removal of another app (another client_id) on the same endpoint changes nothing', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  // Another app of the same Zoom account, delivering to the same endpoint with the same secret.
  await sandbox.sandbox.registerApp({
    name: 'Other app',
    clientId: 'other-client',
    clientSecret: 'other-secret',
    redirectUris: ['http://other.test/callback'],
    scopes: ALL_SCOPES,
    webhookUrl: 'http://runframe.test/webhooks/zoom',
    webhookSecretToken: WEBHOOK_SECRET,
  });
  const authorize = new URLSearchParams({ response_type: 'code', client_id: 'other-client', redirect_uri: 'http://other.test/callback', state: 's' });
  const consent = await (await fetch(`${sandbox.url}/oauth/authorize?${authorize}`)).text();
  const form = new URLSearchParams();
  for (const m of consent.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.append(m[1] ?? '', (m[2] ?? '').replace(/&amp;/g, '&'));
  form.set('user_id', HOST_ID);
  for (const s of ALL_SCOPES) form.append('scope', s);
  form.set('decision', 'allow');
  const decided = await fetch(`${sandbox.url}/oauth/authorize/decision`, { method: 'POST', body: form, redirect: 'manual' });
  const code = new URL(decided.headers.get('location') ?? '').searchParams.get('code') ?? '';
  const exchanged = await fetch(`${sandbox.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('other-client:other-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: 'http://other.test/callback' }),
  });
  assert.equal(exchanged.status, 200, 'the other app holds a grant of the same Zoom user');

  await removeInMarketplace(HOST_ID, 'other-client', true);
  const delivery = (await sandbox.control<{ deliveries: { event: string; body: string; attempts: { status: number }[] }[] }>('GET', '/webhooks')).json.deliveries.filter((d) => d.event === 'app_deauthorized').at(-1);
  assert.match(delivery?.body ?? '', /"client_id":"other-client"/);
  assert.equal(delivery?.attempts.at(-1)?.status, 200, 'acknowledged');
  const [row] = await connectionRows(o);
  assert.equal(row?.status, 'connected');
  assert.equal(row?.accountEmail, 'host@sandbox.zoom.test');
  assert.equal((await zoomCard(t, o)).status, 'Connected');
});

test('a removal for a connection already disconnected in Runframe is acknowledged and still deletes what Runframe kept', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  // Runframe's revoke fails, so Runframe is still listed in Zoom after Disconnect.
  await sandbox.control('POST', '/faults', { endpoint: 'POST /oauth/revoke', times: 1, fault: { kind: 'http', status: 500 } });
  await t.page(o, 'POST', '/integrations/zoom/disconnect', {});
  assert.equal((await connectionRows(o)).length, 0);
  assert.match(JSON.stringify((await auditRows(o)).map((a) => a.metadata)), /host@sandbox\.zoom\.test/);

  await removeInMarketplace(HOST_ID, 'rf-client', true);
  const delivery = (await sandbox.control<{ deliveries: { event: string; attempts: { status: number }[] }[] }>('GET', '/webhooks')).json.deliveries.filter((d) => d.event === 'app_deauthorized').at(-1);
  assert.equal(delivery?.attempts.at(-1)?.status, 200);
  const audits = await auditRows(o);
  assert.doesNotMatch(JSON.stringify(audits.map((a) => a.metadata)), /host@sandbox\.zoom\.test/);
  assert.ok(audits.some((a) => a.action === 'integration.user_data_deleted'));
});

test('reconnecting as another Zoom user revokes the first user\'s grant at Zoom; Disconnect then leaves Runframe in neither account', async () => {
  const o = await t.owner();
  await connectZoom(t, o, { userId: HOST_ID });
  assert.equal(await activeGrants(HOST_ID), 1);
  assert.equal((await connectZoom(t, o, { userId: BASIC_ID })).result, 'connected');
  await delivered();
  assert.equal(await activeGrants(HOST_ID), 0, 'the first user no longer lists Runframe under Manage › Added Apps');
  assert.equal(await activeGrants(BASIC_ID), 1);
  assert.equal((await zoomCard(t, o)).status, 'Connected', 'the removal Zoom reports for the first user does not touch the new connection');
  await t.page(o, 'POST', '/integrations/zoom/disconnect', {});
  await delivered();
  assert.equal(await activeGrants(BASIC_ID), 0);
  assert.equal(await activeGrants(HOST_ID), 0);
});

test('two Admins connecting different Zoom users at the same moment: one connection wins, the losing grant is revoked at Zoom', async () => {
  const o = await t.owner();
  const admin = await t.member(o, 'admin', 'Second Admin');
  const [a, b] = await Promise.all([connectZoom(t, o, { userId: HOST_ID, stopAtCallback: true }), connectZoom(t, admin, { userId: BASIC_ID, stopAtCallback: true })]);
  const finish = (m: Member, cb: URL) => t.page(m, 'GET', cb.pathname + cb.search);
  await Promise.all([finish(o, a.callback), finish(admin, b.callback)]);
  await delivered();
  const [row] = await connectionRows(o);
  assert.equal(row?.status, 'connected');
  const winner = row?.externalUserId;
  const loser = winner === HOST_ID ? BASIC_ID : HOST_ID;
  assert.equal(await activeGrants(winner ?? ''), 1);
  assert.equal(await activeGrants(loser), 0, 'no grant left authorized that Runframe does not hold');
});
