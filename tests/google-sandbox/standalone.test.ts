import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { childArgs } from '../support/children.ts';
import { describe, it } from 'node:test';
import { appFromConfig, readStandaloneConfig } from '../../src/google-sandbox/standalone-config.ts';

describe('Google sandbox standalone (npm run google-sandbox)', { concurrency: true }, () => {
  function run(args: string[]) {
    const child = spawn(process.execPath, [...childArgs('src/google-sandbox/standalone.ts'), ...args], {
      cwd: new URL('../../', import.meta.url).pathname,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const listening = new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const m = /Google sandbox \(not Google\) listening at (\S+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      void exited.then((code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    listening.catch(() => undefined);
    return { child, listening, exited, output: () => out };
  }

  it('starts with flags, registers the app, prints its base URL and exits 0 on SIGTERM', async () => {
    const p = run(['--port', '0', '--client-id', 'cli.apps.googleusercontent.com', '--client-secret', 's', '--redirect-uri', 'http://a.test/cb']);
    const url = await p.listening;
    assert.match(url, /^http:\/\/localhost:\d+$/);
    const page = await fetch(`${url}/o/oauth2/v2/auth?response_type=code&client_id=cli.apps.googleusercontent.com&redirect_uri=${encodeURIComponent('http://a.test/cb')}&scope=openid`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Google sandbox — not Google/);
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0);
  });

  it('an incomplete app registration exits 1 and says what is missing', async () => {
    const p = run(['--port', '0', '--client-id', 'only-an-id']);
    assert.equal(await p.exited, 1);
    assert.match(p.output(), /--client-id needs --client-secret and at least one --redirect-uri/);
  });
});

describe('Google sandbox standalone options (parser)', () => {
  it('flags win over GOOGLE_SANDBOX_* variables; --publishing-status testing reaches the app', () => {
    const c = readStandaloneConfig(['--client-id', 'flag-id', '--publishing-status', 'testing'], {
      GOOGLE_SANDBOX_CLIENT_ID: 'env-id',
      GOOGLE_SANDBOX_CLIENT_SECRET: 'env-secret',
      GOOGLE_SANDBOX_REDIRECT_URIS: 'http://a.test/cb,http://b.test/cb',
    });
    assert.equal(c.port, 4020);
    assert.deepEqual(appFromConfig(c), { name: 'Runframe', clientId: 'flag-id', clientSecret: 'env-secret', redirectUris: ['http://a.test/cb', 'http://b.test/cb'], publishingStatus: 'testing' });
    assert.throws(() => readStandaloneConfig(['--publishing-status', 'beta'], {}), /Invalid Google sandbox options/);
    assert.equal(appFromConfig(readStandaloneConfig([], {})), null, 'no client id: no app registered');
  });
});
