import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { CONSUMER, NO_MEET, WORKSPACE, api, connect, errorOf, manualClock, reasonOf, startSandbox, testApp, type ManualClock, type Running } from './helpers.ts';

type Space = { name: string; meetingCode: string; meetingUri: string; config: { accessType: string; entryPointAccess: string }; activeConference?: { conferenceRecord: string } };
type Record_ = { name: string; space: string; startTime: string; endTime?: string; expireTime?: string };

describe('Google sandbox Meet REST API v2', () => {
  let s: Running;
  let clock: ManualClock;
  let token: string;
  afterEach(() => s.close());
  const start = async () => {
    clock = manualClock('2026-12-06T21:00:00Z');
    s = await startSandbox({ clock: clock.now });
    token = (await connect(s)).access_token;
  };
  const create = async (body: unknown = { config: { accessType: 'OPEN' } }, t = token) => api(s, t, 'POST', '/v2/spaces', body);
  const idOf = (sp: Space) => sp.name.replace('spaces/', '');
  const list = async (filter: string, extra = '') => api(s, token, 'GET', `/v2/conferenceRecords?filter=${encodeURIComponent(filter)}${extra}`);

  it('spaces.create answers 200 with name, meeting code, join URI and the effective access type', async () => {
    await start();
    const r = await create();
    assert.equal(r.status, 200);
    const sp = r.json as unknown as Space;
    assert.match(sp.name, /^spaces\/[A-Za-z0-9]{12}$/);
    assert.match(sp.meetingCode, /^[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
    assert.equal(sp.meetingUri, `${s.url}/meet/${sp.meetingCode}`);
    assert.equal(sp.config.accessType, 'OPEN');
    assert.equal(sp.config.entryPointAccess, 'ALL');
    assert.equal(sp.activeConference, undefined, 'nobody has joined yet');
    // Without accessType (or with UNSPECIFIED) the account's default is returned, never ACCESS_TYPE_UNSPECIFIED.
    assert.equal(((await create({})).json as unknown as Space).config.accessType, 'TRUSTED');
    assert.equal(((await create('')).json as unknown as Space).config.accessType, 'TRUSTED', 'an empty body is allowed');
    const consumer = (await connect(s, { account: CONSUMER })).access_token;
    assert.equal(((await create({ config: { accessType: 'ACCESS_TYPE_UNSPECIFIED' } }, consumer)).json as unknown as Space).config.accessType, 'RESTRICTED');
  });

  it('spaces.create refuses bad input with 400 INVALID_ARGUMENT', async () => {
    await start();
    for (const body of [{ config: { accessType: 'PUBLIC' } }, { config: { entryPointAccess: 'SOME' } }, { topic: 'SEV1' }, { config: { colour: 'red' } }, '{not json', '[]']) {
      const r = await create(body);
      assert.deepEqual(errorOf(r.json), [400, 'INVALID_ARGUMENT'], JSON.stringify(body));
    }
    assert.equal((await s.control<{ spaces: unknown[] }>('GET', '/spaces')).json.spaces.length, 0, 'nothing was created');
  });

  it('spaces.get by name or meeting code; other accounts, other apps and unknown spaces all get 403 (never 404)', async () => {
    await start();
    const sp = (await create()).json as unknown as Space;
    const got = await api(s, token, 'GET', `/v2/${sp.name}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.json, sp, 'get answers what create answered');
    const byCode = await api(s, token, 'GET', `/v2/spaces/${sp.meetingCode.toUpperCase()}`);
    assert.equal((byCode.json as unknown as Space).name, sp.name, 'meeting codes are case-insensitive aliases');
    const other = (await connect(s, { account: CONSUMER })).access_token;
    s.sandbox.registerApp(testApp({ clientId: 'other.apps.googleusercontent.com', name: 'Other app' }));
    const otherApp = (await connect(s, { clientId: 'other.apps.googleusercontent.com' })).access_token;
    for (const [t, path] of [[other, `/v2/${sp.name}`], [otherApp, `/v2/${sp.name}`], [token, '/v2/spaces/AAAAAAAAAAAA']] as const) {
      const r = await api(s, t, 'GET', path);
      assert.deepEqual(errorOf(r.json), [403, 'PERMISSION_DENIED']);
      assert.equal((r.json?.error as { message: string }).message, 'Permission denied on resource MeetingSpace (or it might not exist)');
    }
  });

  it('a join starts a conference (activeConference, a record without endTime); endActiveConference ends it and the space stays joinable', async () => {
    await start();
    const sp = (await create()).json as unknown as Space;
    const joined = await s.control<{ participant: string; conferenceRecord: string }>('POST', `/spaces/${idOf(sp)}/join`, { displayName: 'Ada' });
    assert.equal(joined.status, 200);
    const live = (await api(s, token, 'GET', `/v2/${sp.name}`)).json as unknown as Space;
    assert.deepEqual(live.activeConference, { conferenceRecord: joined.json.conferenceRecord });
    const rec = (await list(`space.name = "${sp.name}" AND end_time IS NULL`)).json as { conferenceRecords: Record_[] };
    assert.deepEqual(rec.conferenceRecords, [{ name: joined.json.conferenceRecord, startTime: '2026-12-06T21:00:00.000Z', space: sp.name }]);
    clock.advance(90_000);
    const end = await api(s, token, 'POST', `/v2/${sp.name}:endActiveConference`, {});
    assert.equal(end.status, 200);
    assert.deepEqual(end.json, {});
    assert.equal(((await api(s, token, 'GET', `/v2/${sp.name}`)).json as unknown as Space).activeConference, undefined);
    assert.deepEqual((await list(`space.name = "${sp.name}" AND end_time IS NULL`)).json, {}, 'nothing live: an empty list is {}');
    const ended = ((await list(`space.name = "${sp.name}"`)).json as { conferenceRecords: Record_[] }).conferenceRecords;
    assert.equal(ended[0]?.endTime, '2026-12-06T21:01:30.000Z');
    assert.equal(ended[0]?.expireTime, '2027-01-05T21:01:30.000Z', '30 days after the end');
    // The same link starts a new conference record.
    const again = await s.control<{ conferenceRecord: string }>('POST', `/spaces/${idOf(sp)}/join`, { displayName: 'Grace' });
    assert.notEqual(again.json.conferenceRecord, joined.json.conferenceRecord);
    const both = ((await list(`space.name = "${sp.name}"`)).json as { conferenceRecords: Record_[] }).conferenceRecords;
    assert.deepEqual(both.map((r) => r.name), [again.json.conferenceRecord, joined.json.conferenceRecord], 'newest first');
  });

  it('with recordLagMs, a conference shows up in the API and ends there only after the lag', async () => {
    await start();
    await s.control('POST', '/settings', { recordLagMs: 20_000 });
    const sp = (await create()).json as unknown as Space;
    const j = await s.control<{ participant: string; conferenceRecord: string }>('POST', `/spaces/${idOf(sp)}/join`, { displayName: 'Ada' });
    const liveFilter = `space.name = "${sp.name}" AND end_time IS NULL`;
    assert.deepEqual((await list(liveFilter)).json, {}, 'not visible yet');
    assert.equal(((await api(s, token, 'GET', `/v2/${sp.name}`)).json as unknown as Space).activeConference, undefined);
    assert.deepEqual(errorOf((await api(s, token, 'GET', `/v2/${j.json.conferenceRecord}`)).json), [404, 'NOT_FOUND']);
    clock.advance(20_000);
    assert.equal(((await list(liveFilter)).json as { conferenceRecords: Record_[] }).conferenceRecords.length, 1);
    await s.control('POST', `/spaces/${idOf(sp)}/leave`, { participant: j.json.participant });
    assert.equal(((await list(liveFilter)).json as { conferenceRecords: Record_[] }).conferenceRecords.length, 1, 'the end lags too');
    clock.advance(20_000);
    assert.deepEqual((await list(liveFilter)).json, {});
    assert.equal(((await api(s, token, 'GET', `/v2/${j.json.conferenceRecord}`)).json as unknown as Record_).endTime, '2026-12-06T21:00:20.000Z');
  });

  it('a meeting code stops working a year after the space was last used; the space name keeps working', async () => {
    await start();
    const sp = (await create()).json as unknown as Space;
    const j = await s.control<{ participant: string }>('POST', `/spaces/${idOf(sp)}/join`, { displayName: 'Ada' });
    const byCode = async () => api(s, (await connect(s)).access_token, 'GET', `/v2/spaces/${sp.meetingCode}`);
    clock.advance(400 * 24 * 60 * 60_000);
    assert.equal((await byCode()).status, 200, 'in use: the code works');
    await s.control('POST', `/spaces/${idOf(sp)}/leave`, { participant: j.json.participant });
    clock.advance(365 * 24 * 60 * 60_000 - 1);
    assert.equal((await byCode()).status, 200);
    clock.advance(1);
    assert.deepEqual(errorOf((await byCode()).json), [403, 'PERMISSION_DENIED']);
    token = (await connect(s)).access_token;
    assert.equal((await fetch(sp.meetingUri)).status, 404, 'the join link is dead');
    assert.equal((await api(s, token, 'GET', `/v2/${sp.name}`)).status, 200);
  });

  it('endActiveConference with nothing live follows the endWhenIdle switch (default 400 FAILED_PRECONDITION); meeting codes are refused', async () => {
    await start();
    const sp = (await create()).json as unknown as Space;
    const end = () => api(s, token, 'POST', `/v2/${sp.name}:endActiveConference`, {});
    assert.deepEqual(errorOf((await end()).json), [400, 'FAILED_PRECONDITION']);
    await s.control('POST', '/settings', { endWhenIdle: 'not_found' });
    assert.deepEqual(errorOf((await end()).json), [404, 'NOT_FOUND']);
    await s.control('POST', '/settings', { endWhenIdle: 'ok' });
    assert.deepEqual((await end()).json, {});
    assert.deepEqual(errorOf((await api(s, token, 'POST', `/v2/spaces/${sp.meetingCode}:endActiveConference`, {})).json), [400, 'INVALID_ARGUMENT']);
    const stranger = (await connect(s, { account: CONSUMER })).access_token;
    assert.deepEqual(errorOf((await api(s, stranger, 'POST', `/v2/${sp.name}:endActiveConference`, {})).json), [403, 'PERMISSION_DENIED']);
  });

  it('conferenceRecords.list: filters, paging with nextPageToken, and 400 for a bad filter or page token', async () => {
    await start();
    const sp = (await create()).json as unknown as Space;
    for (let i = 0; i < 3; i++) {
      const j = await s.control<{ participant: string }>('POST', `/spaces/${idOf(sp)}/join`, { displayName: `P${i}` });
      clock.advance(60_000);
      await s.control('POST', `/spaces/${idOf(sp)}/leave`, { participant: j.json.participant });
    }
    const p1 = (await list(`space.meeting_code = "${sp.meetingCode}"`, '&pageSize=2')).json as { conferenceRecords: Record_[]; nextPageToken: string };
    assert.equal(p1.conferenceRecords.length, 2);
    assert.ok(p1.nextPageToken);
    const p2 = (await list(`space.meeting_code = "${sp.meetingCode}"`, `&pageSize=2&pageToken=${p1.nextPageToken}`)).json as { conferenceRecords: Record_[]; nextPageToken?: string };
    assert.equal(p2.conferenceRecords.length, 1);
    assert.equal(p2.nextPageToken, undefined);
    const late = (await list('start_time >= "2026-12-06T21:01:00Z"')).json as { conferenceRecords: Record_[] };
    assert.equal(late.conferenceRecords.length, 2);
    for (const bad of ['space.name == "x"', 'topic = "x"', 'start_time > "yesterday"']) assert.deepEqual(errorOf((await list(bad)).json), [400, 'INVALID_ARGUMENT'], bad);
    assert.deepEqual(errorOf((await list('', '&pageToken=bogus!')).json), [400, 'INVALID_ARGUMENT']);
  });

  it('participants.list shows who is in the call (latest_end_time IS NULL)', async () => {
    await start();
    const sp = (await create()).json as unknown as Space;
    const a = await s.control<{ participant: string; conferenceRecord: string }>('POST', `/spaces/${idOf(sp)}/join`, { displayName: 'Ada', sub: WORKSPACE });
    const b = await s.control<{ participant: string }>('POST', `/spaces/${idOf(sp)}/join`, { displayName: 'Guest' });
    await s.control('POST', `/spaces/${idOf(sp)}/leave`, { participant: b.json.participant });
    const r = await api(s, token, 'GET', `/v2/${a.json.conferenceRecord}/participants?filter=${encodeURIComponent('latest_end_time IS NULL')}`);
    assert.deepEqual((r.json as { participants: unknown[] }).participants, [
      { name: `${a.json.conferenceRecord}/participants/${a.json.participant}`, signedinUser: { user: `users/${WORKSPACE}`, displayName: 'Ada' }, earliestStartTime: '2026-12-06T21:00:00.000Z' },
    ]);
  });

  it('401 UNAUTHENTICATED without a token (with WWW-Authenticate), and for a garbage one', async () => {
    await start();
    const none = await api(s, null, 'POST', '/v2/spaces', {});
    assert.deepEqual(errorOf(none.json), [401, 'UNAUTHENTICATED']);
    assert.equal(reasonOf(none.json), 'CREDENTIALS_MISSING');
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer /);
    assert.deepEqual(errorOf((await api(s, 'ya29.garbage', 'GET', '/v2/conferenceRecords')).json), [401, 'UNAUTHENTICATED']);
  });

  it('403 PERMISSION_DENIED when Meet is off for the account, for consumer accounts (switch), or for OPEN under a rejecting policy; OPEN may be downgraded', async () => {
    await start();
    const noMeet = (await connect(s, { account: NO_MEET })).access_token;
    const r = await create({ config: { accessType: 'OPEN' } }, noMeet);
    assert.deepEqual(errorOf(r.json), [403, 'PERMISSION_DENIED']);
    assert.equal(reasonOf(r.json), undefined, 'no reason: not a scope or API-enablement problem');
    const consumer = (await connect(s, { account: CONSUMER })).access_token;
    await s.control('POST', '/settings', { consumerCanCreate: false });
    assert.deepEqual(errorOf((await create({}, consumer)).json), [403, 'PERMISSION_DENIED']);
    await s.control('PATCH', `/accounts/${WORKSPACE}`, { openPolicy: 'downgrade' });
    assert.equal(((await create()).json as unknown as Space).config.accessType, 'TRUSTED', 'the response shows the access type actually applied');
    await s.control('PATCH', `/accounts/${WORKSPACE}`, { openPolicy: 'reject' });
    assert.deepEqual(errorOf((await create()).json), [403, 'PERMISSION_DENIED']);
  });

  it('403 SERVICE_DISABLED when the Meet REST API is not enabled in the Cloud project', async () => {
    await start();
    await s.control('PATCH', `/apps/${testApp().clientId}`, { meetApiEnabled: false });
    const r = await create();
    assert.deepEqual(errorOf(r.json), [403, 'PERMISSION_DENIED']);
    assert.equal(reasonOf(r.json), 'SERVICE_DISABLED');
    assert.match((r.json?.error as { message: string }).message, /Google Meet REST API has not been used in project \d+ before or it is disabled/);
  });

  it('spaces.create is limited to 10 a minute per user: the 11th is 429 RESOURCE_EXHAUSTED until the minute has passed', async () => {
    await start();
    for (let i = 0; i < 10; i++) assert.equal((await create()).status, 200);
    const limited = await create();
    assert.deepEqual(errorOf(limited.json), [429, 'RESOURCE_EXHAUSTED']);
    assert.equal(reasonOf(limited.json), 'RATE_LIMIT_EXCEEDED');
    assert.equal((await api(s, token, 'GET', '/v2/conferenceRecords')).status, 200, 'reads have their own, larger quota');
    clock.advance(60_000);
    assert.equal((await create()).status, 200);
    await s.control('POST', '/settings', { quotas: false });
    for (let i = 0; i < 15; i++) assert.equal((await create()).status, 200);
  });
});
