import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { createGoogleSandbox } from '../../src/google-sandbox/index.ts';
import { api, connect, testApp, type Running } from './helpers.ts';

describe('Google sandbox mounted inside a host Hono app (as demo mode will)', () => {
  let server: ServerType | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      if ('closeAllConnections' in server) server.closeAllConnections();
    });
  });

  for (const style of ['fetch', 'route'] as const) {
    it(`works via ${style === 'fetch' ? 'sandbox.app.fetch(c.req.raw, c.env)' : 'host.route()'}, including a real connection drop`, async () => {
      const host = new Hono();
      host.get('/', (c) => c.text('host app'));
      let sandbox: ReturnType<typeof createGoogleSandbox> | undefined;
      if (style === 'fetch') host.all('/google-sandbox/*', (c) => (sandbox ? sandbox.app.fetch(c.req.raw, c.env) : c.notFound()));
      server = serve({ fetch: (req, env) => host.fetch(req, env), port: 0, hostname: '127.0.0.1' });
      await new Promise<void>((resolve) => server?.once('listening', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/google-sandbox`;
      sandbox = createGoogleSandbox({ basePath: '/google-sandbox', publicUrl: url, control: { token: 't0k' } });
      if (style === 'route') host.route('/', sandbox.app);
      sandbox.registerApp(testApp());
      const sb = sandbox;
      const s: Running = {
        url,
        sandbox: sb,
        close: async () => undefined,
        control: async (method, path, body) => {
          const res = await fetch(`${url}/_control${path}`, { method, headers: { 'content-type': 'application/json', 'x-google-sandbox-control-token': 't0k' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
          return { status: res.status, json: await res.json() };
        },
      };
      const t = await connect(s);
      assert.equal((await api(s, t.access_token, 'POST', '/v2/spaces', {})).status, 200);
      assert.equal((await s.control('POST', '/faults', { endpoint: 'POST /v2/spaces', fault: { kind: 'drop' } })).status, 201);
      await assert.rejects(api(s, t.access_token, 'POST', '/v2/spaces', {}), TypeError);
      assert.equal(await (await fetch(new URL('/', url))).text(), 'host app');
      await sb.close();
    });
  }
});
