import assert from 'node:assert/strict';
import { test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { auditLog, jobs } from '../../src/platform/db/schema.ts';
import { runOneJob } from '../../src/platform/jobs/queue.ts';
import { warRoomJobs } from '../../src/jobs/war-rooms.ts';
import { AUTO_CREATE_JOB } from '../../src/domain/war-rooms/automation.ts';
import { END_MEETING_JOB, ENDING_MEETING_NOTE } from '../../src/domain/war-rooms/end-war-rooms.ts';
import { makeTestApp, type Member } from '../support/app.ts';
import { connectZoom, startZoom } from '../support/zoom.ts';

// PATCH /api/v1/incidents/{id}: the API changes an incident the way its page does (same rules,
// timeline, audit, automation, war rooms), and If-Match keeps two clients from overwriting each other.
const { sandbox, zoom } = await startZoom();
const t = await makeTestApp({ zoom });
const owner = await t.owner();
const responder = await t.member(owner, 'responder', 'Rita Responder');
const viewer = await t.member(owner, 'viewer', 'Vic Viewer');

let n = 0;
const declare = async (m: Member = owner, body: Record<string, unknown> = {}) => {
  const r = await t.api(m, 'POST', '/api/v1/incidents', { title: `Patch me ${++n}`, severity: 'SEV3', ...body });
  assert.equal(r.status, 201, r.text);
  return r.json.incident;
};
const read = (m: Member, id: string) => t.api(m, 'GET', `/api/v1/incidents/${id}`);
const etag = async (m: Member, id: string) => (await read(m, id)).headers.get('etag') ?? '';
const patch = (m: Member, id: string, body: unknown, ifMatch?: string) => t.api(m, 'PATCH', `/api/v1/incidents/${id}`, body, ifMatch === undefined ? {} : { 'if-match': ifMatch });
/** Reads the ETag, then patches with it: a client that looked before it changed. */
const patchFresh = async (m: Member, id: string, body: unknown) => patch(m, id, body, await etag(m, id));
const timeline = async (id: string, m: Member = owner) => (await t.api(m, 'GET', `/api/v1/incidents/${id}/timeline`)).json.entries;
const audits = (incidentId: string, action: string) =>
  t.deps.db.select().from(auditLog).where(and(eq(auditLog.targetId, incidentId), eq(auditLog.action, action)));

test('GET sends the incident’s version as a strong ETag, and the body carries the same version', async () => {
  const inc = await declare();
  const r = await read(owner, inc.id);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('etag'), `"${r.json.incident.version}"`);
  assert.equal(r.json.incident.version, 1, 'a new incident is at version 1');
  assert.equal((await read(owner, inc.reference)).headers.get('etag'), '"1"', 'the same by INC reference');
});

