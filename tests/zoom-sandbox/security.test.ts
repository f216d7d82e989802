import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { CONTROL_TOKEN_HEADER } from '../../src/zoom-sandbox/index.ts';
import { HOST_ID, REDIRECT, api, connect, startSandbox, testApp, type Running } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'zoom-sandbox-security-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const mode = (path: string): number => statSync(path).mode & 0o777;

/** A sandbox whose log is captured, so a test can tell a handled 400 from a 500 that hit onError. */
async function sandboxWithLog(opts: Parameters<typeof startSandbox>[0] = {}): Promise<{ s: Running; logged: string[] }> {
  const logged: string[] = [];
  const s = await startSandbox({ ...opts, log: (msg) => logged.push(msg) });
  await s.sandbox.registerApp(testApp());
  return { s, logged };
}

describe('Zoom sandbox control API access', () => {
  let s: Running | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('control: false serves no /_control at all', async () => {
    const sb = (s = await startSandbox({ control: false }));
    for (const [method, path] of [['GET', '/apps'], ['GET', '/users'], ['POST', '/faults'], ['POST', '/clock']] as const) {
      const r = await sb.control(method, path, method === 'POST' ? {} : undefined);
      assert.equal(r.status, 404, `${method} /_control${path}`);
      assert.deepEqual(r.json, { code: 404, message: 'Not Found' });
    }
  });

  it('control: { token } answers only requests that carry the token', async () => {
    s = await startSandbox({ control: { token: 'per-process-secret' } });
    await s.sandbox.registerApp(testApp());
    const without = await s.control('GET', '/apps');
    assert.equal(without.status, 401);
    assert.doesNotMatch(JSON.stringify(without.json), /rf-secret/);
    const wrong = await fetch(`${s.url}/_control/apps`, { headers: { [CONTROL_TOKEN_HEADER]: 'per-process-secreT' } });
    assert.equal(wrong.status, 401);
    const right = await fetch(`${s.url}/_control/apps`, { headers: { [CONTROL_TOKEN_HEADER]: 'per-process-secret' } });
    assert.equal(right.status, 200);
    assert.equal(((await right.json()) as { apps: Array<{ clientSecret: string }> }).apps[0]?.clientSecret, 'rf-secret');
  });

  it('the open control API (standalone, tests) still refuses requests a browser sends from another site', async () => {
    s = await startSandbox();
    const fault = JSON.stringify({ endpoint: '*', fault: { kind: 'zoom_error', status: 500, code: 500, message: 'x' } });
    // A form on another page: text/plain needs no preflight, but the browser always adds Origin.
    const fromOrigin = await fetch(`${s.url}/_control/faults`, { method: 'POST', headers: { 'content-type': 'text/plain', origin: 'http://localhost:3999' }, body: fault });
    assert.equal(fromOrigin.status, 403);
    const sameSite = await fetch(`${s.url}/_control/reset`, { method: 'POST', headers: { 'sec-fetch-site': 'same-site' }, body: '{}' });
    assert.equal(sameSite.status, 403);
    assert.deepEqual((await s.control<{ faults: unknown[] }>('GET', '/faults')).json.faults, [], 'nothing was armed');
    // Same-origin use (the sandbox's own pages, a script on it) and non-browser clients still work.
    const sameOrigin = await fetch(`${s.url}/_control/faults`, { headers: { origin: new URL(s.url).origin, 'sec-fetch-site': 'same-origin' } });
    assert.equal(sameOrigin.status, 200);
  });
});

describe('Zoom sandbox response headers', () => {
  let s: Running | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('every page (consent, marketplace, meeting, error) forbids framing, sniffing and referrers', async () => {
    s = await startSandbox();
    await s.sandbox.registerApp(testApp());
    const t = await connect(s);
    const m = (await api(s, t.access_token, 'POST', '/v2/users/me/meetings', { topic: 'headers' })).json ?? {};
    const q = new URLSearchParams({ response_type: 'code', client_id: 'rf-client', redirect_uri: REDIRECT, state: 's' });
    const pages = [
      `${s.url}/oauth/authorize?${q}`,
      `${s.url}/oauth/authorize?response_type=code&client_id=nope`,
      `${s.url}/marketplace`,
      `${s.url}/marketplace/manage/added-apps?user=${HOST_ID}`,
      String(m.join_url),
      String(m.start_url),
    ];
    for (const path of pages) {
      const res = await fetch(path);
      await res.text();
      assert.match(res.headers.get('content-type') ?? '', /text\/html/, path);
      assert.equal(res.headers.get('x-frame-options'), 'DENY', path);
      assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer', path);
    }
  });
});

