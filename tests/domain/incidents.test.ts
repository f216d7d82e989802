import assert from 'node:assert/strict';
import { test } from 'node:test';
import { declareIncident } from '../../src/domain/incidents/declare-incident.ts';
import { changeIncidentStatus } from '../../src/domain/incidents/change-incident-status.ts';
import { changeIncidentSeverity } from '../../src/domain/incidents/change-incident-severity.ts';
import { changeIncidentLead } from '../../src/domain/incidents/change-incident-lead.ts';
import { addIncidentNote } from '../../src/domain/incidents/add-incident-note.ts';
import { listIncidents } from '../../src/domain/incidents/list-incidents.ts';
import { listTimeline } from '../../src/domain/timeline/list-timeline.ts';
import { listAudit } from '../../src/domain/audit/list-audit.ts';
import { AppError } from '../../src/shared/errors.ts';
import { makeTestApp } from '../support/app.ts';

const t = await makeTestApp();

const rejects = async (p: Promise<unknown>, code: string, field?: string) => {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AppError, `expected AppError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (field) assert.ok(e.fields.some((f) => f.field === field), `expected a problem with ${field}, got ${JSON.stringify(e.fields)}`);
    return true;
  });
};

test('each organization numbers its incidents INC-1, INC-2… on its own', async () => {
  const a = await t.owner('A');
  const b = await t.owner('B');
  const a1 = await declareIncident({ ctx: t.ctxFor(a), input: { title: 'Checkout errors', severity: 'SEV1' } });
  const a2 = await declareIncident({ ctx: t.ctxFor(a), input: { title: 'Slow search' } });
  const b1 = await declareIncident({ ctx: t.ctxFor(b), input: { title: 'Login down' } });
  assert.deepEqual([a1.incident.reference, a2.incident.reference, b1.incident.reference], ['INC-1', 'INC-2', 'INC-1']);
  assert.equal(a2.incident.severity, 'SEV2', 'severity defaults to SEV2');
  assert.equal(a1.incident.status, 'investigating');
  assert.equal(a1.incident.active, true);
});

test('concurrent declarations never share a number', async () => {
  const o = await t.owner();
  const made = await Promise.all(Array.from({ length: 10 }, (_, i) => declareIncident({ ctx: t.ctxFor(o), input: { title: `Parallel ${i}` } })));
  const numbers = made.map((m) => m.incident.number).sort((x, y) => x - y);
  assert.deepEqual(numbers, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
});

test('status follows the lifecycle; a resolved incident can be reopened; a closed one is final', async () => {
  const o = await t.owner();
  const ctx = t.ctxFor(o);
  const { incident } = await declareIncident({ ctx, input: { title: 'Queue backlog' } });
  await rejects(changeIncidentStatus({ ctx, incidentRef: incident.id, input: { status: 'closed' } }), 'validation', 'status');
  await rejects(changeIncidentStatus({ ctx, incidentRef: incident.id, input: { status: 'investigating' } }), 'validation', 'status');
  await changeIncidentStatus({ ctx, incidentRef: incident.id, input: { status: 'fixing' } });
  await changeIncidentStatus({ ctx, incidentRef: incident.id, input: { status: 'monitoring' } });
  const resolved = await changeIncidentStatus({ ctx, incidentRef: incident.id, input: { status: 'resolved' } });
  assert.equal(resolved.active, false);
  assert.ok(resolved.resolvedAt);
  const reopened = await changeIncidentStatus({ ctx, incidentRef: incident.id, input: { status: 'investigating' } });
  assert.equal(reopened.active, true);
  assert.equal(reopened.resolvedAt, null);
  await changeIncidentStatus({ ctx, incidentRef: incident.id, input: { status: 'resolved' } });
  const closed = await changeIncidentStatus({ ctx, incidentRef: incident.id, input: { status: 'closed' } });
  assert.equal(closed.status, 'closed');
  await rejects(changeIncidentStatus({ ctx, incidentRef: incident.id, input: { status: 'investigating' } }), 'validation', 'status');
  await rejects(changeIncidentSeverity({ ctx, incidentRef: incident.id, input: { severity: 'SEV0' } }), 'conflict');
});

test('every change lands on the timeline with its actor, and in the audit log', async () => {
  const o = await t.owner();
  const r = await t.member(o, 'responder', 'Rita Responder');
  const ctx = t.ctxFor(r);
  const { incident } = await declareIncident({ ctx, input: { title: 'DB failover', severity: 'SEV3' } });
  await changeIncidentSeverity({ ctx, incidentRef: incident.reference, input: { severity: 'SEV1' } });
  await changeIncidentSeverity({ ctx, incidentRef: incident.reference, input: { severity: 'SEV2' } });
  await changeIncidentLead({ ctx, incidentRef: incident.reference, input: { leadUserId: o.userId } });
  await changeIncidentStatus({ ctx, incidentRef: incident.reference, input: { status: 'fixing' } });
  await addIncidentNote({ ctx, incidentRef: incident.reference, input: { body: 'Replica promoted' } });
  const timeline = (await listTimeline({ ctx, incidentRef: incident.reference })).entries;
  assert.deepEqual(
    timeline.map((e) => e.body),
    [
      'Declared INC-1 as SEV3: DB failover',
      'Severity raised SEV3 → SEV1',
      'Severity lowered SEV1 → SEV2',
      'Incident lead: Olivia Owner',
      'Status Investigating → Fixing',
      'Replica promoted',
    ],
  );
  assert.ok(timeline.every((e) => e.actor === 'Rita Responder'));
  const audit = await listAudit({ ctx: t.ctxFor(o), input: { action: 'incident.' } });
  assert.deepEqual(
    audit.entries.map((e) => e.action).reverse(),
    ['incident.declared', 'incident.severity_changed', 'incident.severity_changed', 'incident.lead_changed', 'incident.status_changed', 'incident.note_added'],
  );
  assert.ok(!JSON.stringify(audit.entries).includes('Replica promoted'), 'the note text stays out of the audit log');
});

test('the lead must be a member of the organization', async () => {
  const a = await t.owner();
  const b = await t.owner();
  const { incident } = await declareIncident({ ctx: t.ctxFor(a), input: { title: 'x' } });
  await rejects(changeIncidentLead({ ctx: t.ctxFor(a), incidentRef: incident.id, input: { leadUserId: b.userId } }), 'validation', 'leadUserId');
  await rejects(declareIncident({ ctx: t.ctxFor(a), input: { title: 'y', leadUserId: b.userId } }), 'validation', 'leadUserId');
  const after = await listIncidents({ ctx: t.ctxFor(a), input: {} });
  assert.equal(after.total, 1, 'the refused declaration left nothing behind');
});

test('an Idempotency-Key retry returns the first incident; a different body with the same key is refused', async () => {
  const o = await t.owner();
  const ctx = t.ctxFor(o);
  const results = await Promise.all(Array.from({ length: 5 }, () => declareIncident({ ctx, input: { title: 'Retry me' }, idempotencyKey: 'key-1' })));
  assert.equal(new Set(results.map((r) => r.incident.id)).size, 1);
  assert.equal(results.filter((r) => r.created).length, 1);
  await rejects(declareIncident({ ctx, input: { title: 'Something else' }, idempotencyKey: 'key-1' }), 'conflict');
  assert.equal((await listIncidents({ ctx, input: {} })).total, 1);
});

test('the list puts active incidents first and filters by status and severity', async () => {
  const o = await t.owner();
  const ctx = t.ctxFor(o);
  // Declared in this order, so "newest first" alone would list the resolved one before the older active one.
  await declareIncident({ ctx, input: { title: 'Older active', severity: 'SEV3' } });
  const resolved = await declareIncident({ ctx, input: { title: 'Newer resolved', severity: 'SEV1' } });
  await changeIncidentStatus({ ctx, incidentRef: resolved.incident.id, input: { status: 'resolved' } });
  await declareIncident({ ctx, input: { title: 'Newest active', severity: 'SEV2' } });
  const all = await listIncidents({ ctx, input: {} });
  assert.deepEqual(all.incidents.map((i) => i.title), ['Newest active', 'Older active', 'Newer resolved'], 'active first, newest first within each group');
  assert.deepEqual(all.incidents.map((i) => i.active), [true, true, false]);
  assert.deepEqual((await listIncidents({ ctx, input: { status: 'active' } })).incidents.map((i) => i.title), ['Newest active', 'Older active']);
  assert.deepEqual((await listIncidents({ ctx, input: { status: 'resolved' } })).incidents.map((i) => i.title), ['Newer resolved']);
  assert.deepEqual((await listIncidents({ ctx, input: { severity: 'SEV1' } })).incidents.map((i) => i.title), ['Newer resolved']);
  const paged = await listIncidents({ ctx, input: { perPage: '2', page: '2' } });
  assert.deepEqual(paged.incidents.map((i) => i.title), ['Newer resolved'], 'pages follow the same order');
  assert.equal(paged.total, 3);
});
