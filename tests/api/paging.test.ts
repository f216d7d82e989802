import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eq } from 'drizzle-orm';
import { apiTokens } from '../../src/platform/db/schema.ts';
import { queryRows } from '../../src/platform/db/client.ts';
import { makeTestApp } from '../support/app.ts';

const t = await makeTestApp();

type ListJson = { incidents: { number: number; title: string; active: boolean }[]; total: number; totalCapped: boolean; nextCursor: string | null; prevCursor: string | null };
type TimelineJson = { entries: { body: string }[]; nextCursor: string | null; prevCursor: string | null };

test('the incident list pages by cursor: active first, newest first, every incident once, back and forth', async () => {
  const o = await t.owner();
  for (let i = 1; i <= 7; i++) await t.api(o, 'POST', '/api/v1/incidents', { title: `Incident ${i}` });
  for (const n of [2, 5]) await t.api(o, 'POST', `/api/v1/incidents/${n}/status`, { status: 'resolved' });
  const seen: string[] = [];
  let cursor: string | null = null;
  const pages: ListJson[] = [];
  do {
    const r = await t.api(o, 'GET', `/api/v1/incidents?perPage=3${cursor ? `&after=${cursor}` : ''}`);
    assert.equal(r.status, 200);
    const page = JSON.parse(r.text) as ListJson;
    pages.push(page);
    seen.push(...page.incidents.map((i) => i.title));
    cursor = page.nextCursor;
  } while (cursor !== null);
  assert.deepEqual(seen, ['Incident 7', 'Incident 6', 'Incident 4', 'Incident 3', 'Incident 1', 'Incident 5', 'Incident 2']);
  assert.equal(pages.length, 3);
  assert.equal(pages[0]?.prevCursor, null, 'the first page has nothing before it');
  assert.equal(pages[0]?.total, 7);
  // Back from the last page: the page before it, in the same order.
  const back = JSON.parse((await t.api(o, 'GET', `/api/v1/incidents?perPage=3&before=${pages[2]?.prevCursor}`)).text) as ListJson;
  assert.deepEqual(back.incidents.map((i) => i.title), ['Incident 3', 'Incident 1', 'Incident 5']);
  // Filters page the same way.
  const active = JSON.parse((await t.api(o, 'GET', '/api/v1/incidents?status=active&perPage=4')).text) as ListJson;
  assert.deepEqual(active.incidents.map((i) => i.title), ['Incident 7', 'Incident 6', 'Incident 4', 'Incident 3']);
  const rest = JSON.parse((await t.api(o, 'GET', `/api/v1/incidents?status=active&perPage=4&after=${active.nextCursor}`)).text) as ListJson;
  assert.deepEqual(rest.incidents.map((i) => i.title), ['Incident 1']);
  assert.equal(rest.nextCursor, null);
});

test('the incident list page links to older and newer incidents, without counting past 1000', async () => {
  const o = await t.owner();
  for (let i = 1; i <= 30; i++) await t.api(o, 'POST', '/api/v1/incidents', { title: `Listed ${i}` });
  const first = await t.page(o, 'GET', '/incidents');
  assert.match(first.text, /30 incidents/);
  assert.doesNotMatch(first.text, /Newer incidents/);
  const older = /href="(\/incidents\?after=\d+)">Older incidents/.exec(first.text)?.[1];
  assert.ok(older, 'a link to the older incidents');
  const second = await t.page(o, 'GET', older.replace(/&amp;/g, '&'));
  assert.match(second.text, /Listed 5</);
  assert.doesNotMatch(second.text, /Listed 6</, 'page 1 shows 30..6, page 2 the rest');
  assert.match(second.text, /Newer incidents/);
  const bad = await t.api(o, 'GET', '/api/v1/incidents?after=yesterday');
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.fields[0]?.field, 'after');
  // Beyond the cap the total is a lower bound, and says so.
  await t.database.db.execute(
    // Seeded in SQL: declaring 1,001 incidents one by one would only slow the suite down.
    (await import('drizzle-orm')).sql`insert into incidents (id, org_id, number, title, severity, status, created_at, updated_at)
      select gen_random_uuid(), ${o.orgId}, 1000 + g, 'Bulk ' || g, 'SEV3', 'closed', now(), now() from generate_series(1, 1000) g`,
  );
  const big = JSON.parse((await t.api(o, 'GET', '/api/v1/incidents')).text) as ListJson;
  assert.equal(big.total, 1000);
  assert.equal(big.totalCapped, true);
  assert.match((await t.page(o, 'GET', '/incidents')).text, /More than 1,000 incidents/);
});