test('title: changed, on the timeline with before and after, audited, and the new ETag comes back', async () => {
  const inc = await declare();
  const r = await patchFresh(responder, inc.reference, { title: '  Checkout down in EU  ' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.incident.title, 'Checkout down in EU', 'trimmed, as the declare form does');
  assert.equal(r.headers.get('etag'), `"${r.json.incident.version}"`);
  assert.equal(r.json.incident.version, 2);
  const entry = (await timeline(inc.id)).find((e) => e.kind === 'title_changed');
  assert.equal(entry?.body, `Title changed from “${inc.title}” to “Checkout down in EU”`);
  assert.equal(entry?.actor, 'Rita Responder');
  const [row] = await audits(inc.id, 'incident.title_changed');
  assert.deepEqual(row?.metadata, { incident: inc.reference, via: 'api_token', from: inc.title, to: 'Checkout down in EU' });
});

test('summary: changed, the timeline says so (the text stays on the incident), the audit row records only its length', async () => {
  const inc = await declare();
  const r = await patchFresh(owner, inc.id, { summary: 'Card payments fail with 502 since 14:02.' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.incident.summary, 'Card payments fail with 502 since 14:02.');
  assert.ok((await timeline(inc.id)).some((e) => e.kind === 'summary_changed' && e.body === 'Summary updated'));
  const [row] = await audits(inc.id, 'incident.summary_changed');
  assert.deepEqual(row?.metadata, { incident: inc.reference, via: 'api_token', length: 40 });
  const cleared = await patchFresh(owner, inc.id, { summary: '' });
  assert.equal(cleared.json.incident.summary, '');
  assert.ok((await timeline(inc.id)).some((e) => e.body === 'Summary removed'));
});

test('severity: raised and lowered with the page’s words, audited', async () => {
  const inc = await declare();
  assert.equal((await patchFresh(owner, inc.id, { severity: 'SEV1' })).json.incident.severity, 'SEV1');
  assert.equal((await patchFresh(owner, inc.id, { severity: 'SEV2' })).json.incident.severity, 'SEV2');
  const bodies = (await timeline(inc.id)).map((e) => e.body);
  assert.ok(bodies.includes('Severity raised SEV3 → SEV1'));
  assert.ok(bodies.includes('Severity lowered SEV1 → SEV2'));
  assert.equal((await audits(inc.id, 'incident.severity_changed')).length, 2);
});

test('lead: set to a Responder, then cleared with null; both on the timeline and audited', async () => {
  const inc = await declare();
  const set = await patchFresh(owner, inc.id, { leadUserId: responder.userId });
  assert.equal(set.status, 200, set.text);
  assert.deepEqual(set.json.incident.lead, { userId: responder.userId, name: 'Rita Responder' });
  const cleared = await patchFresh(owner, inc.id, { leadUserId: null });
  assert.equal(cleared.json.incident.lead, null);
  const bodies = (await timeline(inc.id)).map((e) => e.body);
  assert.ok(bodies.includes('Incident lead: Rita Responder'));
  assert.ok(bodies.includes('Incident lead removed'));
  assert.equal((await audits(inc.id, 'incident.lead_changed')).length, 2);
});

test('lead: a Viewer cannot lead (they cannot edit incidents), nor can someone outside the organization', async () => {
  const inc = await declare();
  const v = await patchFresh(owner, inc.id, { leadUserId: viewer.userId });
  assert.equal(v.status, 400);
  assert.deepEqual(v.json.error.fields, [{ field: 'leadUserId', reason: 'is a Viewer, who cannot edit incidents: pick an Owner, Admin or Responder' }]);
  const stranger = await t.owner('Elsewhere');
  const s = await patchFresh(owner, inc.id, { leadUserId: stranger.userId });
  assert.equal(s.status, 400);
  assert.deepEqual(s.json.error.fields, [{ field: 'leadUserId', reason: 'is not a member of this organization' }]);
  // Declaring with a Viewer as lead follows the same rule.
  const d = await t.api(owner, 'POST', '/api/v1/incidents', { title: 'Viewer-led', leadUserId: viewer.userId });
  assert.equal(d.status, 400);
  assert.equal(d.json.error.fields[0]?.field, 'leadUserId');
  assert.equal((await read(owner, inc.id)).json.incident.lead, null);
});

test('status: the page’s transitions, timeline and audit; resolved sets resolvedAt, reopening clears it', async () => {
  const inc = await declare();
  const fixing = await patchFresh(owner, inc.id, { status: 'fixing' });
  assert.equal(fixing.json.incident.status, 'fixing');
  const resolved = await patchFresh(owner, inc.id, { status: 'resolved' });
  assert.equal(resolved.json.incident.active, false);
  assert.ok(resolved.json.incident.resolvedAt);
  const reopened = await patchFresh(owner, inc.id, { status: 'investigating' });
  assert.equal(reopened.json.incident.resolvedAt, null);
  const bodies = (await timeline(inc.id)).map((e) => e.body);
  for (const b of ['Status Investigating → Fixing', 'Status Fixing → Resolved', 'Reopened: status Resolved → Investigating']) assert.ok(bodies.includes(b), b);
  assert.equal((await audits(inc.id, 'incident.status_changed')).length, 3);
});

test('status: a transition the page does not allow is a 400 naming the field, with where it can go', async () => {
  const inc = await declare();
  const r = await patchFresh(owner, inc.id, { status: 'closed' });
  assert.equal(r.status, 400);
  assert.deepEqual(r.json.error.fields, [{ field: 'status', reason: 'cannot change from investigating to closed' }]);
  assert.equal(r.json.error.hint, 'From Investigating it can go to: Fixing, Monitoring, Resolved.');
});

test('a closed incident can no longer be changed: 409, for every field', async () => {
  const inc = await declare();
  await patchFresh(owner, inc.id, { status: 'resolved' });
  await patchFresh(owner, inc.id, { status: 'closed' });
  for (const body of [{ title: 'Too late' }, { summary: 'Too late' }, { severity: 'SEV1' }, { leadUserId: responder.userId }]) {
    const r = await patchFresh(owner, inc.id, body);
    assert.equal(r.status, 409, JSON.stringify(body));
    assert.equal(r.json.error.code, 'conflict');
  }
  const r = await patchFresh(owner, inc.id, { status: 'investigating' });
  assert.equal(r.status, 400, 'no status either');
  assert.equal(r.json.error.hint, 'A closed incident cannot change status.');
});

test('several fields at once, all or nothing: one refused field leaves every other untouched', async () => {
  const inc = await declare();
  const tag = await etag(owner, inc.id);
  const refused = await patch(owner, inc.id, { title: 'Should not land', severity: 'SEV1', status: 'closed' }, tag);
  assert.equal(refused.status, 400);
  const after = (await read(owner, inc.id)).json.incident;
  assert.equal(after.title, inc.title);
  assert.equal(after.severity, 'SEV3');
  assert.equal(after.version, 1);
  assert.equal((await timeline(inc.id)).length, 1, 'only the declaration');

  const ok = await patch(owner, inc.id, { title: 'Lands', severity: 'SEV2', leadUserId: responder.userId, status: 'resolved', summary: 'Fixed by rollback' }, tag);
  assert.equal(ok.status, 200, ok.text);
  const i = ok.json.incident;
  assert.deepEqual([i.title, i.severity, i.lead?.userId, i.status, i.summary], ['Lands', 'SEV2', responder.userId, 'resolved', 'Fixed by rollback']);
  const kinds = (await timeline(inc.id)).map((e) => e.kind);
  assert.deepEqual(kinds, ['declared', 'title_changed', 'summary_changed', 'severity_changed', 'lead_changed', 'status_changed'], 'the status goes last');
});

test('fields equal to their current value are left alone: no timeline entry, no audit row, same version', async () => {
  const inc = await declare();
  const r = await patchFresh(owner, inc.id, { title: inc.title, severity: 'SEV3', status: 'investigating', leadUserId: null });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.incident.version, 1);
  assert.equal(r.headers.get('etag'), '"1"');
  assert.equal((await timeline(inc.id)).length, 1);
});

test('bad bodies: nothing to change, unknown fields, wrong types and sizes are 400s naming the field', async () => {
  const inc = await declare();
  const tag = await etag(owner, inc.id);
  const cases: [unknown, string, RegExp][] = [
    [{}, 'body', /at least one of/],
    [{ name: 'x', status: 'fixing' }, 'body', /^has name, which cannot be changed: the fields are title, summary, severity, leadUserId and status$/],
    [{ title: '' }, 'title', /is required/],
    [{ title: 'x'.repeat(201) }, 'title', /at most 200/],
    [{ summary: 'x'.repeat(10_001) }, 'summary', /at most 10,000/],
    [{ severity: 'SEV9' }, 'severity', /SEV0, SEV1/],
    [{ status: 'done' }, 'status', /investigating, fixing/],
    [{ leadUserId: 'bob' }, 'leadUserId', /member/],
    [[1, 2], 'body', /JSON object/],
  ];
  for (const [body, field, reason] of cases) {
    const r = await patch(owner, inc.id, body, tag);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.json.error.fields[0]?.field, field, JSON.stringify(body));
    assert.match(r.json.error.fields[0]?.reason ?? '', reason, JSON.stringify(body));
  }
  assert.equal((await read(owner, inc.id)).json.incident.version, 1, 'none of them changed anything');
});

