import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { childArgs } from '../support/children.ts';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readStandaloneConfig, appFromConfig } from '../../src/zoom-sandbox/standalone-config.ts';
import { HOST_ID, REDIRECT, answerCrc, api, connect, fakeTimers, startReceiver, startSandbox, testApp, tokenRequest } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'zoom-sandbox-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('Zoom sandbox persistence', () => {
  it('a restart with the same state file keeps apps, grants, tokens, meetings, users and daily counters', async () => {
    const stateFile = join(dir, 'state', 'zoom-sandbox.json');
    const a = await startSandbox({ stateFile });
    await a.sandbox.registerApp(testApp());
    const user = await a.control<{ user: { id: string } }>('POST', '/users', { email: 'persist@sandbox.zoom.test' });
    const t = await connect(a);
    const m = (await api(a, t.access_token, 'POST', '/v2/users/me/meetings', { topic: 'survives restarts' })).json ?? {};
    await a.close();
    assert.ok(existsSync(stateFile));
    assert.deepEqual(readdirSync(join(dir, 'state')), ['zoom-sandbox.json'], 'no temp files left behind');

    const b = await startSandbox({ stateFile });
    const me = await api(b, t.access_token, 'GET', '/v2/users/me');
    assert.equal(me.status, 200, 'the access token still works');
    assert.equal((await api(b, t.access_token, 'GET', `/v2/meetings/${m.id}`)).json?.topic, 'survives restarts');
    const users = await b.control<{ users: Array<{ id: string }> }>('GET', '/users');
    assert.ok(users.json.users.some((u) => u.id === user.json.user.id));
    const second = await api(b, t.access_token, 'POST', '/v2/users/me/meetings', {});
    assert.equal(second.headers.get('x-ratelimit-remaining'), '98', 'the daily counter carried over');
    const refreshed = await tokenRequest(b, { grant_type: 'refresh_token', refresh_token: t.refresh_token });
    assert.equal(refreshed.status, 200, 'the refresh token still works');
    await b.close();
    const saved: { grants: Array<{ userId: string }> } = JSON.parse(readFileSync(stateFile, 'utf8'));
    assert.equal(saved.grants[0]?.userId, HOST_ID);
  });

  it('refuses to start on a corrupt state file instead of wiping it', async () => {
    const stateFile = join(dir, 'corrupt.json');
    writeFileSync(stateFile, JSON.stringify({ version: 1, apps: 'nope' }));
    await assert.rejects(startSandbox({ stateFile }), /not valid/);
  });

  it('registerApp is idempotent by clientId (replaces the registration)', async () => {
    const s = await startSandbox();
    await s.sandbox.registerApp(testApp());
    await s.sandbox.registerApp(testApp({ name: 'Runframe Staging', redirectUris: ['http://staging.test/cb'] }));
    const apps = await s.control<{ apps: Array<{ name: string; redirectUris: string[] }> }>('GET', '/apps');
    assert.deepEqual(apps.json.apps.map((x) => x.name), ['Runframe Staging']);
    const old = await fetch(`${s.url}/oauth/authorize?response_type=code&client_id=rf-client&redirect_uri=${encodeURIComponent(REDIRECT)}`);
    assert.equal(old.status, 400);
    await assert.rejects(s.sandbox.registerApp(testApp({ redirectUris: [] })), /Invalid sandbox app registration/);
    await assert.rejects(s.sandbox.registerApp(testApp({ webhookUrl: 'http://127.0.0.1:9/hook' })), /webhookSecretToken/);
    await s.close();
  });

  it('close() cancels pending webhook retries: the retry timer is cleared and never posts again', async () => {
    const rx = await startReceiver('sec', answerCrc('sec', () => ({ status: 500 })));
    const timers = fakeTimers();
    // Zoom's default schedule: without close() the suite would wait five minutes for the retry.
    const s = await startSandbox({ timers });
    try {
      await s.sandbox.registerApp(testApp({ webhookUrl: rx.url, webhookSecretToken: 'sec' }));
      await connect(s);
      await s.control('POST', `/users/${HOST_ID}/revoke-grants`, { notify: true });
      await rx.waitFor(2);
      const retry = await timers.next((t) => t.ms === 5 * 60_000);
      assert.equal((await s.control<{ pendingRetries: number }>('GET', '/webhooks')).json.pendingRetries, 1);
      await s.close();
      assert.deepEqual(timers.pending(), [], 'close() cleared the pending retry timer');
      // Even a timer that slipped through (fired after close) posts nothing.
      retry.fn();
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(rx.requests.length, 2, 'the CRC and the first attempt only');
    } finally {
      await s.close();
      await rx.close();
    }
  });

  it('control reset restores the default users and clears grants but keeps apps unless asked', async () => {
    const s = await startSandbox();
    await s.sandbox.registerApp(testApp());
    const t = await connect(s);
    await s.control('POST', '/users', { email: 'temp@sandbox.zoom.test' });
    assert.equal((await s.control('POST', '/reset', {})).status, 200);
    assert.equal((await api(s, t.access_token, 'GET', '/v2/users/me')).status, 401);
    assert.equal((await s.control<{ users: unknown[] }>('GET', '/users')).json.users.length, 2);
    assert.equal((await s.control<{ apps: unknown[] }>('GET', '/apps')).json.apps.length, 1);
    await s.control('POST', '/reset', { apps: true });
    assert.equal((await s.control<{ apps: unknown[] }>('GET', '/apps')).json.apps.length, 0);
    const bad = await fetch(`${s.url}/_control/reset`, { method: 'POST', body: '{nope' });
    assert.equal(bad.status, 400);
    await s.close();
  });
});

