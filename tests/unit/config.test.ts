import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { childArgs } from '../support/children.ts';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.ts';
import { freePort as unusedPort } from '../support/ports.ts';

const dir = () => mkdtempSync(path.join(tmpdir(), 'rf-config-'));

/** The problems loadConfig reports for this environment (it must refuse it). */
const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems;
  }
  return assert.fail('expected the configuration to be refused');
};

test('invalid configuration lists every problem at once', () => {
  assert.throws(
    () => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', PUBLIC_URL: 'ftp://x', DATABASE_URL: 'mysql://db', DATA_DIR: dir() }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      const text = e.problems.join('\n');
      for (const name of ['PORT', 'LOG_LEVEL', 'PUBLIC_URL', 'DATABASE_URL']) assert.match(text, new RegExp(name));
      // A DATABASE_URL that is set, even malformed, still means secrets are required.
      assert.match(text, /SECRET_KEY is required/);
      assert.match(text, /ENCRYPTION_KEYS is required/);
      return true;
    },
  );
});

test('a bad setting does not hide the rules that tie settings together', () => {
  const problems = problemsOf({ PORT: 'eighty', DATABASE_URL: 'postgres://x/y' });
  assert.deepEqual(
    problems.map((p) => p.split(/[: ]/)[0]),
    ['PORT', 'SECRET_KEY', 'ENCRYPTION_KEYS'],
    problems.join('\n'),
  );

  const all = problemsOf({
    PORT: '0',
    LOG_LEVEL: 'loud',
    DATABASE_URL: 'postgres://x/y',
    SECRET_KEY: 'too short',
    ENCRYPTION_KEYS: 'not-a-key',
    ZOOM_CLIENT_ID: 'abc',
    PUBLIC_URL: 'http://rf.example.com',
  }).join('\n');
  for (const expected of [
    /PORT: PORT must be at least 1/,
    /LOG_LEVEL:/,
    /SECRET_KEY must be at least 32 characters/,
    /ENCRYPTION_KEYS entries must look like <version>:<base64 key>/,
    /ZOOM_CLIENT_SECRET is required with ZOOM_CLIENT_ID/,
    /ZOOM_WEBHOOK_SECRET_TOKEN is required with ZOOM_CLIENT_ID/,
    /PUBLIC_URL must be https:\/\/ when ZOOM_CLIENT_ID is set/,
  ]) {
    assert.match(all, expected);
  }
  assert.doesNotMatch(all, /SECRET_KEY is required/, 'a SECRET_KEY that was given is too short, not missing');

  // Embedded mode: the Zoom rules and a bad key format are reported next to a bad setting too.
  const embedded = problemsOf({ DATA_DIR: dir(), SESSION_TTL_HOURS: 'forever', ZOOM_CLIENT_ID: 'abc', ENCRYPTION_KEYS: '1:dG9vIHNob3J0' }).join('\n');
  for (const expected of [/SESSION_TTL_HOURS/, /ZOOM_CLIENT_SECRET is required/, /ENCRYPTION_KEYS version 1 must be 32 bytes/]) assert.match(embedded, expected);
});

test('a refused configuration leaves DATA_DIR as it was: no secrets are generated for it', () => {
  for (const env of [{ LOG_LEVEL: 'loud' }, { ZOOM_CLIENT_ID: 'abc' }] as Record<string, string>[]) {
    const d = dir();
    problemsOf({ DATA_DIR: d, ...env });
    assert.deepEqual(readdirSync(d), [], JSON.stringify(env));
  }
});

test('a corrupt secrets file is named, with what to do, next to every other problem', () => {
  const cases: Array<[string, RegExp]> = [
    ['{"SECRET_KEY": "half a fi', /it is not valid JSON/],
    [JSON.stringify({ SECRET_KEY: 'short' }), /SECRET_KEY: .*ENCRYPTION_KEYS: /],
    [JSON.stringify({ SECRET_KEY: 'k'.repeat(48), ENCRYPTION_KEYS: '1:dG9vIHNob3J0' }), /ENCRYPTION_KEYS version 1 must be 32 bytes/],
  ];
  for (const [content, detail] of cases) {
    const d = dir();
    const file = path.join(d, 'secrets.json');
    writeFileSync(file, content, { mode: 0o600 });
    const problems = problemsOf({ DATA_DIR: d, LOG_LEVEL: 'loud' });
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems.join('\n'), /LOG_LEVEL/);
    const about = problems.find((p) => p.includes(file));
    assert.ok(about, `a problem names ${file}: ${problems.join('\n')}`);
    assert.match(about, /is not a valid Runframe secrets file/);
    assert.match(about, detail);
    assert.match(about, /Restore it from your backup of DATA_DIR/);
    assert.match(about, /set SECRET_KEY and ENCRYPTION_KEYS/);
    assert.equal(readFileSync(file, 'utf8'), content, 'the broken file is left for the operator, never overwritten');
  }
  // Keys given in the environment make the file irrelevant.
  const d = dir();
  writeFileSync(path.join(d, 'secrets.json'), 'garbage');
  const ok = loadConfig({ DATA_DIR: d, SECRET_KEY: 'k'.repeat(40), ENCRYPTION_KEYS: `1:${Buffer.alloc(32, 7).toString('base64')}` });
  assert.equal(ok.secretKey, 'k'.repeat(40));
});


