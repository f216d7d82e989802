import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.ts';

const dir = () => mkdtempSync(path.join(tmpdir(), 'rf-config-'));

test('invalid configuration lists every problem at once', () => {
  assert.throws(
    () => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', PUBLIC_URL: 'ftp://x', DATABASE_URL: 'mysql://db', DATA_DIR: dir() }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      const text = e.problems.join('\n');
      for (const name of ['PORT', 'LOG_LEVEL', 'PUBLIC_URL', 'DATABASE_URL']) assert.match(text, new RegExp(name));
      return true;
    },
  );
});

test('with DATABASE_URL, secret keys are required and never generated', () => {
  assert.throws(
    () => loadConfig({ DATABASE_URL: 'postgres://localhost/x', DATA_DIR: dir() }),
    (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.startsWith('SECRET_KEY')) && e.problems.some((p) => p.startsWith('ENCRYPTION_KEYS')),
  );
  assert.throws(
    () => loadConfig({ DATABASE_URL: 'postgres://localhost/x', SECRET_KEY: 'x'.repeat(40), ENCRYPTION_KEYS: '1:dG9vIHNob3J0' }),
    (e: unknown) => e instanceof ConfigError && /32 bytes/.test(e.problems.join()),
  );
});

test('embedded mode generates secret keys once into DATA_DIR with mode 0600, and says so', () => {
  const d = dir();
  const first = loadConfig({ DATA_DIR: d });
  assert.match(first.notices.join(), /Generated secret keys/);
  const file = path.join(d, 'secrets.json');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const second = loadConfig({ DATA_DIR: d });
  assert.deepEqual(second.notices, []);
  assert.equal(second.secretKey, first.secretKey);
  assert.equal(readFileSync(file, 'utf8').includes(first.secretKey), true);
  assert.equal(first.publicUrl, 'http://localhost:3000');
  assert.equal(first.secureCookies, false);
  assert.equal(loadConfig({ DATA_DIR: d, PUBLIC_URL: 'https://rf.example.com/' }).secureCookies, true);
});

test('without ZOOM_CLIENT_ID Runframe points at the built-in sandbox; with it, real Zoom needs its secrets and https', () => {
  const d = dir();
  const demo = loadConfig({ DATA_DIR: d, PORT: '3100' });
  assert.equal(demo.zoom.mode, 'sandbox');
  assert.equal(demo.zoom.oauthBaseUrl, 'http://localhost:3100/zoom-sandbox');
  assert.equal(demo.zoom.apiBaseUrl, 'http://localhost:3100/zoom-sandbox/v2');
  assert.equal(demo.zoom.redirectUri, 'http://localhost:3100/integrations/zoom/callback');
  assert.equal(loadConfig({ DATA_DIR: d, PORT: '3100' }).zoom.clientSecret, demo.zoom.clientSecret, 'stable across restarts');
  assert.throws(
    () => loadConfig({ DATA_DIR: d, ZOOM_CLIENT_ID: 'abc' }),
    (e: unknown) => e instanceof ConfigError && e.problems.length === 3 && /https/.test(e.problems.join()),
  );
  const real = loadConfig({ DATA_DIR: d, ZOOM_CLIENT_ID: 'abc', ZOOM_CLIENT_SECRET: 's', ZOOM_WEBHOOK_SECRET_TOKEN: 'w', PUBLIC_URL: 'https://rf.example.com' });
  assert.equal(real.zoom.mode, 'zoom');
  assert.equal(real.zoom.oauthBaseUrl, 'https://zoom.us');
  assert.equal(real.zoom.apiBaseUrl, 'https://api.zoom.us/v2');
});
