import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientOf, parseTrustedProxies } from '../../src/platform/proxies.ts';

const proxies = parseTrustedProxies('10.0.0.0/8, 127.0.0.1').proxies;

test('without trusted proxies, forwarding headers are ignored: the peer is the client', () => {
  const none = parseTrustedProxies('').proxies;
  assert.deepEqual(clientOf('10.0.0.2', '198.51.100.9', 'https', none), { ip: '10.0.0.2', proto: null });
});

test('from a trusted proxy, the rightmost address that is not a trusted proxy is the client', () => {
  assert.deepEqual(clientOf('10.0.0.2', '198.51.100.9', 'https', proxies), { ip: '198.51.100.9', proto: 'https' });
  // The client wrote "1.1.1.1" itself; the proxy appended the address it really saw.
  assert.equal(clientOf('10.0.0.2', '1.1.1.1, 198.51.100.9', undefined, proxies).ip, '198.51.100.9');
  // Two proxies in a row: both are skipped.
  assert.equal(clientOf('::ffff:127.0.0.1', '198.51.100.9, 10.0.0.7', 'http', proxies).ip, '198.51.100.9');
  // Garbage stops the walk at the last address that could be trusted.
  assert.equal(clientOf('10.0.0.2', '198.51.100.9, not-an-ip', undefined, proxies).ip, '10.0.0.2');
  assert.equal(clientOf('10.0.0.2', undefined, 'gopher', proxies).proto, null);
});

test('a peer that is not a trusted proxy cannot pick its address by sending the headers', () => {
  assert.deepEqual(clientOf('203.0.113.5', '198.51.100.9', 'https', proxies), { ip: '203.0.113.5', proto: null });
});
