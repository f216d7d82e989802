import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { changeMemberRole } from '../../src/domain/orgs/change-member-role.ts';
import { removeMember } from '../../src/domain/orgs/remove-member.ts';
import { renderMetrics } from '../../src/platform/metrics.ts';
import { makeTestApp, type Member } from '../support/app.ts';
import { connectZoom, startZoom } from '../support/zoom.ts';
import { testEngine } from '../support/database.ts';

// The incident page is kept per incident and role and served again while its stamp, read with the
// session in one statement, is unchanged (docs/decisions/0006, "The incident page from a stamp").
// Each test views a page first, so that a kept copy exists, then changes one thing the page shows
// and expects the next view to show it.

const { zoom } = await startZoom();
const t = await makeTestApp({ zoom });

const view = async (m: Member, ref: string | number) => {
  const r = await t.page(m, 'GET', `/incidents/${ref}`);
  assert.equal(r.status, 200, r.text.slice(0, 300));
  return r.text;
};
const declare = async (m: Member, title: string) => (await t.api(m, 'POST', '/api/v1/incidents', { title, severity: 'SEV2' })).json.incident;
const served = (outcome: 'hit' | 'miss') => Number(new RegExp(`^runframe_incident_page_cache_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(renderMetrics())?.[1] ?? 0);
const csrfTokens = (html: string) => new Set([...html.matchAll(/name="_csrf" value="([^"]*)"/g)].map((m) => m[1]));
const leadOptions = (html: string) => [...(/<select id="lead" name="leadUserId">([\s\S]*?)<\/select>/.exec(html)?.[1] ?? '').matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]);
/** The live-update position a page starts its stream at moves with every change anywhere (PostgreSQL's notifications arrive when they do). */
const withoutPosition = (html: string) => html.replace(/live\?since=[^"]+"/, 'live?since=…"');
/** Resolves once this process has heard that the incident changed after `since` (as tests/api/live-updates.test.ts). */
const heard = (incidentId: string, since: string) =>
  new Promise<void>((resolve) => {
    const stop = t.live.watch(incidentId, () => (stop(), resolve()));
    if (t.live.changedSince(incidentId, since)) (stop(), resolve());
  });
const warRoomState = (html: string) => /id="war-room-body"[^>]*data-state="([^"]+)"/.exec(html)?.[1];

test('a page viewed again unchanged is served from the kept copy, with the viewer’s own form token and the current live position', async () => {
  const o = await t.owner();
  const inc = await declare(o, 'Kept page');
  const first = await view(o, inc.number);
  const hits = served('hit');
  const again = await view(o, inc.number);
  assert.equal(served('hit'), hits + 1, 'the second view was served from the kept copy');
  assert.equal(withoutPosition(again), withoutPosition(first));
  assert.deepEqual(csrfTokens(again), new Set([o.csrf]));

  // Another session of the same person gets its own token in every form, and its forms work.
  const other = { ...o, ...(await t.sessionFor(o.userId, o.orgId)) };
  assert.notEqual(other.csrf, o.csrf);
  const theirs = await view(other, inc.number);
  assert.deepEqual(csrfTokens(theirs), new Set([other.csrf]));
  assert.equal(withoutPosition(theirs.replaceAll(other.csrf, o.csrf)), withoutPosition(first));
  const posted = await t.page(other, 'POST', `/incidents/${inc.number}/notes`, { body: 'From the kept page' });
  assert.equal(posted.status, 303, posted.text.slice(0, 300));
  assert.match(await view(o, inc.number), /From the kept page/);

  // The live stream's starting position is the one at this view, not the one the copy was made at.
  const elsewhere = await declare(o, 'Something else changes');
  const position = t.live.position();
  await t.api(o, 'POST', `/api/v1/incidents/${elsewhere.id}/notes`, { body: 'elsewhere' });
  await heard(elsewhere.id, position);
  // The kept copy was rendered before `position`; the page served now carries a later one.
  const counter = (p: string | undefined) => Number(/-(\d+)$/.exec(decodeURIComponent(p ?? ''))?.[1] ?? NaN);
  const since = /live\?since=([^"]+)"/.exec(await view(o, inc.number))?.[1];
  assert.ok(counter(since) > counter(position), `${since} is after ${position}`);
});

test('every change to what the page shows is on the next view: fields, notes, status, lead, members', async () => {
  const o = await t.owner();
  const r = await t.member(o, 'responder', 'Rita Responder');
  const inc = await declare(o, 'Before the change');
  await view(o, inc.number);

  const etag = (await t.api(o, 'GET', `/api/v1/incidents/${inc.id}`)).headers.get('etag') ?? '';
  assert.equal((await t.api(o, 'PATCH', `/api/v1/incidents/${inc.id}`, { title: 'After the change', summary: 'Payments fail in EU' }, { 'if-match': etag })).status, 200);
  let page = await view(o, inc.number);
  assert.match(page, /<h1>INC-\d+ After the change<\/h1>/);
  assert.match(page, /Payments fail in EU/);

  await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/notes`, { body: 'Rolled back the deploy' });
  assert.match(await view(o, inc.number), /Rolled back the deploy/);

  assert.equal((await t.page(o, 'POST', `/incidents/${inc.number}/status`, { status: 'fixing' })).status, 303);
  assert.match(await view(o, inc.number), /<dt>Status<\/dt><dd>Fixing<\/dd>/);

  assert.equal((await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/lead`, { leadUserId: r.userId })).status, 200);
  page = await view(o, inc.number);
  assert.match(page, /<dt>Lead<\/dt><dd>Rita Responder<\/dd>/);

  // The lead list follows the organization's members: someone joining, a role change, a removal.
  const joined = await t.member(o, 'admin', 'Adam Admin');
  assert.ok(leadOptions(await view(o, inc.number)).includes(joined.userId));
  await changeMemberRole({ ctx: t.ctxFor(o), userId: joined.userId, input: { role: 'viewer' } });
  assert.ok(!leadOptions(await view(o, inc.number)).includes(joined.userId), 'a Viewer cannot lead');
  await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/lead`, { leadUserId: null });
  await removeMember({ ctx: t.ctxFor(o), userId: r.userId });
  assert.ok(!leadOptions(await view(o, inc.number)).includes(r.userId), 'a removed member is not offered');
});

