import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageCache } from '../../src/http/web/incidents/page-cache.ts';

const now = new Date('2026-12-07T12:00:00Z');
const body = (cache: ReturnType<typeof pageCache>, text: string) => `<p>${text}</p><input name="_csrf" value="${cache.markers.csrf}"><div data-src="/live?since=${cache.markers.live}"></div>`;

test('the page cache keeps at most its number of pages and its amount of text, forgetting the least recently viewed', () => {
  const cache = pageCache(2, 200);
  for (const k of ['a', 'b']) cache.keep(k, cache.page({ stamp: 's', title: k, body: body(cache, k), until: null }));
  assert.ok(cache.get('a', 's', now), 'a viewed: b is now the least recent');
  cache.keep('c', cache.page({ stamp: 's', title: 'c', body: body(cache, 'c'), until: null }));
  assert.equal(cache.get('b', 's', now), null);
  assert.ok(cache.get('a', 's', now));
  cache.keep('big', cache.page({ stamp: 's', title: 'big', body: body(cache, 'x'.repeat(300)), until: null }));
  assert.equal(cache.get('big', 's', now), null, 'a page over the whole budget is not kept');
  assert.ok(cache.get('a', 's', now) && cache.get('c', 's', now), 'nor does it push the others out');
});

test('a kept page is only good for its stamp and until its time runs out, and is filled in as it would have been rendered', () => {
  const cache = pageCache();
  const page = cache.keep('k', cache.page({ stamp: 'v1', title: 't', body: body(cache, 'hello'), until: new Date(now.getTime() + 1000) }));
  assert.ok(cache.get('k', 'v1', now));
  assert.equal(cache.get('k', 'v1', new Date(now.getTime() + 1000)), null);
  cache.keep('k', cache.page({ stamp: 'v1', title: 't', body: body(cache, 'hello'), until: null }));
  assert.equal(cache.get('k', 'v2', now), null);
  assert.equal(cache.fill(page.pieces, { csrf: 'a"b<c', live: 'ab12-3' }), '<p>hello</p><input name="_csrf" value="a&quot;b&lt;c"><div data-src="/live?since=ab12-3"></div>');
});
