import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkOpenApi } from '../support/openapi-check.ts';
import { API_ROUTES } from '../../src/http/app.tsx';
import { makeTestApp } from '../support/app.ts';

const t = await makeTestApp();
const doc = (await (await t.app.request('/api/openapi.json')).json()) as Record<string, unknown>;
type Op = { parameters: { name: string; in: string; required: boolean }[]; responses: Record<string, { headers?: Record<string, unknown> }>; requestBody?: { content: Record<string, { schema: { additionalProperties?: unknown; properties: Record<string, unknown> } }> } };
const op = (path: string, method: string) => (doc['paths'] as Record<string, Record<string, Op>>)[path]?.[method];

test('the OpenAPI document is structurally valid: every operation answers, every $ref resolves, every parameter is well formed', () => {
  assert.deepEqual(checkOpenApi(doc), []);
});

test('the check itself finds what a broken document gets wrong (so the test above can fail)', () => {
  const broken = structuredClone(doc) as { paths: Record<string, Record<string, Record<string, unknown>>> };
  const patch = broken.paths['/incidents/{id}']?.['patch'];
  assert.ok(patch);
  patch['parameters'] = [];
  patch['responses'] = { '400': { description: 'Bad', content: { 'application/json': { schema: { $ref: '#/components/schemas/Nothing' } } } } };
  broken.paths['/members']!['get']!['operationId'] = 'patchIncidentsId';
  const problems = checkOpenApi(broken);
  assert.ok(problems.includes('PATCH /incidents/{id}: {id} is in the path but not declared as a parameter'), problems.join('\n'));
  assert.ok(problems.includes('PATCH /incidents/{id}: has no success (2xx) response'));
  assert.ok(problems.some((p) => p.endsWith('$ref #/components/schemas/Nothing does not resolve')));
  assert.ok(problems.some((p) => p.includes('operationId "patchIncidentsId" is also used by')));
});

test('every API route is in the document, under its method', () => {
  for (const r of API_ROUTES) assert.ok(op(r.path, r.method), `${r.method.toUpperCase()} ${r.path}`);
});

test('PATCH /incidents/{id} documents its fields, the required If-Match, the ETag it returns, and 412 / 428', () => {
  const patch = op('/incidents/{id}', 'patch');
  assert.ok(patch);
  const schema = patch.requestBody?.content['application/json']?.schema;
  assert.deepEqual(Object.keys(schema?.properties ?? {}).sort(), ['leadUserId', 'severity', 'status', 'summary', 'title']);
  assert.equal(schema?.additionalProperties, false, 'unknown fields are refused, and the document says so');
  assert.deepEqual(patch.parameters.find((p) => p.name === 'If-Match'), { ...patch.parameters.find((p) => p.name === 'If-Match'), in: 'header', required: true });
  for (const s of ['200', '400', '403', '404', '409', '412', '428']) assert.ok(patch.responses[s], s);
  assert.ok(patch.responses['200']?.headers?.['ETag'], 'the new version comes back as ETag');
  assert.ok(op('/incidents/{id}', 'get')?.responses['200']?.headers?.['ETag'], 'GET sends the ETag');
  const optional = op('/incidents/{id}/status', 'post')?.parameters.find((p) => p.name === 'If-Match');
  assert.equal(optional?.required, false, 'the one-field change routes take If-Match optionally');
});

test('members and invites are documented with their path parameters named for what they are', () => {
  for (const [path, method] of [['/members', 'get'], ['/members/{userId}', 'patch'], ['/members/{userId}', 'delete'], ['/invites', 'get'], ['/invites', 'post'], ['/invites/{inviteId}', 'delete']] as const) {
    assert.ok(op(path, method), `${method} ${path}`);
  }
  const p = op('/members/{userId}', 'patch')?.parameters.find((x) => x.in === 'path') as { description?: string } | undefined;
  assert.match(p?.description ?? '', /user id/);
  assert.ok(op('/invites/{inviteId}', 'delete')?.responses['204'], 'a revoke answers 204');
});