test('the war-room section follows its connection and its war room, and a war room expires on time', async () => {
  const o = await t.owner();
  const inc = await declare(o, 'War room changes');
  assert.match(await view(o, inc.number), /War rooms come with a connected video provider|Connect Zoom|Integrations Hub/);
  assert.doesNotMatch(await view(o, inc.number), /id="war-room-create"/);

  await connectZoom(t, o);
  assert.match(await view(o, inc.number), /id="war-room-create"/, 'connecting Zoom offers Create War Room');

  assert.equal((await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/war-room`, {})).status, 201);
  let page = await view(o, inc.number);
  assert.equal(warRoomState(page), 'active');
  assert.match(page, /Join Zoom war room/);

  // Nothing is written when a war room's time runs out: the page must notice the time itself.
  t.clock.advance(25 * 3_600_000);
  page = await view(o, inc.number);
  assert.equal(warRoomState(page), 'none');
  assert.match(page, /Earlier war rooms \(1\)/);
  assert.match(page, /— expired/);
});

test('a Viewer never gets a page kept for an Owner, nor the other way round', async () => {
  const o = await t.owner();
  const v = await t.member(o, 'viewer', 'Vic Viewer');
  const inc = await declare(o, 'Roles');
  assert.match(await view(o, inc.number), /Change status/);
  const viewerPage = await view(v, inc.number);
  assert.doesNotMatch(viewerPage, /Change status|Add note/);
  assert.match(viewerPage, /Vic Viewer/);
  assert.doesNotMatch(viewerPage, /Olivia Owner<\/span><form/);
  assert.match(await view(o, inc.number), /Change status/);
  assert.match(await view(v, inc.number), /Vic Viewer/);
});

test('a change written straight into the database, by another process or by hand, is on the next view', async () => {
  const o = await t.owner();
  await connectZoom(t, o);
  const inc = await declare(o, 'Written elsewhere');
  assert.equal((await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/war-room`, {})).status, 201);
  const run = async (statement: string) => {
    if (t.database.url) {
      // Another connection, as another Runframe process would have.
      const client = new pg.Client({ connectionString: t.database.url });
      await client.connect();
      await client.query(statement);
      await client.end();
    } else await t.deps.db.execute(sql.raw(statement));
  };
  await view(o, inc.number);
  await run(`update incidents set title = 'Renamed by an operator' where id = '${inc.id}'`);
  assert.match(await view(o, inc.number), /<h1>INC-\d+ Renamed by an operator<\/h1>/);
  // Each of these touches one table only, as no Runframe write does.
  await run(`insert into timeline_entries (id, org_id, incident_id, kind, actor_label, body, created_at) values (gen_random_uuid(), '${o.orgId}', '${inc.id}', 'note', 'Ops', 'Written by hand', now())`);
  assert.match(await view(o, inc.number), /Written by hand/);
  await run(`update war_rooms set live_status = 'live' where incident_id = '${inc.id}'`);
  assert.match(await view(o, inc.number), /<span class="badge live-live"/);
});

test('a page by id, and earlier timeline windows, are served too (the id by its own stamp, the window fresh)', async () => {
  const o = await t.owner();
  const inc = await declare(o, 'By id');
  const byNumber = await view(o, inc.number);
  const byId = await view(o, inc.id);
  assert.equal(withoutPosition(byId), withoutPosition(byNumber));
  await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/notes`, { body: 'Seen by id' });
  assert.match(await view(o, inc.id), /Seen by id/);
  const earlier = await t.page(o, 'GET', `/incidents/${inc.number}?before=999999`);
  assert.equal(earlier.status, 200);
  assert.match(earlier.text, /Seen by id/);
});

test(
  'an entry whose transaction took its place in the timeline first but commits last is on the next view (PostgreSQL)',
  { skip: testEngine() !== 'postgres' ? 'needs PostgreSQL: two transactions open at once, which one PGlite connection cannot have' : false },
  async () => {
    const o = await t.owner();
    const inc = await declare(o, 'Late commit');
    await view(o, inc.number);
    // Two other processes add entries to the timeline alone (as the war-room jobs do). The first
    // takes its sequence number, then stays open while the second, with a higher number, commits.
    const insert = `insert into timeline_entries (id, org_id, incident_id, kind, actor_label, body, created_at) values (gen_random_uuid(), $1, $2, 'note', 'Ops', $3, now())`;
    const [slow, quick] = [new pg.Client({ connectionString: t.database.url ?? '' }), new pg.Client({ connectionString: t.database.url ?? '' })];
    await Promise.all([slow.connect(), quick.connect()]);
    await slow.query('begin');
    await slow.query(insert, [o.orgId, inc.id, 'Committed last']);
    await quick.query(insert, [o.orgId, inc.id, 'Committed first']);
    assert.match(await view(o, inc.number), /Committed first/);
    assert.doesNotMatch(await view(o, inc.number), /Committed last/);
    await slow.query('commit');
    await Promise.all([slow.end(), quick.end()]);
    assert.match(await view(o, inc.number), /Committed last/);
  },
);
