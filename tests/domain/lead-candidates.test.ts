import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listLeadCandidates } from '../../src/domain/incidents/list-lead-candidates.ts';
import { declareIncident } from '../../src/domain/incidents/declare-incident.ts';
import { changeIncidentLead } from '../../src/domain/incidents/change-incident-lead.ts';
import { changeMemberRole } from '../../src/domain/orgs/change-member-role.ts';
import { AppError } from '../../src/shared/errors.ts';
import { makeTestApp } from '../support/app.ts';

// Who may lead an incident: members who can edit incidents. The list the pages offer and the rule
// every entry point applies are one and the same.
const t = await makeTestApp();
const owner = await t.owner();
const admin = await t.member(owner, 'admin', 'Ada Admin');
const responder = await t.member(owner, 'responder', 'Rita Responder');
const viewer = await t.member(owner, 'viewer', 'Vic Viewer');

test('the lead list offers Owners, Admins and Responders, never a Viewer', async () => {
  for (const asked of [owner, viewer]) {
    const names = (await listLeadCandidates(t.ctxFor(asked))).map((m) => m.name);
    assert.deepEqual(names, ['Ada Admin', 'Olivia Owner', 'Rita Responder']);
  }
});

test('the incident page and the declare form offer no Viewer as lead; setting one on the page is refused with the reason', async () => {
  const inc = (await declareIncident({ ctx: t.ctxFor(owner), input: { title: 'Lead picker' } })).incident;
  const page = await t.page(owner, 'GET', `/incidents/${inc.number}`);
  assert.equal(page.status, 200);
  for (const m of [owner, admin, responder]) assert.match(page.text, new RegExp(`<option value="${m.userId}"`), m.name);
  assert.doesNotMatch(page.text, new RegExp(`<option value="${viewer.userId}"`), 'no Viewer in the lead list');
  const form = await t.page(owner, 'GET', '/incidents/new');
  assert.match(form.text, new RegExp(`value="${responder.userId}"`));
  assert.doesNotMatch(form.text, new RegExp(`value="${viewer.userId}"`));

  const refused = await t.page(owner, 'POST', `/incidents/${inc.number}/lead`, { leadUserId: viewer.userId });
  assert.equal(refused.status, 400);
  assert.match(refused.text, /is a Viewer, who cannot edit incidents: pick an Owner, Admin or Responder/);
});

test('a member demoted to Viewer leaves the list, and can no longer be made lead', async () => {
  const temp = await t.member(owner, 'responder', 'Tess Temporary');
  assert.ok((await listLeadCandidates(t.ctxFor(owner))).some((m) => m.userId === temp.userId));
  await changeMemberRole({ ctx: t.ctxFor(owner), userId: temp.userId, input: { role: 'viewer' } });
  assert.ok(!(await listLeadCandidates(t.ctxFor(owner))).some((m) => m.userId === temp.userId));
  const inc = (await declareIncident({ ctx: t.ctxFor(owner), input: { title: 'Demoted lead' } })).incident;
  await assert.rejects(changeIncidentLead({ ctx: t.ctxFor(owner), incidentRef: inc.id, input: { leadUserId: temp.userId } }), (e) => e instanceof AppError && e.code === 'validation' && e.fields[0]?.field === 'leadUserId');
});

test('an incident led by someone since made a Viewer keeps that lead when Set lead is pressed without a choice', async () => {
  const lead = await t.member(owner, 'responder', 'Lee Lead');
  const inc = (await declareIncident({ ctx: t.ctxFor(owner), input: { title: 'Lead demoted mid-incident', leadUserId: lead.userId } })).incident;
  await changeMemberRole({ ctx: t.ctxFor(owner), userId: lead.userId, input: { role: 'viewer' } });
  const page = await t.page(owner, 'GET', `/incidents/${inc.number}`);
  assert.match(page.text, new RegExp(`<option value="${lead.userId}" selected="">Lee Lead \\(current lead\\)</option>`), 'the current lead is still the selected option');
  const kept = await t.page(owner, 'POST', `/incidents/${inc.number}/lead`, { leadUserId: lead.userId });
  assert.equal(kept.status, 303, kept.text);
  const after = await t.api(owner, 'GET', `/api/v1/incidents/${inc.id}`);
  assert.equal(after.json.incident.lead?.userId, lead.userId, 'the lead is kept');
});