test('`node --import tsx src/main.ts` with invalid configuration exits non-zero and prints every problem', async () => {
  const d = dir();
  const root = path.resolve(import.meta.dirname, '../..');
  const env: Record<string, string> = {};
  // Only what the child needs from this process: no stray Runframe setting leaks in.
  for (const key of ['PATH', 'HOME', 'TMPDIR']) if (process.env[key] !== undefined) env[key] = process.env[key] ?? '';
  Object.assign(env, {
    DATA_DIR: d,
    PORT: String(await unusedPort()),
    HOST: '127.0.0.1',
    DATABASE_URL: 'postgres://127.0.0.1:1/nowhere',
    LOG_LEVEL: 'loud',
    JOBS_POLL_MS: 'often',
    ZOOM_CLIENT_ID: 'abc',
    PUBLIC_URL: 'http://runframe.example.com',
  });
  // A server that wrongly started would keep running: the timeout turns that into a failure, not a hang.
  const r = spawnSync(process.execPath, childArgs('src/main.ts'), { cwd: root, env, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.signal, null, `the server started instead of refusing the configuration:\n${r.stdout}\n${r.stderr}`);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^Invalid configuration:/);
  for (const expected of [
    /- LOG_LEVEL:/,
    /- JOBS_POLL_MS: JOBS_POLL_MS must be a whole number/,
    /- SECRET_KEY is required when DATABASE_URL is set/,
    /- ENCRYPTION_KEYS is required when DATABASE_URL is set/,
    /- ZOOM_CLIENT_SECRET is required with ZOOM_CLIENT_ID/,
    /- ZOOM_WEBHOOK_SECRET_TOKEN is required with ZOOM_CLIENT_ID/,
    /- PUBLIC_URL must be https:\/\/ when ZOOM_CLIENT_ID is set/,
    /See \.env\.example for every setting\./,
  ]) {
    assert.match(r.stderr, expected);
  }
  assert.equal(r.stdout, '', 'nothing was logged as if starting');
  assert.equal(existsSync(path.join(d, 'secrets.json')), false);
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
    () => loadConfig({ DATA_DIR: d, ZOOM_CLIENT_ID: 'abc', PUBLIC_URL: 'http://rf.example.com' }),
    (e: unknown) => e instanceof ConfigError && e.problems.length === 3 && /https/.test(e.problems.join()),
  );
  const real = loadConfig({ DATA_DIR: d, ZOOM_CLIENT_ID: 'abc', ZOOM_CLIENT_SECRET: 's', ZOOM_WEBHOOK_SECRET_TOKEN: 'w', PUBLIC_URL: 'https://rf.example.com' });
  assert.equal(real.zoom.mode, 'zoom');
  assert.equal(real.zoom.oauthBaseUrl, 'https://zoom.us');
  assert.equal(real.zoom.apiBaseUrl, 'https://api.zoom.us/v2');
});

test('DATABASE_POOL_SIZE sizes the PostgreSQL pool: 10 unless set, a whole number from 1', () => {
  const server = { DATABASE_URL: 'postgres://db/runframe', SECRET_KEY: 'x'.repeat(40), ENCRYPTION_KEYS: `1:${Buffer.alloc(32).toString('base64')}` };
  assert.equal(loadConfig(server).databasePoolSize, 10);
  assert.equal(loadConfig({ ...server, DATABASE_POOL_SIZE: '40' }).databasePoolSize, 40);
  assert.deepEqual(problemsOf({ ...server, DATABASE_POOL_SIZE: '0' }), ['DATABASE_POOL_SIZE: DATABASE_POOL_SIZE must be at least 1']);
});

test('DATABASE_POOL_KEEP_OPEN: the whole pool kept open unless set, from 0 to the pool size', () => {
  const server = { DATABASE_URL: 'postgres://db/runframe', SECRET_KEY: 'x'.repeat(40), ENCRYPTION_KEYS: `1:${Buffer.alloc(32).toString('base64')}` };
  assert.equal(loadConfig(server).databasePoolKeepOpen, 10);
  assert.equal(loadConfig({ ...server, DATABASE_POOL_SIZE: '4' }).databasePoolKeepOpen, 4, 'a smaller pool is still kept whole');
  assert.equal(loadConfig({ ...server, DATABASE_POOL_SIZE: '40', DATABASE_POOL_KEEP_OPEN: '' }).databasePoolKeepOpen, 40, 'empty is unset');
  assert.equal(loadConfig({ ...server, DATABASE_POOL_KEEP_OPEN: '0' }).databasePoolKeepOpen, 0);
  assert.equal(loadConfig({ ...server, DATABASE_POOL_SIZE: '40', DATABASE_POOL_KEEP_OPEN: '40' }).databasePoolKeepOpen, 40);
  assert.deepEqual(problemsOf({ ...server, DATABASE_POOL_KEEP_OPEN: '11' }), ['DATABASE_POOL_KEEP_OPEN (11) must be at most DATABASE_POOL_SIZE (10)']);
  assert.deepEqual(problemsOf({ ...server, DATABASE_POOL_KEEP_OPEN: '-1' }), ['DATABASE_POOL_KEEP_OPEN: DATABASE_POOL_KEEP_OPEN must be at least 0']);
});

