import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../../src/platform/db/client.ts';
import { changeMemberRole } from '../../../src/domain/orgs/change-member-role.ts';
import { makeTestApp } from '../../support/app.ts';
import { connectZoom, startZoom, zoomCard } from '../../support/zoom.ts';

const { sandbox, zoom } = await startZoom();
const t = await makeTestApp({ zoom });

const codeExchanges = async () => (await sandbox.control<{ counts: Record<string, number> }>('GET', '/calls')).json.counts['POST /oauth/token:authorization_code'] ?? 0;
const connections = async (orgId: string) => queryRows(t.deps.db, sql`select id from integration_connections where org_id = ${orgId}`);

test('an Admin demoted between Connect and the callback is refused with 403, and nothing is stored or exchanged', async () => {
  const o = await t.owner();
  const admin = await t.member(o, 'admin', 'Adam Admin');
  const flow = await connectZoom(t, admin, { stopAtCallback: true });
  await changeMemberRole({ ctx: t.ctxFor(o), userId: admin.userId, input: { role: 'responder' } });
  const before = await codeExchanges();

  const back = await t.page({ ...admin, role: 'responder' }, 'GET', flow.callback.pathname + flow.callback.search);
  assert.equal(back.status, 403);
  const text = back.text.replace(/&#39;|&rsquo;/g, "'");
  assert.match(text, /Your role no longer allows managing integrations in this organization, so Zoom was not connected and nothing was stored\./);
  assert.match(text, /Ask an Owner or Admin to connect Zoom\./);
  assert.equal((await codeExchanges()) - before, 0, 'the code was never exchanged');
  assert.equal((await connections(o.orgId)).length, 0);
  assert.equal((await zoomCard(t, o)).status, 'Not connected');
  const audit = await t.api(o, 'GET', '/api/v1/audit-log?action=integration.connected');
  assert.equal(audit.json.entries.length, 0);

  // The state was used up; an Admin again, the same link does not connect either.
  await changeMemberRole({ ctx: t.ctxFor(o), userId: admin.userId, input: { role: 'admin' } });
  const replay = await t.page(admin, 'GET', flow.callback.pathname + flow.callback.search);
  assert.match(replay.headers.get('location') ?? '', /result=state/);
  assert.equal((await connectZoom(t, admin)).result, 'connected', 'a fresh Connect works');
});
