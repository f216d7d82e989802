import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { api, connect, manualClock, startSandbox, testApp, type ManualClock, type Running, type Tokens } from './helpers.ts';

const DAILY_MESSAGE =
  'You have exceeded the daily rate limit (100) of Meeting Create/Update API requests permitted for this particular user. You may resume these requests at GMT 00:00:00.';

describe('Zoom sandbox daily create/update limit', () => {
  let s: Running;
  let t: Tokens;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = manualClock('2026-03-10T23:58:00Z');
    s = await startSandbox({ clock: clock.now });
    await s.sandbox.registerApp(testApp());
    t = await connect(s);
  });
  afterEach(() => s.close());

  it('allows 100 creates+updates per user per UTC day, then 429 with headers, and resets at 00:00 UTC', async () => {
    const first = await api(s, t.access_token, 'POST', '/v2/users/me/meetings', { topic: 'm0' });
    assert.equal(first.status, 201);
    assert.equal(first.headers.get('x-ratelimit-type'), 'Daily-limit');
    assert.equal(first.headers.get('x-ratelimit-limit'), '100');
    assert.equal(first.headers.get('x-ratelimit-remaining'), '99');
    const id = first.json?.id;
    // 1 create so far; 49 PATCHes and 50 creates make 100.
    for (let i = 0; i < 49; i++) assert.equal((await api(s, t.access_token, 'PATCH', `/v2/meetings/${id}`, { topic: `u${i}` })).status, 204);
    for (let i = 1; i <= 50; i++) assert.equal((await api(s, t.access_token, 'POST', '/v2/users/me/meetings', { topic: `m${i}` })).status, 201);

    const over = await api(s, t.access_token, 'POST', '/v2/users/me/meetings', { topic: 'one too many' });
    assert.equal(over.status, 429);
    assert.deepEqual(over.json, { code: 429, message: DAILY_MESSAGE });
    assert.equal(over.headers.get('x-ratelimit-category'), 'Medium');
    assert.equal(over.headers.get('x-ratelimit-type'), 'Daily-limit');
    assert.equal(over.headers.get('x-ratelimit-limit'), '100');
    assert.equal(over.headers.get('x-ratelimit-remaining'), '0');
    assert.equal(over.headers.get('retry-after'), '2026-03-11T00:00:00Z');
    assert.equal((await api(s, t.access_token, 'PATCH', `/v2/meetings/${id}`, { topic: 'x' })).status, 429);
    // Reads and deletes do not count.
    assert.equal((await api(s, t.access_token, 'GET', `/v2/meetings/${id}`)).status, 200);

    clock.set('2026-03-10T23:59:59Z');
    assert.equal((await api(s, t.access_token, 'POST', '/v2/users/me/meetings', {})).status, 429);
    clock.set('2026-03-11T00:00:00Z');
    const fresh = await api(s, t.access_token, 'POST', '/v2/users/me/meetings', { topic: 'new day' });
    assert.equal(fresh.status, 201);
    assert.equal(fresh.headers.get('x-ratelimit-remaining'), '99');
  });

  it('the limit is per host user', async () => {
    await s.control('POST', '/settings', { dailyLimit: 1 });
    assert.equal((await api(s, t.access_token, 'POST', '/v2/users/me/meetings', {})).status, 201);
    assert.equal((await api(s, t.access_token, 'POST', '/v2/users/me/meetings', {})).status, 429);
    const other = await s.control<{ user: { id: string } }>('POST', '/users', { email: 'second@sandbox.zoom.test' });
    const tok = await connect(s, { userId: other.json.user.id });
    assert.equal((await api(s, tok.access_token, 'POST', '/v2/users/me/meetings', {})).status, 201);
  });

  it('an optional per-second limit answers 429 QPS with the per-second message', async () => {
    await s.control('POST', '/settings', { qpsLight: 2 });
    const results = await Promise.all([0, 1, 2, 3, 4].map(() => api(s, t.access_token, 'GET', '/v2/users/me')));
    const limited = results.filter((r) => r.status === 429);
    // All five land within one or two wall-clock seconds, so at least one exceeds 2/s.
    assert.ok(limited.length >= 1);
    assert.deepEqual(limited[0]?.json, { code: 429, message: 'You have reached the maximum per-second rate limit for this API. Try again later.' });
    assert.equal(limited[0]?.headers.get('x-ratelimit-type'), 'QPS');
    assert.equal(limited[0]?.headers.get('x-ratelimit-category'), 'Light');
    assert.equal(limited[0]?.headers.get('x-ratelimit-limit'), '2');
    assert.equal(limited[0]?.headers.get('x-ratelimit-remaining'), '0');
    // Retry-After is an ISO timestamp, as on the daily limit (§4.3): the next whole second on the sandbox clock.
    assert.equal(limited[0]?.headers.get('retry-after'), '2026-03-10T23:58:01Z');
  });
});
