import { randomBytes, randomInt } from 'node:crypto';

/** Zoom user and account ids are 22 characters of base64url (16 random bytes). */
export function zoomId(): string {
  return randomBytes(16).toString('base64url');
}

/** Meeting numbers are 10–11 digits (int64 in Zoom's API, still safe as a JS number). */
export function meetingNumber(): number {
  return randomInt(80_000_000_00, 99_999_999_99);
}

/** Per-instance meeting uuid: base64 of 16 bytes, may contain '/' and '+', like Zoom's. */
export function meetingUuid(): string {
  return randomBytes(16).toString('base64');
}

export function opaqueToken(prefix: string): string {
  return `${prefix}.${randomBytes(32).toString('base64url')}`;
}

export function trackingId(): string {
  return `v=2.0;clid=sbx;rid=SBX_${randomBytes(12).toString('hex')}`;
}

export function passcode(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  let out = '';
  for (let i = 0; i < 6; i++) out += alphabet[randomInt(alphabet.length)] ?? 'x';
  return out;
}

export function digits(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String(randomInt(10));
  return out;
}

export function shortId(): string {
  return randomBytes(6).toString('hex');
}