test('If-Match is required: without it 428 and nothing changes; a malformed one is a 400; * means "whatever the version"', async () => {
  const inc = await declare();
  const none = await patch(owner, inc.id, { title: 'No precondition' });
  assert.equal(none.status, 428);
  assert.equal(none.json.error.code, 'precondition_required');
  assert.deepEqual(none.json.error.fields, [{ field: 'If-Match', reason: 'is required' }]);
  assert.match(none.json.error.hint ?? '', /ETag/);
  for (const bad of ['1', 'W/"1"', '"1", "2"', '"abc"']) {
    const r = await patch(owner, inc.id, { title: 'Malformed' }, bad);
    assert.equal(r.status, 400, bad);
    assert.equal(r.json.error.fields[0]?.field, 'If-Match');
  }
  assert.equal((await read(owner, inc.id)).json.incident.title, inc.title);
  const any = await patch(owner, inc.id, { title: 'Whatever the version' }, '*');
  assert.equal(any.status, 200);
  assert.equal(any.json.incident.title, 'Whatever the version');
});

test('two clients read the same version: the first change lands, the second is refused with 412 and overwrites nothing', async () => {
  const inc = await declare();
  const seenByA = await etag(owner, inc.id);
  const seenByB = await etag(responder, inc.id);
  assert.equal(seenByA, seenByB);
  const a = await patch(owner, inc.id, { severity: 'SEV1' }, seenByA);
  assert.equal(a.status, 200);
  const b = await patch(responder, inc.id, { severity: 'SEV4', title: 'B’s title' }, seenByB);
  assert.equal(b.status, 412);
  assert.equal(b.json.error.code, 'precondition_failed');
  assert.match(b.json.error.message, /changed by someone else since you read it/);
  const now = (await read(owner, inc.id)).json.incident;
  assert.equal(now.severity, 'SEV1', 'A’s change stands');
  assert.equal(now.title, inc.title);
  // B reads again and retries with the new ETag.
  const retried = await patchFresh(responder, inc.id, { title: 'B’s title' });
  assert.equal(retried.status, 200);
});

