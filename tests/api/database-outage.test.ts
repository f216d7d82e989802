import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openPostgres } from '../../src/platform/db/client.ts';
import { makeTestApp, type Member, type TestApp } from '../support/app.ts';
import { openTestDatabase, testEngine } from '../support/database.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

// The limits the issue sets: a load balancer's probe and a reverse proxy's patience.
const READY_WITHIN_MS = 5_000;
const ANSWER_WITHIN_MS = 10_000;
const RECOVER_WITHIN_MS = 5_000;

describe(
  'PostgreSQL that goes away, behind a TCP proxy that can cut, blackhole and restore',
  { skip: testEngine() !== 'postgres' ? 'needs PostgreSQL: the outage is a network fault between Runframe and its database server' : false },
  () => {
    let t: TestApp;
    let proxy: TcpProxy;
    let o: Member;
    let closeAll = async () => {};

    before(async () => {
      const real = await openTestDatabase('postgres');
      const url = new URL(real.url ?? '');
      proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
      url.host = `127.0.0.1:${proxy.port}`;
      // The production pool settings: no shorter timeouts for the test.
      const viaProxy = await openPostgres(url.toString());
      closeAll = async () => {
        proxy.restore();
        await viaProxy.close();
        await proxy.close();
        await real.close();
      };
      // Closed by this suite's own after(): makeTestApp's would run after the first test of a describe().
      t = await makeTestApp({ database: { ...viaProxy, url: url.toString(), close: async () => {} } });
      o = await t.owner();
    });

    const timed = async <T>(work: () => Promise<T>) => {
      const started = performance.now();
      const value = await work();
      return { value, ms: Math.round(performance.now() - started) };
    };

    /** Requests until one succeeds: each is a real request, no sleeping in between. */
    const untilServing = async () => {
      const started = performance.now();
      for (;;) {
        const r = await t.api(o, 'GET', '/api/v1/incidents');
        if (r.status === 200) return Math.round(performance.now() - started);
        assert.equal(r.status, 503, r.text);
        if (performance.now() - started > RECOVER_WITHIN_MS * 3) assert.fail('Runframe did not serve again after the database came back');
      }
    };

    const assertUnavailable = (r: { status: number; headers: Headers; json: { error: { code: string; message: string; requestId: string } } }) => {
      assert.equal(r.status, 503);
      assert.equal(r.headers.get('retry-after'), '5');
      assert.equal(r.json.error.code, 'unavailable');
      assert.match(r.json.error.message, /cannot reach its database/);
      assert.ok(r.json.error.requestId);
    };

    it('drops packets: /readyz says 503 within 5 s, the API and pages 503 with Retry-After within 10 s; /healthz stays ok', async (ctx) => {
      proxy.blackhole();
      const ready = await timed(async () => t.app.request('/readyz'));
      assert.equal(ready.value.status, 503);
      assert.match(await ready.value.text(), /did not answer/);
      assert.ok(ready.ms < READY_WITHIN_MS, `/readyz took ${ready.ms} ms`);
      assert.equal((await t.app.request('/healthz')).status, 200, 'the process itself is alive');

      const [apiRead, apiWrite, page] = await Promise.all([
        timed(() => t.api(o, 'GET', '/api/v1/incidents')),
        timed(() => t.api(o, 'POST', '/api/v1/incidents', { title: 'Checkout is down', severity: 'SEV2' })),
        timed(() => t.page(o, 'GET', '/incidents')),
      ]);
      assertUnavailable(apiRead.value);
      assertUnavailable(apiWrite.value);
      assert.equal(page.value.status, 503);
      assert.equal(page.value.headers.get('retry-after'), '5');
      assert.match(page.value.text, /cannot reach its database/);
      for (const [name, r] of [['API read', apiRead], ['API write', apiWrite], ['page', page]] as const) {
        assert.ok(r.ms < ANSWER_WITHIN_MS, `${name} took ${r.ms} ms`);
      }
      ctx.diagnostic(`blackhole: /readyz ${ready.ms} ms, API read ${apiRead.ms} ms, API write ${apiWrite.ms} ms, page ${page.ms} ms`);
    });

    it('serves again within a few seconds once the database is reachable again, without a restart', async (ctx) => {
      proxy.restore();
      const ms = await untilServing();
      assert.ok(ms < RECOVER_WITHIN_MS, `recovery took ${ms} ms`);
      assert.equal((await t.app.request('/readyz')).status, 200);
      const created = await t.api(o, 'POST', '/api/v1/incidents', { title: 'After the outage', severity: 'SEV3' });
      assert.equal(created.status, 201, created.text);
      ctx.diagnostic(`recovered after blackhole in ${ms} ms`);
    });

    it('refuses connections (cut): 503 at once, and serves again after restore', async (ctx) => {
      proxy.cut();
      const ready = await timed(async () => t.app.request('/readyz'));
      assert.equal(ready.value.status, 503);
      const api = await timed(() => t.api(o, 'GET', '/api/v1/incidents'));
      assertUnavailable(api.value);
      const signIn = await t.page(null, 'POST', '/sign-in', { email: o.email, password: 'whatever password' }, { csrf: null });
      assert.notEqual(signIn.status, 500, 'never "Something went wrong"');
      proxy.restore();
      const ms = await untilServing();
      assert.ok(ms < RECOVER_WITHIN_MS, `recovery took ${ms} ms`);
      ctx.diagnostic(`cut: /readyz ${ready.ms} ms, API ${api.ms} ms; recovered in ${ms} ms`);
    });

    after(() => closeAll());
  },
);
