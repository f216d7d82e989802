import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getAccessToken } from '../../../src/integrations/hub/token-getter.ts';
import { checkConnection, healthCheckJob } from '../../../src/integrations/hub/health-check.ts';
import { systemMeta } from '../../../src/domain/context.ts';
import { makeTestApp } from '../../support/app.ts';
import { tokenChild as child } from '../../support/token-children.ts';
import { testEngine } from '../../support/database.ts';
import { connectZoom, startZoom, zoomCard, HOST_ID } from '../../support/zoom.ts';

const { sandbox, zoom } = await startZoom();
const t = await makeTestApp({ zoom });
const refreshes = async () => (await sandbox.control<{ counts: Record<string, number> }>('GET', '/calls')).json.counts['POST /oauth/token:refresh_token'] ?? 0;

test(
  'two Runframe processes asking for an expired token at once on PostgreSQL: exactly one refresh',
  { skip: testEngine() !== 'postgres' ? 'needs PostgreSQL: an embedded PGlite database has a single owning process' : false },
  async () => {
    const o = await t.owner();
    await connectZoom(t, o);
    t.clock.advance(3_600_000);
    try {
      const before = await refreshes();
      const key = t.deps.keyRing.keys.get(1)?.toString('base64') ?? '';
      const args = { url: t.database.url, key, secretKey: t.deps.secretKey, orgId: o.orgId, nowMs: t.clock.now().getTime(), count: 5, zoom: { ...zoom } };
      const [a, b, mine] = await Promise.all([child(args), child(args), Promise.all(Array.from({ length: 5 }, () => getAccessToken(t.deps, o.orgId, 'zoom')))]);
      assert.equal(new Set([...a, ...b, ...mine]).size, 1, 'every caller got the same fresh token');
      assert.equal((await refreshes()) - before, 1);
    } finally {
      // The later tests read the same clock.
      t.clock.advance(-3_600_000);
    }
  },
);

test('the periodic health check flips a broken connection to Reconnect required before an incident needs it', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  t.clock.advance(60_000);
  await healthCheckJob(t.deps)({ orgId: o.orgId, provider: 'zoom' });
  let card = await zoomCard(t, o);
  assert.equal(card.status, 'Connected');
  assert.match(card.html, /Ready for war rooms · checked just now/);

  // The grant is revoked at Zoom without a webhook: only a check can notice before an incident does.
  await sandbox.control('POST', `/users/${HOST_ID}/revoke-grants`, { notify: false });
  await healthCheckJob(t.deps)({ orgId: o.orgId, provider: 'zoom' });
  card = await zoomCard(t, o);
  assert.equal(card.status, 'Reconnect required');
  assert.match(card.html, /no longer accepts Runframe/);
  const audit = await t.api(o, 'GET', '/api/v1/audit-log?action=integration.health_checked');
  assert.equal(audit.json.entries.length, 1);
  assert.equal(audit.json.entries[0]?.metadata['ok'], false);
});

test('a Zoom outage during the check is reported on the card but does not break the connection', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  await sandbox.control('POST', '/faults', { endpoint: 'GET /v2/users/me', times: 1, fault: { kind: 'http', status: 503 } });
  await checkConnection(t.deps, systemMeta('t'), o.orgId, 'zoom', { userId: null, label: 'Runframe health check' });
  const card = await zoomCard(t, o);
  assert.equal(card.status, 'Connected');
  assert.match(card.html, /Zoom did not answer the check/);
});