test('the timeline API pages with a limit and cursors; the incident page shows the newest entries and links to earlier ones', async () => {
  const o = await t.owner();
  const inc = (await t.api(o, 'POST', '/api/v1/incidents', { title: 'Long one' })).json.incident;
  for (let i = 1; i <= 60; i++) await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/notes`, { body: `Note ${i}` });
  const p1 = JSON.parse((await t.api(o, 'GET', `/api/v1/incidents/${inc.id}/timeline?limit=25`)).text) as TimelineJson;
  assert.equal(p1.entries.length, 25);
  assert.equal(p1.entries[0]?.body.startsWith('Declared'), true, 'oldest first');
  assert.equal(p1.prevCursor, null);
  const p2 = JSON.parse((await t.api(o, 'GET', `/api/v1/incidents/${inc.id}/timeline?limit=25&after=${p1.nextCursor}`)).text) as TimelineJson;
  assert.equal(p2.entries[0]?.body, 'Note 25');
  const earlier = JSON.parse((await t.api(o, 'GET', `/api/v1/incidents/${inc.id}/timeline?limit=5&before=${p2.prevCursor}`)).text) as TimelineJson;
  assert.deepEqual(earlier.entries.map((e) => e.body), ['Note 20', 'Note 21', 'Note 22', 'Note 23', 'Note 24']);
  assert.equal((await t.api(o, 'GET', `/api/v1/incidents/${inc.id}/timeline?limit=501`)).status, 400);
  // Nothing new yet after the last entry: an empty page that keeps the cursor.
  const all = JSON.parse((await t.api(o, 'GET', `/api/v1/incidents/${inc.id}/timeline?limit=500`)).text) as TimelineJson;
  const none = JSON.parse((await t.api(o, 'GET', `/api/v1/incidents/${inc.id}/timeline?after=${all.nextCursor}`)).text) as TimelineJson;
  assert.deepEqual(none.entries, []);
  assert.equal(none.nextCursor, all.nextCursor);

  const page = await t.page(o, 'GET', `/incidents/${inc.number}`);
  assert.match(page.text, /Note 60/);
  assert.doesNotMatch(page.text, /Declared INC-/, 'the oldest entry is not on the first window');
  const link = /href="([^"]+)" id="timeline-earlier"/.exec(page.text)?.[1];
  assert.ok(link, 'a plain link to the earlier entries');
  const before = await t.page(o, 'GET', link.replace(/#.*/, ''));
  assert.match(before.text, /Declared INC-/);
  assert.doesNotMatch(before.text, /Note 60/);
  assert.match(before.text, /Show the latest entries/);
});

test('an API token records when it was last used, at most once a minute', async () => {
  const o = await t.owner();
  const lastUsed = async () => (await t.database.db.select({ at: apiTokens.lastUsedAt }).from(apiTokens).where(eq(apiTokens.userId, o.userId)))[0]?.at ?? null;
  await t.api(o, 'GET', '/api/v1/incidents');
  const first = await lastUsed();
  assert.ok(first);
  t.clock.advance(30_000);
  await t.api(o, 'GET', '/api/v1/incidents');
  assert.equal((await lastUsed())?.getTime(), first.getTime(), 'within the minute: no write');
  t.clock.advance(31_000);
  await t.api(o, 'GET', '/api/v1/incidents');
  assert.equal((await lastUsed())?.getTime(), first.getTime() + 61_000, 'a minute later: written again');
});

test('an index serves the list order for each filter, so page 1 never sorts the organization', async () => {
  const { sql } = await import('drizzle-orm');
  const o = await t.owner();
  // A tiny table is cheaper to sort, so the planner is told sorting is off: an index that serves the order is then used.
  const plan = (where: ReturnType<typeof sql>) =>
    t.database.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_sort = off`);
      const rows = await queryRows(tx, sql`explain select id from incidents where org_id = ${o.orgId} ${where} order by list_key desc limit 26`);
      return rows.map((r) => String(Object.values(r)[0])).join('\n');
    });
  for (const [where, index] of [
    [sql``, 'incidents_org_list_idx'],
    [sql`and list_key >= 10000000000`, 'incidents_org_list_idx'],
    [sql`and status = 'fixing'`, 'incidents_org_status_list_idx'],
    [sql`and severity = 'SEV1'`, 'incidents_org_severity_list_idx'],
  ] as const) {
    const p = await plan(where);
    assert.match(p, new RegExp(`Index (Only )?Scan using ${index}`), p);
    assert.doesNotMatch(p, /Sort/, p);
  }
});
