import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTestApp } from '../support/app.ts';

const t = await makeTestApp();
const o = await t.owner();

test('the Integrations Hub answers an error with its own status: 404 for an unknown integration, 403 for a role that cannot act', async () => {
  for (const path of ['/integrations/slack/connect', '/integrations/slack/test', '/integrations/slack/disconnect']) {
    const r = await t.page(o, 'POST', path, {});
    assert.equal(r.status, 404, path);
    assert.match(r.text, /The integration &quot;slack&quot; was not found|The integration "slack" was not found/);
  }
  for (const role of ['responder', 'viewer'] as const) {
    const m = await t.member(o, role);
    const r = await t.page(m, 'POST', '/integrations/zoom/test', {});
    assert.equal(r.status, 403, `${role} cannot run the connection check`);
    const text = r.text.replace(/&#39;/g, "'");
    // The refusal itself is the permission error every POST gets; the card gives the guide's cause and fix.
    assert.match(text, /Your role can't manage integrations\. Ask an Owner or Admin\./);
    assert.match(text, /<button type="button" disabled="" aria-describedby="cannot-manage-zoom">Connect<\/button>/);
    assert.match(
      text,
      /id="cannot-manage-zoom"[^>]*>Your Runframe role cannot manage integrations\. Ask a Runframe admin to grant integration management permission or connect Zoom for the organization\.</,
    );
  }
});

test('a crafted Integrations Hub link cannot put its own words on the page; genuine scope names are listed', async () => {
  const crafted = await t.page(o, 'GET', '/organization/integrations?provider=zoom&result=missing_scope&detail=Call%20555-0100%20now&missing=Call%20555-0100%20for%20help');
  assert.equal(crafted.status, 200);
  assert.match(crafted.text, /Zoom did not grant the meeting scope/);
  assert.doesNotMatch(crafted.text, /555-0100/);
  const genuine = await t.page(o, 'GET', '/organization/integrations?provider=zoom&result=missing_scope&missing=meeting%3Awrite%3Ameeting');
  assert.match(genuine.text, /Missing: meeting:write:meeting\./);
  const wrongResult = await t.page(o, 'GET', '/organization/integrations?provider=zoom&result=connected&missing=meeting%3Awrite%3Ameeting');
  assert.doesNotMatch(wrongResult.text, /Missing:/, 'scope names only accompany the missing-scope message');
});
