import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTestApp } from '../support/app.ts';

const TOKEN = 'metrics-token-0123456789abcdef';
const t = await makeTestApp({ metricsToken: TOKEN });
const o = await t.owner();

test('/metrics answers only with its bearer token, in Prometheus text format, with route patterns and no ids', async () => {
  const inc = (await t.api(o, 'POST', '/api/v1/incidents', { title: 'Measured' })).json.incident;
  await t.api(o, 'GET', `/api/v1/incidents/${inc.id}`);
  const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong-token-wrong-token-wrong' }, { authorization: `Bearer ${o.token}` }];
  for (const headers of attempts) {
    assert.equal((await t.app.request('/metrics', { headers })).status, 404, 'no token, a wrong one or an API token: nothing to see');
  }
  const r = await t.app.request('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await r.text();
  assert.match(text, /# TYPE runframe_http_request_duration_seconds histogram/);
  assert.match(text, /runframe_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/incidents\/:id",status="200"\} [1-9]/);
  assert.match(text, /runframe_http_request_duration_seconds_bucket\{method="POST",route="\/api\/v1\/incidents",status="201",le="\+Inf"\} [1-9]/);
  assert.match(text, /# TYPE runframe_live_streams gauge\nrunframe_live_streams 0/);
  assert.doesNotMatch(text, new RegExp(inc.id), 'no incident id in a label');
});

test('without METRICS_TOKEN there is no /metrics at all', async () => {
  const plain = await makeTestApp();
  assert.equal((await plain.app.request('/metrics')).status, 404);
});
