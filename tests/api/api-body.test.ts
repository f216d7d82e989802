import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { serve } from '@hono/node-server';
import { makeTestApp } from '../support/app.ts';

// API bodies over a real Node server: read straight from the Node request (src/http/api-body.ts), with
// or without Content-Length, and refused past 1 MB either way. (app.request, which most API tests
// use, has no Node request behind it and takes Hono's bodyLimit instead.)
const t = await makeTestApp();
const o = await t.owner();
const server = await new Promise<http.Server>((resolve) => {
  const s = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as http.Server)) as http.Server;
});
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
after(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));

/** One POST: `chunked` sends the body without Content-Length; `cut` ends the connection after that many bytes. */
function post(path: string, body: string, o2: { type?: string; chunked?: boolean; cut?: number } = {}): Promise<{ status: number; json: { incident?: { title: string }; error?: { code: string; fields?: { field: string }[] } } }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { authorization: `Bearer ${o.token}`, 'content-type': o2.type ?? 'application/json' };
    if (!o2.chunked) headers['content-length'] = Buffer.byteLength(body);
    const req = http.request(`${base}${path}`, { method: 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    if (o2.cut !== undefined) {
      req.write(body.slice(0, o2.cut));
      req.on('error', () => undefined);
      setImmediate(() => (req.destroy(), resolve({ status: 0, json: {} })));
      return;
    }
    if (o2.chunked) {
      // Two chunks, so the body really arrives in parts.
      req.write(body.slice(0, 10));
      req.end(body.slice(10));
    } else req.end(body);
  });
}

const declared = async () => (await t.api(o, 'GET', '/api/v1/incidents')).json.total;

test('a JSON body is read whole, with Content-Length or chunked, with or without a byte-order mark', async () => {
  const a = await post('/api/v1/incidents', JSON.stringify({ title: 'Sent with a length', severity: 'SEV2' }));
  assert.equal(a.status, 201);
  assert.equal(a.json.incident?.title, 'Sent with a length');
  const b = await post('/api/v1/incidents', JSON.stringify({ title: 'Sent in chunks — ünïcödé split anywhere', severity: 'SEV2' }), { chunked: true });
  assert.equal(b.status, 201);
  assert.equal(b.json.incident?.title, 'Sent in chunks — ünïcödé split anywhere');
  // A leading byte-order mark is dropped, as a fetch body's text() drops it.
  const c = await post('/api/v1/incidents', `\uFEFF${JSON.stringify({ title: 'Sent with a byte-order mark' })}`);
  assert.equal(c.status, 201);
  assert.equal(c.json.incident?.title, 'Sent with a byte-order mark');
});

test('a body over 1 MB is refused with 413, with Content-Length or chunked, and nothing is declared', async () => {
  const before = await declared();
  const big = JSON.stringify({ title: 'Too big', summary: 'y'.repeat(1024 * 1024) });
  for (const chunked of [false, true]) {
    const r = await post('/api/v1/incidents', big, { chunked });
    assert.equal(r.status, 413, `chunked: ${chunked}`);
    assert.equal(r.json.error?.code, 'too_large');
    assert.equal(r.json.error?.fields?.[0]?.field, 'body');
  }
  assert.equal(await declared(), before);
});

test('an unauthenticated call is refused before its body is read; a form is told to send JSON; a body cut short leaves the server answering', async () => {
  const anonymous = await new Promise<number>((resolve, reject) => {
    const req = http.request(`${base}/api/v1/incidents`, { method: 'POST', headers: { 'content-type': 'application/json' }, agent: false }, (res) => (res.resume(), resolve(res.statusCode ?? 0)));
    req.on('error', reject);
    // The body never ends: an answer can only come if it is not waited for.
    req.write('{"title": "never finished"');
  });
  assert.equal(anonymous, 401);
  const form = await post('/api/v1/incidents', new URLSearchParams({ title: 'A form' }).toString(), { type: 'application/x-www-form-urlencoded' });
  assert.equal(form.status, 400);
  assert.equal(form.json.error?.fields?.[0]?.field, 'body');
  const before = await declared();
  await post('/api/v1/incidents', JSON.stringify({ title: 'Never finished', summary: 'z'.repeat(5000) }), { cut: 100 });
  const next = await post('/api/v1/incidents', JSON.stringify({ title: 'After the cut' }));
  assert.equal(next.status, 201);
  assert.equal(await declared(), before + 1);
});
