import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPostgres } from '../../src/platform/db/client.ts';
import { startLiveHub } from '../../src/platform/live.ts';
import { makeTestApp, type Member } from '../support/app.ts';
import { testEngine } from '../support/database.ts';

const t = await makeTestApp();
const o = await t.owner();

/** Opens an incident page's event stream and reads it event by event. */
async function openStream(m: Member, ref: string | number, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await t.app.request(`/incidents/${ref}/live${headers['x-since'] ? `?since=${headers['x-since']}` : ''}`, {
    headers: { cookie: `rf_session=${m.cookie}`, accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const reader = res.body?.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    res,
    async next(): Promise<{ event: string; id: string; data: string }> {
      assert.ok(reader, 'a stream body');
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith(':')) continue;
          const field = (name: string) => new RegExp(`^${name}: ?(.*)$`, 'm').exec(block)?.[1] ?? '';
          return { event: field('event'), id: field('id'), data: field('data') };
        }
        const chunk = await reader.read();
        if (chunk.done) throw new Error('the stream ended');
        buffer += decoder.decode(chunk.value, { stream: true });
      }
    },
    async close() {
      controller.abort();
      await reader?.cancel().catch(() => undefined);
    },
  };
}

/**
 * Resolves once this process has heard that the incident changed after `since`: on PostgreSQL the
 * notification arrives on its own connection, possibly after the API answered.
 */
const heard = (incidentId: string, since: string) =>
  new Promise<void>((resolve) => {
    const stop = t.live.watch(incidentId, () => (stop(), resolve()));
    if (t.live.changedSince(incidentId, since)) (stop(), resolve());
  });

/** Declares an incident and waits until this process has heard of it. */
const declare = async (title: string) => {
  const since = t.live.position();
  const incident = (await t.api(o, 'POST', '/api/v1/incidents', { title })).json.incident;
  await heard(incident.id, since);
  return incident;
};

/** Adds a note and waits until this process has heard of it (a stream opened afterwards must know). */
const addNote = async (incidentId: string, body: string) => {
  const since = t.live.position();
  await t.api(o, 'POST', `/api/v1/incidents/${incidentId}/notes`, { body });
  await heard(incidentId, since);
};

test('an open incident page is told when its incident changes, and only its own', async () => {
  const inc = await declare('Live one');
  const other = await declare('Someone else’s');
  const stream = await openStream(o, inc.number);
  assert.equal(stream.res.status, 200);
  assert.match(stream.res.headers.get('content-type') ?? '', /text\/event-stream/);
  const ready = await stream.next();
  assert.equal(ready.event, 'ready');
  await t.api(o, 'POST', `/api/v1/incidents/${other.id}/notes`, { body: 'Not for this page' });
  await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/notes`, { body: 'New finding' });
  const change = await stream.next();
  assert.equal(change.event, 'change');
  assert.equal(change.data, String(inc.number));
  assert.notEqual(change.id, ready.id);
  // Status, severity and lead changes reach it too (the incident row itself).
  await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/severity`, { severity: 'SEV1' });
  assert.equal((await stream.next()).event, 'change');
  assert.equal(t.live.watching(), 1);
  await stream.close();
});

test('a reconnecting page learns what it missed (Last-Event-ID), and a page rendered before a change hears about it', async () => {
  const inc = await declare('Reconnects');
  const first = await openStream(o, inc.number);
  const ready = await first.next();
  await first.close();
  // Nothing changed: the stream just says it is ready.
  const quiet = await openStream(o, inc.number, { 'last-event-id': ready.id });
  assert.equal((await quiet.next()).event, 'ready');
  await quiet.close();
  await addNote(inc.id, 'While you were away');
  const back = await openStream(o, inc.number, { 'last-event-id': ready.id });
  assert.equal((await back.next()).event, 'change', 'the missed change is announced at once');
  await back.close();
  // The page embeds where the feed was when it rendered; a change before the stream opened is not lost.
  const page = await t.page(o, 'GET', `/incidents/${inc.number}`);
  const src = /id="incident-live" data-src="([^"]+)"/.exec(page.text)?.[1]?.replace(/&amp;/g, '&') ?? '';
  const since = new URL(src, 'http://x').searchParams.get('since') ?? '';
  await addNote(inc.id, 'Between render and stream');
  const late = await openStream(o, inc.number, { 'x-since': since });
  assert.equal((await late.next()).event, 'change');
  await late.close();
  // A position this process never handed out (another process, a restart) means "refresh once".
  const foreign = await openStream(o, inc.number, { 'last-event-id': 'deadbeef-1' });
  assert.equal((await foreign.next()).event, 'change');
  await foreign.close();
});

test('the stream is for members who may see the incident: others get nothing', async () => {
  const inc = await declare('Private');
  const stranger = await t.owner('Elsewhere');
  const r = await t.app.request(`/incidents/${inc.number}/live`, { headers: { cookie: `rf_session=${stranger.cookie}`, accept: 'text/event-stream' } });
  assert.equal(r.status, 404);
  const anon = await t.app.request(`/incidents/${inc.number}/live`, { headers: { accept: 'text/event-stream' }, redirect: 'manual' });
  assert.equal(anon.status, 303);
  const viewer = await t.member(o, 'viewer');
  const s = await openStream(viewer, inc.number);
  assert.equal((await s.next()).event, 'ready');
  await s.close();
});

test('without JavaScript the page still shows everything; with it, the page names its stream', async () => {
  const inc = await declare('No script');
  const page = await t.page(o, 'GET', `/incidents/${inc.number}`);
  assert.match(page.text, /id="incident-live" data-src="\/incidents\/\d+\/live\?since=[0-9a-f]{8}-\d+"/);
  assert.match(page.text, /id="timeline-body" data-fragment="\/incidents\/\d+\/timeline\/fragment"/);
  assert.match(page.text, /id="incident-badges" data-live-region/);
});

test('a change written by another process reaches this one (PostgreSQL LISTEN/NOTIFY)', { skip: testEngine() !== 'postgres' ? 'one process owns a PGlite database: there is no other process to hear from' : false }, async () => {
  const inc = await declare('Across processes');
  // A second pool and its own listener stand in for a second Runframe process on the same database.
  const second = await openPostgres(t.database.url ?? '');
  const hub = await startLiveHub(second);
  try {
    const heard = new Promise<void>((resolve) => hub.watch(inc.id, resolve));
    await t.api(o, 'POST', `/api/v1/incidents/${inc.id}/notes`, { body: 'From process one' });
    await heard;
    assert.equal(hub.changedSince(inc.id, `${hub.position().split('-')[0]}-0`), true);
  } finally {
    await hub.close();
    await second.close();
  }
});