describe('Zoom sandbox standalone', { concurrency: true }, () => {
  function run(args: string[], env: Record<string, string> = {}) {
    const child = spawn(process.execPath, [...childArgs('src/zoom-sandbox/standalone.ts'), ...args], {
      cwd: new URL('../../', import.meta.url).pathname,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const listening = new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const m = /listening at (\S+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      void exited.then((code) => reject(new Error(`exited ${code}: ${err}`)));
    });
    // Marks the rejection as handled for tests that expect the process to fail.
    listening.catch(() => undefined);
    return { child, listening, exited, output: () => out + err };
  }

  it('starts with flags, registers the app, prints its base URL and exits 0 on SIGTERM', async () => {
    const p = run(['--port', '0', '--client-id', 'cli-id', '--client-secret', 'cli-secret', '--redirect-uri', 'http://a.test/cb', '--redirect-uri', 'http://b.test/cb']);
    const url = await p.listening;
    assert.match(url, /^http:\/\/localhost:\d+$/);
    const page = await fetch(`${url}/oauth/authorize?response_type=code&client_id=cli-id&redirect_uri=${encodeURIComponent('http://b.test/cb')}`);
    assert.equal(page.status, 200);
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0);
  });

  it('reads ZOOM_SANDBOX_* environment variables and exits 0 on SIGINT', async () => {
    const p = run([], { ZOOM_SANDBOX_PORT: '0', ZOOM_SANDBOX_CLIENT_ID: 'env-id', ZOOM_SANDBOX_CLIENT_SECRET: 's', ZOOM_SANDBOX_REDIRECT_URIS: 'http://env.test/cb' });
    const url = await p.listening;
    const apps = (await (await fetch(`${url}/_control/apps`)).json()) as { apps: Array<{ clientId: string; redirectUris: string[] }> };
    assert.deepEqual(apps.apps.map((a) => [a.clientId, a.redirectUris]), [['env-id', ['http://env.test/cb']]]);
    p.child.kill('SIGINT');
    assert.equal(await p.exited, 0);
  });

  it('rejects incomplete app flags with a message and exit code 1', async () => {
    const p = run(['--port', '0', '--client-id', 'only-id']);
    assert.equal(await p.exited, 1);
    assert.match(p.output(), /--client-id needs --client-secret/);
  });

  const appFlags = ['--port', '0', '--client-id', 'wh-id', '--client-secret', 'wh-secret', '--redirect-uri', 'http://a.test/cb'];

  it('--webhook-url/--webhook-secret: the receiver gets a signed URL-validation challenge before the sandbox reports ready', async () => {
    const rx = await startReceiver('whsec-cli');
    const p = run([...appFlags, '--webhook-url', rx.url, '--webhook-secret', 'whsec-cli']);
    try {
      const url = await p.listening;
      assert.equal(rx.requests.length, 1, 'validated at start-up, before "listening" was printed');
      const crc = rx.requests[0];
      assert.ok(crc);
      assert.equal(crc.json.event, 'endpoint.url_validation');
      const ts = String(crc.headers['x-zm-request-timestamp']);
      assert.equal(crc.headers['x-zm-signature'], `v0=${createHmac('sha256', 'whsec-cli').update(`v0:${ts}:${crc.body}`).digest('hex')}`);
      assert.equal(crc.headers.clientid, 'wh-id');
      const apps = (await (await fetch(`${url}/_control/apps`)).json()) as { apps: Array<{ clientId: string; webhookUrl?: string; webhookSecretToken?: string }> };
      assert.deepEqual(apps.apps.map((a) => [a.clientId, a.webhookUrl, a.webhookSecretToken]), [['wh-id', rx.url, 'whsec-cli']]);
      p.child.kill('SIGTERM');
      assert.equal(await p.exited, 0);
    } finally {
      p.child.kill('SIGKILL');
      await rx.close();
    }
  });

  it('a receiver that fails the URL validation stops start-up with exit code 1', async () => {
    const rx = await startReceiver('whsec-cli', (r) => ({ status: 200, body: JSON.stringify({ plainToken: r.json.payload.plainToken, encryptedToken: 'wrong' }) }));
    const p = run([...appFlags, '--webhook-url', rx.url, '--webhook-secret', 'whsec-cli']);
    try {
      assert.equal(await p.exited, 1);
      assert.match(p.output(), /URL validation failed for http:\/\/127\.0\.0\.1:\d+\/zoom\/webhooks: encryptedToken is not HMAC-SHA256/);
      assert.doesNotMatch(p.output(), /listening at/);
    } finally {
      await rx.close();
    }
  });

  it('an unreachable webhook URL stops start-up with exit code 1', async () => {
    const p = run([...appFlags, '--webhook-url', 'http://127.0.0.1:9/zoom/webhooks', '--webhook-secret', 'whsec-cli']);
    assert.equal(await p.exited, 1);
    assert.match(p.output(), /URL validation failed for http:\/\/127\.0\.0\.1:9\/zoom\/webhooks/);
  });
});

