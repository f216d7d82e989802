import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLog, prettyLine } from '../../src/platform/log.ts';

// What a person reads when `npm start` runs in a terminal; machines (stdout not a terminal) get the JSON.
test('a terminal reads plain lines: the ready line is the sentence with the address, a request reads like an access log', () => {
  const at = new Date(2026, 11, 6, 9, 5, 7).getTime();
  const ready = JSON.stringify({ level: 30, time: at, service: 'runframe', url: 'http://localhost:3000', engine: 'pglite', msg: 'Runframe is ready at http://localhost:3000' });
  assert.equal(prettyLine(ready), '09:05:07 Runframe is ready at http://localhost:3000 engine=pglite');
  const request = JSON.stringify({ level: 30, time: at, service: 'runframe', requestId: 'r1', method: 'POST', route: '/webhooks/:provider', status: 200, ms: 12, msg: 'request' });
  assert.equal(prettyLine(request), '09:05:07 POST /webhooks/:provider 200 12ms requestId=r1');
  const warn = JSON.stringify({ level: 40, time: at, service: 'runframe', msg: 'job failed', attempts: 2 });
  assert.equal(prettyLine(warn), '09:05:07 WARN job failed attempts=2');
  assert.equal(prettyLine('not json'), 'not json');
});

test('the pretty form is made from the redacted line: a secret never reaches the terminal', () => {
  const lines: string[] = [];
  const log = createLog('info', new Writable({ write: (c, _e, done) => (lines.push(String(c).trim()), done()) }));
  log.info({ token: 'rf_secret_value', user: { password: 'hunter2hunter2' } }, 'signed in');
  const pretty = prettyLine(lines[0] ?? '');
  assert.ok(!pretty.includes('rf_secret_value') && !pretty.includes('hunter2'), pretty);
  assert.match(pretty, /signed in token=\[redacted\]/);
});
