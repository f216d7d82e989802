import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { createZoomSandbox } from '../../src/zoom-sandbox/index.ts';
import { api, connect, testApp, type Running } from './helpers.ts';

describe('Zoom sandbox mounted inside a host Hono app (as Runframe demo mode does)', () => {
  let server: ServerType | undefined;
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  async function mount(style: 'fetch' | 'route'): Promise<Running> {
    const host = new Hono();
    host.get('/', (c) => c.text('host app'));
    let sandbox: ReturnType<typeof createZoomSandbox> | undefined;
    if (style === 'fetch') host.all('/zoom-sandbox/*', (c) => (sandbox ? sandbox.app.fetch(c.req.raw, c.env) : c.notFound()));
    server = serve({ fetch: (req, env) => host.fetch(req, env), port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server?.once('listening', resolve));
    const port = (server.address() as AddressInfo).port;
    const url = `http://127.0.0.1:${port}/zoom-sandbox`;
    sandbox = createZoomSandbox({ basePath: '/zoom-sandbox', publicUrl: url });
    if (style === 'route') host.route('/', sandbox.app);
    const sb = sandbox;
    close = () => sb.close();
    await sb.registerApp(testApp());
    return {
      url,
      sandbox: sb,
      close: async () => undefined,
      control: async (method, path, body) => {
        const res = await fetch(`${url}/_control${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
        return { status: res.status, json: await res.json() };
      },
    };
  }

  for (const style of ['fetch', 'route'] as const) {
    it(`works via ${style === 'fetch' ? 'sandbox.app.fetch(c.req.raw, c.env)' : 'host.route()'}, including a real connection drop`, async () => {
      const s = await mount(style);
      const t = await connect(s);
      assert.equal((await api(s, t.access_token, 'GET', '/v2/users/me')).status, 200);
      await s.control('POST', '/faults', { endpoint: 'GET /v2/users/me', fault: { kind: 'drop' } });
      await assert.rejects(api(s, t.access_token, 'GET', '/v2/users/me'), TypeError);
      const root = await fetch(new URL('/', s.url));
      assert.equal(await root.text(), 'host app');
    });
  }
});
