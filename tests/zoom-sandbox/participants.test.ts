import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { api, connect, startReceiver, startSandbox, testApp } from './helpers.ts';

// The sandbox behaves as Zoom does around an emptied meeting (reference §5.7), ending (§2) and the
// documented form of the daily limit (§4.2).
const SECRET = 'participants-secret';
const receiver = await startReceiver(SECRET);
after(() => receiver.close());
const s = await startSandbox();
after(() => s.close());
await s.sandbox.registerApp(testApp({ webhookUrl: receiver.url, webhookSecretToken: SECRET }));
const tokens = await connect(s);

const events = async (n: number) => (await receiver.waitFor(n)).filter((r) => String(r.json.event).startsWith('meeting.')).map((r) => String(r.json.event));
const newMeeting = async (settings: Record<string, unknown> = { join_before_host: true }) =>
  (await api(s, tokens.access_token, 'POST', '/v2/users/me/meetings', { topic: 'War room', type: 2, start_time: new Date().toISOString().slice(0, 19) + 'Z', settings })).json as { id: number; join_url: string };
const form = (fields: Record<string, string>) => ({ method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' as const });

describe('Zoom sandbox participants', () => {
  it('the first participant starts the meeting, the last one leaving ends it, and the same link starts it again', async () => {
    const m = await newMeeting();
    const before = receiver.requests.length;
    const join = async (name: string) => (await s.control<{ participant: { id: string }; participants: number }>('POST', `/meetings/${m.id}/participants`, { name })).json;
    const a = await join('Ann');
    const b = await join('Bo');
    assert.equal(b.participants, 2);
    assert.equal((await api(s, tokens.access_token, 'GET', `/v2/meetings/${m.id}`)).json?.status, 'started');
    await s.control('DELETE', `/meetings/${m.id}/participants/${a.participant.id}`);
    assert.equal((await api(s, tokens.access_token, 'GET', `/v2/meetings/${m.id}`)).json?.status, 'started', 'one is still in the call');
    await s.control('DELETE', `/meetings/${m.id}/participants/${b.participant.id}`);
    assert.equal((await api(s, tokens.access_token, 'GET', `/v2/meetings/${m.id}`)).json?.status, 'waiting', 'emptied: ended, not deleted');
    await join('Cy');
    const seen = (await events(before + 3)).slice(-3);
    assert.deepEqual(seen, ['meeting.started', 'meeting.ended', 'meeting.started']);
    const uuids = receiver.requests.slice(-3).map((r) => String((r.json.payload.object as { uuid: string }).uuid));
    assert.notEqual(uuids[0], uuids[2], 'a new instance of the same meeting');
  });

  it('the meeting page: Join with a name, Leave, and the last one leaving ends the meeting', async () => {
    const m = await newMeeting();
    const joined = await fetch(`${s.url}/j/${m.id}/join`, form({ name: 'Dana' }));
    assert.equal(joined.status, 303);
    const location = joined.headers.get('location') ?? '';
    assert.match(location, /participant=/);
    const page = await (await fetch(`${s.url}${location}`)).text();
    assert.match(page, /You are in the meeting as Dana\./);
    assert.match(page, /In progress · 1 participant/);
    assert.match(page, />Leave meeting</);
    const participant = new URL(location, s.url).searchParams.get('participant') ?? '';
    assert.equal((await fetch(`${s.url}/j/${m.id}/leave`, form({ participant }))).status, 303);
    const after = await (await fetch(`${s.url}/j/${m.id}`)).text();
    assert.match(after, /Not started: the first participant to join starts it/);
    assert.match(after, />Join as participant</);
  });

  it('without join before host, a participant waits for the host and starts nothing', async () => {
    const m = await newMeeting({ join_before_host: false });
    const r = await s.control<{ participant: null }>('POST', `/meetings/${m.id}/participants`, { name: 'Early' });
    assert.equal(r.status, 409);
    assert.equal((await api(s, tokens.access_token, 'GET', `/v2/meetings/${m.id}`)).json?.status, 'waiting');
  });

  it('ending a meeting needs meeting:update:status (or meeting:write): meeting:update:meeting answers 4711, as Zoom does', async () => {
    const limited = await connect(s, { scopes: ['user:read:user', 'meeting:write:meeting', 'meeting:read:meeting', 'meeting:update:meeting'] });
    const m = (await api(s, limited.access_token, 'POST', '/v2/users/me/meetings', { topic: 'No end scope', settings: { join_before_host: true } })).json as { id: number };
    await s.control('POST', `/meetings/${m.id}/participants`, { name: 'Eve' });
    const refused = await api(s, limited.access_token, 'PUT', `/v2/meetings/${m.id}/status`, { action: 'end' });
    assert.equal(refused.status, 400);
    assert.equal(refused.json?.code, 4711);
    assert.match(String(refused.json?.message), /does not contain scopes:\[meeting:update:status, meeting:update:status:admin\]/);
    const full = await connect(s);
    assert.equal((await api(s, full.access_token, 'PUT', `/v2/meetings/${m.id}/status`, { action: 'end' })).status, 204);
    assert.equal((await api(s, full.access_token, 'GET', `/v2/meetings/${m.id}`)).json?.status, 'waiting');
  });

  it('the daily limit can be answered the documented way: HTTP 300 "A maximum of {n} meetings…", without Retry-After', async () => {
    const t = await connect(s);
    await s.control('POST', '/settings', { dailyLimit: 1, dailyLimitStatus: 300 });
    try {
      await api(s, t.access_token, 'POST', '/v2/users/me/meetings', { topic: 'one' });
      const r = await api(s, t.access_token, 'POST', '/v2/users/me/meetings', { topic: 'two' });
      assert.equal(r.status, 300);
      assert.deepEqual(r.json, { code: 300, message: 'A maximum of 1 meetings can be created/updated for a single user in one day.' });
      assert.equal(r.headers.get('retry-after'), null);
    } finally {
      await s.control('POST', '/settings', { dailyLimit: 100, dailyLimitStatus: 429 });
    }
  });

  it('the consent hint is true: it speaks of required permissions only when some are', async () => {
    const q = (clientId: string) => new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: 'http://runframe.test/integrations/zoom/callback', state: 'x' });
    const plain = await (await fetch(`${s.url}/oauth/authorize?${q('rf-client')}`)).text();
    assert.match(plain, /Untick a permission to decline it\.<\/p>/);
    assert.doesNotMatch(plain, /cannot be unticked/);
    assert.doesNotMatch(plain, /disabled aria-describedby/, 'every permission can be unticked');
    await s.sandbox.registerApp(testApp({ clientId: 'rf-required', scopes: ['meeting:write:meeting'], optionalScopes: ['meeting:read:meeting'] }));
    const required = await (await fetch(`${s.url}/oauth/authorize?${q('rf-required')}`)).text();
    assert.match(required, /Permissions marked required cannot be unticked\./);
    assert.match(required, /checked disabled aria-describedby="scope-hint"> Create meetings for you <code>meeting:write:meeting<\/code> \(required\)/);
  });
});
