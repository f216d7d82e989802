import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyResponse, missingScopes, ZoomError, zoomManifest } from '../../../src/integrations/zoom/index.ts';

const now = new Date('2026-03-10T15:00:00Z');
const api = (status: number, text: string, headers: Record<string, string> = {}) => classifyResponse({ status, text, headers: new Headers(headers), endpoint: 'api', now });
const oauth = (status: number, body: unknown) => classifyResponse({ status, text: JSON.stringify(body), headers: new Headers(), endpoint: 'oauth', now, secrets: ['CODE-abc-123'] });

test('manifest and missingScopes: granular, classic, admin, and the readable names of what is missing', () => {
  assert.equal(zoomManifest.id, 'zoom');
  assert.equal(zoomManifest.displayName, 'Zoom');
  assert.equal(zoomManifest.section, 'Communication');
  assert.deepEqual(missingScopes(['user:read:user', 'meeting:write:meeting']), []);
  assert.deepEqual(missingScopes(['user:read', 'meeting:write']), []);
  assert.deepEqual(missingScopes(['user:read:user']), ['Create meetings']);
  assert.deepEqual(missingScopes(['meeting:write:meeting', 'meeting:read:meeting']), ['Read your Zoom user profile']);
  assert.deepEqual(missingScopes([]), ['Create meetings', 'Read your Zoom user profile']);
  assert.deepEqual(missingScopes(['meeting:read:meeting', 'meeting:write:invite_links']), ['Create meetings', 'Read your Zoom user profile']);
});

test('token endpoint: invalid_grant on 400 or the old 401; bare {"error":"invalid_grant"}; others rejected with secrets redacted', () => {
  assert.deepEqual(oauth(400, { reason: 'Invalid Token!', error: 'invalid_grant' }), { kind: 'invalid_grant' });
  assert.deepEqual(oauth(401, { reason: 'Invalid Token!', error: 'invalid_grant' }), { kind: 'invalid_grant' });
  assert.deepEqual(oauth(400, { error: 'invalid_grant' }), { kind: 'invalid_grant' });
  assert.deepEqual(oauth(400, { reason: 'Invalid authorization code CODE-abc-123', error: 'invalid_request' }), { kind: 'rejected', status: 400, message: 'invalid_request: Invalid authorization code [redacted]' });
  assert.deepEqual(oauth(503, {}), { kind: 'unavailable', reason: 'http_5xx' });
});

test('REST: 4711/4700 scopes, 124, 3161, 3001, 429 with ISO or seconds Retry-After', () => {
  assert.deepEqual(api(400, '{"code":4711,"message":"Invalid access token, does not contain scopes:[user:read:list_users:admin]."}'), { kind: 'missing_scope', scopes: ['user:read:list_users:admin'] });
  assert.deepEqual(api(400, '{"code":4700,"message":"Invalid access token, does not contain scopes:[meeting:write, meeting:write:admin]."}'), { kind: 'missing_scope', scopes: ['meeting:write', 'meeting:write:admin'] });
  assert.deepEqual(api(401, '{"code":124,"message":"Access token is expired."}'), { kind: 'token_invalid' });
  assert.deepEqual(api(400, '{"code":3161,"message":"Your user account is not allowed meeting hosting and scheduling capabilities."}'), { kind: 'cannot_host' });
  assert.deepEqual(api(404, '{"code":3001,"message":"Meeting does not exist: 1."}'), { kind: 'not_found' });
  assert.deepEqual(api(429, '{"code":429,"message":"x"}', { 'retry-after': '2026-03-11T00:00:00Z', 'x-ratelimit-type': 'Daily-limit' }), { kind: 'rate_limited', daily: true, retryAt: new Date('2026-03-11T00:00:00Z') });
  assert.deepEqual(api(429, '{"code":429,"message":"per-second"}', { 'retry-after': '2' }), { kind: 'rate_limited', daily: false, retryAt: new Date(now.getTime() + 2000) });
  assert.deepEqual(api(429, '{"code":429,"message":"per-second"}'), { kind: 'rate_limited', daily: false });
  assert.deepEqual(api(400, 'plain text oops'), { kind: 'rejected', status: 400, message: '' });
});

test('ZoomError message names the operation and kind only', () => {
  const e = new ZoomError('create meeting', { kind: 'rejected', status: 400, code: 300, message: 'Validation Failed. secret-ish' }, 'tid-1');
  assert.equal(e.message, 'Zoom create meeting failed: rejected (HTTP 400, code 300)');
  assert.equal(e.trackingId, 'tid-1');
  assert.equal(e.name, 'ZoomError');
});
