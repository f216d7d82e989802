import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTestApp } from '../support/app.ts';

const t = await makeTestApp();
const o = await t.owner();

const requestLines = () =>
  t.logLines
    .map((l) => JSON.parse(l) as { msg: string; requestId?: string; method?: string; route?: string; status?: number; ms?: number })
    .filter((l) => l.msg === 'request');

test('each request leaves one log line: request id, method, route pattern, status and duration', async () => {
  const r = await t.api(o, 'GET', '/api/v1/incidents/INC-404');
  assert.equal(r.status, 404);
  const line = requestLines().find((l) => l.requestId === r.headers.get('x-request-id'));
  assert.ok(line, 'the line carries the id the caller was given');
  assert.equal(line.method, 'GET');
  assert.equal(line.route, '/api/v1/incidents/:id');
  assert.equal(line.status, 404);
  assert.equal(typeof line.ms, 'number');
  // The line is written without redaction (src/platform/log.ts, fixedFieldLog): nothing else may be in it.
  const raw = t.logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['requestId'] === line.requestId && l['msg'] === 'request');
  assert.deepEqual(Object.keys(raw ?? {}).filter((k) => !['level', 'time', 'pid', 'hostname', 'service'].includes(k)).sort(), ['method', 'ms', 'msg', 'requestId', 'route', 'status']);
});

test('what a URL carries never reaches the log: invite tokens, OAuth codes and states, query text', async () => {
  const invite = await t.page(o, 'POST', '/organization/invites', { role: 'viewer' });
  const token = /\/invites\/([A-Za-z0-9_-]{20,})/.exec(invite.text)?.[1];
  assert.ok(token, 'the members page shows the new invite link');
  await t.page(null, 'GET', `/invites/${token}`);
  await t.page(o, 'GET', '/integrations/zoom/callback?code=SECRET-CODE-123&state=SECRET-STATE-456');
  await t.page(o, 'GET', '/incidents?q=Customer%20Zebracorp%20data%20leak');
  const log = t.logLines.join('\n');
  assert.ok(requestLines().some((l) => l.route === '/invites/:token'), 'the invite page request is logged by its pattern');
  for (const secret of [token, 'SECRET-CODE-123', 'SECRET-STATE-456', 'Zebracorp']) assert.ok(!log.includes(secret), `${secret} is not in the log`);
});

test('a webhook delivery is logged by its route, like any other request (not as "(no route)")', async () => {
  const r = await t.app.request('/webhooks/zoom', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(r.status, 401);
  const line = requestLines().find((l) => l.requestId === r.headers.get('x-request-id'));
  assert.equal(line?.route, '/webhooks/:provider');
  const missing = await t.page(o, 'GET', '/no/such/page');
  assert.equal(missing.status, 404);
  assert.equal(requestLines().at(-1)?.route, '(no route)', 'an address nothing answers is still "(no route)"');
});
