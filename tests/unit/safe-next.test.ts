import assert from 'node:assert/strict';
import { test } from 'node:test';
import { safeNext } from '../../src/http/web/helpers.tsx';

test('after sign-in Runframe only ever sends people to a page of its own', () => {
  // %09 stays percent-encoded in the path, so it is still a page of this site.
  for (const ok of ['/incidents', '/incidents/INC-4?tab=timeline', '/organization/integrations#zoom', '/%09/x']) assert.equal(safeNext(ok), ok);
  for (const evil of ['//evil.example', '/\\evil.example', '/\\/evil.example', '/\t/evil.example', 'https://evil.example', 'javascript:alert(1)', '', ' /incidents', '/ok\nSet-Cookie: x']) {
    assert.equal(safeNext(evil), '/incidents', JSON.stringify(evil));
  }
  assert.equal(safeNext(undefined), '/incidents');
});
