import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getAccessToken } from '../../../src/integrations/hub/token-getter.ts';
import { makeTestApp } from '../../support/app.ts';
import { tokenChild as child } from '../../support/token-children.ts';
import { testEngine } from '../../support/database.ts';
import { connectGoogle, startGoogle } from '../../support/google.ts';

// One refresh at a time per connection across processes: Google Meet uses the hub's lease, as Zoom does.
const { sandbox, google } = await startGoogle();
const t = await makeTestApp({ google });
const refreshes = async () => (await sandbox.control<{ counts: Record<string, number> }>('GET', '/calls')).json.counts['POST /token:refresh_token'] ?? 0;

test(
  'two Runframe processes asking for an expired Google token at once on PostgreSQL: exactly one refresh',
  { skip: testEngine() !== 'postgres' ? 'needs PostgreSQL: an embedded PGlite database has a single owning process' : false },
  async () => {
    const o = await t.owner();
    assert.equal((await connectGoogle(t, o)).result, 'connected');
    t.clock.advance(3_600_000);
    const before = await refreshes();
    const key = t.deps.keyRing.keys.get(1)?.toString('base64') ?? '';
    const { mode: _mode, ...googleSettings } = google;
    const args = { url: t.database.url, key, secretKey: t.deps.secretKey, orgId: o.orgId, nowMs: t.clock.now().getTime(), count: 5, zoom: {}, provider: 'google_meet', google: googleSettings };
    const [a, b, mine] = await Promise.all([child(args), child(args), Promise.all(Array.from({ length: 5 }, () => getAccessToken(t.deps, o.orgId, 'google_meet')))]);
    assert.equal(new Set([...a, ...b, ...mine]).size, 1, 'every caller got the same fresh token');
    assert.equal((await refreshes()) - before, 1);
  },
);
