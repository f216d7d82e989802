import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { HOST_ID, REDIRECT, api, connect, startReceiver, startSandbox, testApp, tokenRequest } from './helpers.ts';

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

  it('close() cancels pending webhook retries (the suite would otherwise wait an hour)', async () => {
    const rx = await startReceiver('sec', (r) => {
      if (r.json.event !== 'endpoint.url_validation') return { status: 500 };
      const plainToken = String(r.json.payload.plainToken);
      return { status: 200, body: JSON.stringify({ plainToken, encryptedToken: createHmac('sha256', 'sec').update(plainToken).digest('hex') }) };
    });
    const s = await startSandbox();
    await s.sandbox.registerApp(testApp({ webhookUrl: rx.url, webhookSecretToken: 'sec' }));
    await connect(s);
    await s.control('POST', `/users/${HOST_ID}/revoke-grants`, { notify: true });
    await rx.waitFor(2);
    await s.close();
    await rx.close();
    assert.equal(rx.requests.length, 2);
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
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/zoom-sandbox/standalone.ts', ...args], {
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
});