test('a note moves the version on too (the incident changed), and the change routes honour an If-Match when sent', async () => {
  const inc = await declare();
  const before = await etag(owner, inc.id);
  assert.equal((await t.api(responder, 'POST', `/api/v1/incidents/${inc.id}/notes`, { body: 'Looking at the gateway' })).status, 201);
  assert.equal((await patch(owner, inc.id, { title: 'Stale' }, before)).status, 412);
  const stale = await t.api(owner, 'POST', `/api/v1/incidents/${inc.id}/severity`, { severity: 'SEV1' }, { 'if-match': before });
  assert.equal(stale.status, 412);
  const fresh = await t.api(owner, 'POST', `/api/v1/incidents/${inc.id}/severity`, { severity: 'SEV1' }, { 'if-match': await etag(owner, inc.id) });
  assert.equal(fresh.status, 200);
  assert.equal(fresh.headers.get('etag'), `"${fresh.json.incident.version}"`);
});

test('a Viewer is refused (403) before anything else is looked at; an incident of another organization is not found', async () => {
  const inc = await declare();
  const r = await patch(viewer, inc.id, { title: 'Viewer was here' });
  assert.equal(r.status, 403);
  assert.equal(r.json.error.message, "Your role can't edit incidents. Ask an Owner or Admin.");
  const other = await t.owner('Other org');
  assert.equal((await patch(other, inc.id, { title: 'x' }, '*')).status, 404);
  assert.equal((await t.api(null, 'PATCH', `/api/v1/incidents/${inc.id}`, { title: 'x' }, { 'if-match': '*' })).status, 401);
});

test('a browser session may PATCH with the page’s CSRF token, and not without it', async () => {
  const inc = await declare();
  const call = (csrf: string | null) =>
    t.app.request(`/api/v1/incidents/${inc.id}`, {
      method: 'PATCH',
      headers: { cookie: `rf_session=${owner.cookie}`, 'content-type': 'application/json', 'if-match': '*', ...(csrf ? { 'x-csrf-token': csrf } : {}) },
      body: JSON.stringify({ title: 'From the browser' }),
    });
  assert.equal((await call(null)).status, 403);
  assert.equal((await call(owner.csrf)).status, 200);
});