describe('Zoom sandbox standalone options (parser)', () => {
  const base = ['--client-id', 'id', '--client-secret', 's', '--redirect-uri', 'http://a.test/cb'];

  it('--webhook-url and --webhook-secret become the app\'s webhook registration; flags win over the environment', () => {
    const c = readStandaloneConfig([...base, '--webhook-url', 'https://rf.test/webhooks/zoom', '--webhook-secret', 'flag-secret'], {
      ZOOM_SANDBOX_WEBHOOK_URL: 'http://env.test/hook',
      ZOOM_SANDBOX_WEBHOOK_SECRET: 'env-secret',
    });
    assert.deepEqual([c.webhookUrl, c.webhookSecret], ['https://rf.test/webhooks/zoom', 'flag-secret']);
    const app = appFromConfig(c);
    assert.deepEqual([app?.webhookUrl, app?.webhookSecretToken], ['https://rf.test/webhooks/zoom', 'flag-secret']);
    const env = readStandaloneConfig(base, { ZOOM_SANDBOX_WEBHOOK_URL: 'http://env.test/hook', ZOOM_SANDBOX_WEBHOOK_SECRET: 'env-secret' });
    assert.deepEqual([env.webhookUrl, env.webhookSecret], ['http://env.test/hook', 'env-secret']);
    assert.equal(appFromConfig(readStandaloneConfig(base, {}))?.webhookUrl, undefined, 'no webhook unless asked');
  });

  it('rejects a webhook URL without a secret, a malformed URL and a non-http(s) URL', () => {
    assert.throws(() => readStandaloneConfig([...base, '--webhook-url', 'http://rf.test/hook'], {}), /--webhook-url needs --webhook-secret/);
    assert.throws(() => readStandaloneConfig([...base, '--webhook-url', 'not a url', '--webhook-secret', 'x'], {}), /--webhook-url must be an http\(s\) URL/);
    assert.throws(() => readStandaloneConfig([...base, '--webhook-url', 'ftp://rf.test/hook', '--webhook-secret', 'x'], {}), /--webhook-url must be an http\(s\) URL/);
    assert.throws(() => readStandaloneConfig([...base, '--webhook-secret', 'x', '--webhook-url'], {}), /argument missing|--webhook-url/);
  });
});