test('real Zoom settings accept an http PUBLIC_URL only on a loopback host (local development against a standalone sandbox)', () => {
  const d = dir();
  const zoom = { DATA_DIR: d, ZOOM_CLIENT_ID: 'abc', ZOOM_CLIENT_SECRET: 's', ZOOM_WEBHOOK_SECRET_TOKEN: 'w', ZOOM_OAUTH_BASE_URL: 'http://localhost:4010', ZOOM_API_BASE_URL: 'http://localhost:4010/v2' };
  for (const url of ['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000']) {
    assert.equal(loadConfig({ ...zoom, PUBLIC_URL: url }).zoom.redirectUri, `${url}/integrations/zoom/callback`, url);
  }
  for (const url of ['http://rf.example.com', 'http://10.0.0.5:3000', 'http://localhost.example.com', 'http://127.0.0.2']) {
    assert.match(problemsOf({ ...zoom, PUBLIC_URL: url }).join('\n'), /PUBLIC_URL must be https:\/\//, url);
  }
});

test('TRUSTED_PROXIES takes addresses and CIDR ranges, is empty by default, and names what it cannot read', () => {
  const d = dir();
  assert.deepEqual(loadConfig({ DATA_DIR: d }).trustedProxies.entries, []);
  const c = loadConfig({ DATA_DIR: d, TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1,::1 , fd00::/8' });
  assert.deepEqual(c.trustedProxies.entries, ['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8']);
  assert.equal(c.trustedProxies.trusts('10.1.2.3'), true);
  assert.equal(c.trustedProxies.trusts('::ffff:127.0.0.1'), true, 'an IPv4 peer on a dual-stack socket');
  assert.equal(c.trustedProxies.trusts('11.0.0.1'), false);
  const problems = problemsOf({ DATA_DIR: d, TRUSTED_PROXIES: '10.0.0.0/33, proxy.internal, 1.2.3.4' }).join('\n');
  assert.match(problems, /TRUSTED_PROXIES: "10.0.0.0\/33" is not an IP address or CIDR range/);
  assert.match(problems, /TRUSTED_PROXIES: "proxy.internal" is not/);
});

test('Google Meet: the demo sandbox without GOOGLE_CLIENT_ID, off beside real Zoom, Google’s hosts by default with it', () => {
  const d = dir();
  const demo = loadConfig({ DATA_DIR: d, PORT: '3100' });
  assert.equal(demo.google.mode, 'sandbox');
  for (const url of [demo.google.authBaseUrl, demo.google.tokenBaseUrl, demo.google.userinfoBaseUrl, demo.google.meetApiBaseUrl]) assert.equal(url, 'http://localhost:3100/google-sandbox');
  assert.equal(demo.google.redirectUri, 'http://localhost:3100/integrations/google_meet/callback');
  assert.equal(loadConfig({ DATA_DIR: d, PORT: '3100' }).google.clientSecret, demo.google.clientSecret, 'stable across restarts');
  const zoomOnly = loadConfig({ DATA_DIR: d, ZOOM_CLIENT_ID: 'abc', ZOOM_CLIENT_SECRET: 's', ZOOM_WEBHOOK_SECRET_TOKEN: 'w', PUBLIC_URL: 'https://rf.example.com' });
  assert.equal(zoomOnly.google.mode, 'off', 'no fake Google next to a real provider');
  const problems = problemsOf({ DATA_DIR: d, GOOGLE_CLIENT_ID: 'id.apps.googleusercontent.com', PUBLIC_URL: 'http://rf.example.com', GOOGLE_MEET_API_BASE_URL: 'ftp://x' });
  assert.ok(problems.some((p) => p.startsWith('GOOGLE_CLIENT_SECRET is required with GOOGLE_CLIENT_ID')), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('PUBLIC_URL must be https:// when GOOGLE_CLIENT_ID is set')), problems.join('\n'));
  assert.ok(problems.includes('GOOGLE_MEET_API_BASE_URL: GOOGLE_MEET_API_BASE_URL must be an http(s) URL'), problems.join('\n'));
  const real = loadConfig({ DATA_DIR: d, GOOGLE_CLIENT_ID: 'id.apps.googleusercontent.com', GOOGLE_CLIENT_SECRET: 's', PUBLIC_URL: 'https://rf.example.com' });
  assert.equal(real.google.mode, 'google');
  assert.deepEqual([real.google.authBaseUrl, real.google.tokenBaseUrl, real.google.userinfoBaseUrl, real.google.meetApiBaseUrl], [
    'https://accounts.google.com',
    'https://oauth2.googleapis.com',
    'https://openidconnect.googleapis.com',
    'https://meet.googleapis.com',
  ]);
  assert.equal(real.google.redirectUri, 'https://rf.example.com/integrations/google_meet/callback');
});
