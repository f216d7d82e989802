import { createHmac } from 'node:crypto';

/** Zoom's v0 scheme (reference §5.2): v0= + hex(HMAC-SHA256(secret, `v0:{ts}:{body}`)). */
export function signWebhook(secretToken: string, timestampSeconds: number, body: string): string {
  return `v0=${createHmac('sha256', secretToken).update(`v0:${timestampSeconds}:${body}`).digest('hex')}`;
}

export function hmacHex(key: string, message: string): string {
  return createHmac('sha256', key).update(message).digest('hex');
}