async function orgWithSettings(settings: { autoCreateSeverities?: string[]; endMeetingOnResolve?: boolean }, withZoom = false): Promise<Member> {
  const o = await t.owner();
  if (withZoom) await connectZoom(t, o);
  const form: Record<string, string> = {};
  if (settings.endMeetingOnResolve) form['endMeetingOnResolve'] = 'on';
  const body = new URLSearchParams({ ...form, _csrf: o.csrf });
  for (const s of settings.autoCreateSeverities ?? []) body.append('autoCreateSeverities', s);
  const res = await t.app.request('/organization/war-room-settings', {
    method: 'POST',
    headers: { cookie: `rf_session=${o.cookie}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    body: body.toString(),
  });
  assert.equal(res.status, 303);
  return o;
}
const autoJobs = async (incidentId: string) =>
  (await t.deps.db.select().from(jobs).where(eq(jobs.kind, AUTO_CREATE_JOB))).filter((j) => (j.payload as { incidentId?: string }).incidentId === incidentId);

test('raising the severity into one the organization automates queues the automatic war room, as the page does; not when the same request resolves', async () => {
  const o = await orgWithSettings({ autoCreateSeverities: ['SEV1'] });
  const inc = await declare(o);
  assert.equal((await autoJobs(inc.id)).length, 0);
  assert.equal((await patchFresh(o, inc.id, { severity: 'SEV1' })).status, 200);
  assert.equal((await autoJobs(inc.id)).length, 1, 'raised to SEV1: queued');

  const other = await declare(o);
  assert.equal((await patchFresh(o, other.id, { severity: 'SEV1', status: 'resolved' })).status, 200);
  assert.equal((await autoJobs(other.id)).length, 0, 'no war room for an incident that is ending');
});

const endCalls = async () => ((await sandbox.control<{ counts: Record<string, number> }>('GET', '/calls')).json.counts['PUT /v2/meetings/:meetingId/status'] ?? 0);
async function runJobs() {
  while (await runOneJob(t.deps.db, t.deps.clock, t.deps.log, warRoomJobs(t.deps))) {
    // run what is due
  }
}

for (const endMeetingOnResolve of [false, true]) {
  test(`resolving with PATCH ends the Zoom war room${endMeetingOnResolve ? ', and ends the meeting at Zoom as the organization chose' : '; the meeting is left alone when the organization did not choose to end it'}`, async () => {
    const o = await orgWithSettings({ endMeetingOnResolve }, true);
    const inc = await declare(o, { severity: 'SEV1' });
    const created = await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/war-room`, {});
    assert.equal(created.status, 201, created.text);
    const meetingId = created.json.warRoom.meetingId;
    const before = await endCalls();

    const r = await patchFresh(o, inc.id, { status: 'resolved' });
    assert.equal(r.status, 200, r.text);
    const wr = (await t.api(o, 'GET', `/api/v1/incidents/${inc.id}/war-room`)).json as unknown as { warRoom: unknown; history: { state: string; endedReason: string; meetingId: string }[] };
    assert.equal(wr.warRoom, null, 'nothing left to join');
    assert.equal(wr.history[0]?.state, 'ended');
    assert.equal(wr.history[0]?.endedReason, 'incident resolved');
    const ended = (await timeline(inc.id, o)).find((e) => e.body.startsWith('War room ended'));
    assert.equal(ended?.body, `War room ended: the incident was resolved.${endMeetingOnResolve ? ENDING_MEETING_NOTE : ''}`);

    const queued = await t.deps.db.select().from(jobs).where(eq(jobs.kind, END_MEETING_JOB));
    assert.equal(queued.filter((j) => (j.payload as { meetingId?: string }).meetingId === meetingId).length, endMeetingOnResolve ? 1 : 0);
    await runJobs();
    assert.equal((await endCalls()) - before, endMeetingOnResolve ? 1 : 0, 'Zoom is asked to end the meeting only when the organization chose that');
  });
}

test('a JSON Merge Patch content type is read as JSON; a form body is refused with what was expected', async () => {
  const inc = await declare();
  const send = (type: string, body: string) =>
    t.app.request(`/api/v1/incidents/${inc.id}`, { method: 'PATCH', headers: { authorization: `Bearer ${owner.token}`, 'if-match': '*', 'content-type': type }, body });
  const merge = await send('application/merge-patch+json', JSON.stringify({ title: 'Merge patched' }));
  assert.equal(merge.status, 200);
  const form = await send('application/x-www-form-urlencoded', 'title=Form');
  assert.equal(form.status, 400);
  assert.equal(((await form.json()) as { error: { fields: { field: string }[] } }).error.fields[0]?.field, 'body');
  assert.equal((await read(owner, inc.id)).json.incident.title, 'Merge patched');
});