describe('Zoom sandbox form endpoints with an unreadable body', () => {
  let s: Running | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  const broken = [
    { name: 'multipart without a boundary', type: 'multipart/form-data', body: 'decision=allow' },
    { name: 'multipart with a bad body', type: 'multipart/form-data; boundary=zz', body: '--zz\r\ngarbage' },
  ];

  it('every HTML form endpoint answers 400 with the sandbox error page, never a 500', async () => {
    const started = await sandboxWithLog();
    const sb = (s = started.s);
    const t = await connect(sb);
    const m = (await api(sb, t.access_token, 'POST', '/v2/users/me/meetings', { topic: 'forms' })).json ?? {};
    const endpoints = ['/oauth/authorize/decision', `/j/${String(m.id)}/join`, `/j/${String(m.id)}/start`, `/j/${String(m.id)}/end`, '/marketplace/manage/added-apps/rf-client/remove'];
    for (const path of endpoints) {
      for (const b of broken) {
        const res = await fetch(`${sb.url}${path}`, { method: 'POST', headers: { 'content-type': b.type }, body: b.body, redirect: 'manual' });
        const html = await res.text();
        assert.equal(res.status, 400, `${path} with ${b.name}`);
        assert.match(res.headers.get('content-type') ?? '', /text\/html/);
        assert.match(html, /Zoom sandbox — not Zoom/);
        assert.match(html, /could not be read/);
      }
    }
    assert.deepEqual(started.logged.filter((l) => l.includes('unexpected error')), []);
    // The unreadable Remove did not fall back to the default user and remove the grant.
    assert.equal((await api(sb, t.access_token, 'GET', '/v2/users/me')).status, 200);
    const meeting = (await api(sb, t.access_token, 'GET', `/v2/meetings/${String(m.id)}`)).json;
    assert.equal(meeting?.status, 'waiting', 'the unreadable Start did not start the meeting');
  });

  it('the OAuth token and revoke endpoints answer Zoom’s OAuth error shape on an unreadable body', async () => {
    const started = await sandboxWithLog();
    const sb = (s = started.s);
    const auth = `Basic ${Buffer.from('rf-client:rf-secret').toString('base64')}`;
    for (const path of ['/oauth/token', '/oauth/revoke']) {
      for (const b of broken) {
        const res = await fetch(`${sb.url}${path}`, { method: 'POST', headers: { authorization: auth, 'content-type': b.type }, body: b.body });
        assert.equal(res.status, 400, `${path} with ${b.name}`);
        const json = (await res.json()) as Record<string, unknown>;
        assert.deepEqual(Object.keys(json).sort(), ['error', 'reason']);
      }
    }
    assert.deepEqual(started.logged.filter((l) => l.includes('unexpected error')), []);
  });
});

describe('Zoom sandbox state file permissions', () => {
  it('writes the state file 0600 in a directory it creates 0700', async () => {
    const stateDir = join(dir, 'created', 'nested');
    const stateFile = join(stateDir, 'zoom-sandbox.json');
    const s = await startSandbox({ stateFile });
    try {
      await s.sandbox.registerApp(testApp());
      assert.equal(mode(stateFile), 0o600);
      assert.equal(mode(stateDir), 0o700);
      assert.equal(mode(join(dir, 'created')), 0o700);
      await connect(s);
    } finally {
      await s.close();
    }
    assert.equal(mode(stateFile), 0o600, 'still 0600 after every rewrite');
  });

  it('tightens a state file an earlier version left readable to others', async () => {
    const stateFile = join(dir, 'old-zoom-sandbox.json');
    const first = await startSandbox({ stateFile });
    await first.close();
    chmodSync(stateFile, 0o644);
    // A temp file left behind by a crash of an earlier run with this pid must not keep its mode either.
    writeFileSync(`${stateFile}.${process.pid}.tmp`, 'stale', { mode: 0o666 });
    chmodSync(`${stateFile}.${process.pid}.tmp`, 0o666);
    const second = await startSandbox({ stateFile });
    await second.close();
    assert.equal(mode(stateFile), 0o600);
  });
});
