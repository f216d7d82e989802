// Requests start one per turn of the event loop, in arrival order (src/http/middleware.ts, takeTurns):
// under load that is what lets Node accept new connections between requests (docs/decisions/0006).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Hono } from 'hono';
import { takeTurns } from '../../src/http/middleware.ts';
import type { AppEnv } from '../../src/http/env.ts';

test('requests that arrive together start in arrival order, each in a turn of its own, and all are answered', async () => {
  // A turn counter: an immediate that re-arms itself runs once per turn of the event loop.
  let turn = 0;
  let ticking = true;
  const tick = () => {
    turn++;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const started: Array<{ n: number; turn: number }> = [];
  const app = new Hono<AppEnv>();
  app.use('*', takeTurns());
  // A handler that never waits, like a page on PGlite: without takeTurns all would start in one turn.
  app.get('/:n', (c) => {
    started.push({ n: Number(c.req.param('n')), turn });
    return c.text(`answer ${c.req.param('n')}`);
  });
  const answers = await Promise.all([1, 2, 3, 4, 5].map(async (n) => (await app.request(`/${n}`)).text()));
  ticking = false;
  assert.deepEqual(answers, ['answer 1', 'answer 2', 'answer 3', 'answer 4', 'answer 5']);
  assert.deepEqual(started.map((s) => s.n), [1, 2, 3, 4, 5], 'arrival order');
  const turns = started.map((s) => s.turn);
  assert.equal(new Set(turns).size, turns.length, `one start per turn, got turns ${turns.join(', ')}`);
});

test('a request that fails still lets the next one start', async () => {
  const app = new Hono<AppEnv>();
  app.use('*', takeTurns());
  app.get('/boom', () => {
    throw new Error('boom');
  });
  app.get('/ok', (c) => c.text('ok'));
  app.onError((_err, c) => c.text('failed', 500));
  const [boom, ok] = await Promise.all([app.request('/boom'), app.request('/ok')]);
  assert.equal(boom.status, 500);
  assert.equal(await ok.text(), 'ok');
});
