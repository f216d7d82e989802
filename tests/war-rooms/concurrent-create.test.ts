import assert from 'node:assert/strict';
import { test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { idempotencyKeys, warRooms } from '../../src/platform/db/schema.ts';
import { meetingPort } from '../../src/integrations/hub/meetings.ts';
import { createWarRoom } from '../../src/domain/war-rooms/create-war-room.ts';
import type { MeetingPort } from '../../src/domain/war-rooms/port.ts';
import { AppError } from '../../src/shared/errors.ts';
import { makeTestApp, type Member } from '../support/app.ts';
import { startZoom, ownerWithZoom, declareSev1 } from '../support/zoom.ts';
import { until } from '../support/until.ts';

// A second Create War Room arriving while the first is still at Zoom waits for that attempt, however
// long it can take, and ends with the first caller's answer: the same war room, or the same error.
const { sandbox, zoom } = await startZoom();
const t = await makeTestApp({ zoom });
const port = meetingPort(t.deps);
// Small timings: a wait of one millisecond is what the old bounded wait would have honoured.
t.deps.warRoomTiming = { ...t.deps.warRoomTiming, retryDelaysMs: [20, 20] };

const creates = async () => (await sandbox.control<{ counts: Record<string, number> }>('GET', '/calls')).json.counts['POST /v2/users/:userId/meetings'] ?? 0;
const fault = (f: object, times = 1) => sandbox.control('POST', '/faults', { endpoint: 'POST /v2/users/:userId/meetings', times, fault: f });
const clearFaults = () => sandbox.control('DELETE', '/faults');

const orgWithZoom = () => ownerWithZoom(t);
const incident = (o: Member, title: string) => declareSev1(t, o, title);

/** The real port, with the first create held until the test opens the gate (Zoom itself is the sandbox). */
function gated() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let reached!: () => void;
  const atGate = new Promise<void>((resolve) => (reached = resolve));
  let first = true;
  const meetings: MeetingPort = {
    ...port,
    async createMeeting(...a) {
      if (first) {
        first = false;
        reached();
        await gate;
      }
      return port.createMeeting(...a);
    },
  };
  return { meetings, open, atGate };
}

/** Resolves once the caller using `key` has joined the war room being created (its key names that row). */
async function joined(m: Member, key: string, warRoomId: string) {
  await until(`the second caller joins war room ${warRoomId}`, async () => {
    const [k] = await t.deps.db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.orgId, m.orgId), eq(idempotencyKeys.userId, m.userId), eq(idempotencyKeys.key, key)));
    return k?.resourceId === warRoomId;
  });
}

async function creatingRow(incidentId: string) {
  const [row] = await t.deps.db.select().from(warRooms).where(and(eq(warRooms.incidentId, incidentId), eq(warRooms.state, 'creating')));
  assert.ok(row);
  return row;
}

/**
 * The first create (through the domain, held at the gate) and a second responder's API call that
 * joins it; then the gate opens.
 */
async function twoCallers(title: string, key: string) {
  const o = await orgWithZoom();
  const r = await t.member(o, 'responder');
  const inc = await incident(o, title);
  const g = gated();
  const first = createWarRoom({ ctx: t.ctxFor(o), meetings: g.meetings, timing: t.deps.warRoomTiming, incidentRef: inc.id, input: {} });
  void first.catch(() => undefined);
  await g.atGate;
  const row = await creatingRow(inc.id);
  const second = t.api(r, 'POST', `/api/v1/incidents/${inc.id}/war-room`, {}, { 'idempotency-key': key });
  await joined(r, key, row.id);
  return { o, inc, first, second, open: g.open };
}

test('a second caller waits for a create slower than the old wait (retries after Zoom errors) and gets the same war room, not "creating"', async () => {
  const before = await creates();
  const c = await twoCallers('Slow create', 'second-slow');
  await fault({ kind: 'zoom_error', status: 500, code: 500, message: 'Internal Error' }, 2);
  c.open();
  const [first, second] = await Promise.all([c.first, c.second]);
  await clearFaults();
  assert.equal(first.warRoom.state, 'active');
  assert.equal(second.status, 200, second.text);
  assert.equal(second.json.warRoom.state, 'active');
  assert.equal(second.json.warRoom.joinUrl, first.warRoom.joinUrl);
  assert.equal(second.json.warRoom.meetingId, first.warRoom.meetingId);
  assert.equal((await creates()) - before, 3, 'two failed attempts and one meeting');
});

const failures: { name: string; inject: () => Promise<unknown>; code: string; status: number; message: RegExp; retryAfter?: boolean }[] = [
  { name: 'user cannot host', inject: () => fault({ kind: 'user_cannot_host' }), code: 'provider_rejected', status: 422, message: /^The connected Zoom user can't host meetings\./ },
  { name: 'Zoom down', inject: () => fault({ kind: 'zoom_error', status: 503, code: 503, message: 'Service Unavailable' }, 3), code: 'provider_unavailable', status: 503, message: /^Zoom is unavailable right now — try again\.$/ },
  { name: 'rate limited', inject: () => fault({ kind: 'rate_limit', type: 'QPS' }), code: 'rate_limited', status: 429, message: /^Zoom is rate limiting Runframe; try again in/, retryAfter: true },
];

for (const f of failures) {
  test(`when the attempt a second caller waited on fails (${f.name}), the second caller gets the same error, not a 200`, async () => {
    const c = await twoCallers(`Fails: ${f.name}`, `second-${f.code}`);
    await f.inject();
    c.open();
    let firstError: AppError | undefined;
    await c.first.catch((err: unknown) => {
      firstError = err instanceof AppError ? err : undefined;
    });
    const second = await c.second;
    await clearFaults();
    assert.ok(firstError, 'the first caller got an error');
    assert.equal(firstError.code, f.code);
    assert.match(firstError.message, f.message);
    assert.equal(second.status, f.status, second.text);
    assert.equal(second.json.error.code, f.code);
    assert.equal(second.json.error.message, firstError.message, 'the same message');
    assert.equal(second.json.error.hint, firstError.hint ?? null, 'and the same fix');
    if (f.retryAfter) assert.equal(second.headers.get('retry-after'), String(firstError.retryAfterSeconds));
    assert.equal((await t.api(c.o, 'POST', `/api/v1/incidents/${c.inc.id}/war-room`, {})).status, 201, 'Create War Room works again');
  });
}
