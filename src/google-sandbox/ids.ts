import { randomBytes, randomInt, randomUUID } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';

function pick(alphabet: string, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[randomInt(alphabet.length)] ?? 'a';
  return out;
}

/** `spaces/jQCFfuBOdN5z`: 12 case-sensitive alphanumerics (reference §3.2). */
export const spaceId = (): string => pick(ALNUM, 12);

/** `abc-mnop-xyz` (reference §3.2). */
export const meetingCode = (): string => `${pick(LOWER, 3)}-${pick(LOWER, 4)}-${pick(LOWER, 3)}`;

/** Conference record ids are opaque (format UNCONFIRMED); a UUID keeps them unique. */
export const conferenceId = (): string => randomUUID();

export const participantId = (): string => String(randomInt(1_000_000_000, 9_999_999_999));

/** `ya29.`-prefixed access tokens, `1//`-prefixed refresh tokens, `4/0A`-prefixed codes (reference §1.3, §1.7). */
export const accessToken = (): string => `ya29.a0${randomBytes(48).toString('base64url')}`;
export const refreshToken = (): string => `1//0g${randomBytes(40).toString('base64url')}`;
export const authCode = (): string => `4/0A${randomBytes(36).toString('base64url')}`;

export const shortId = (): string => randomBytes(6).toString('hex');

/** Google account ids (`sub`) are 21 digits. */
export const accountSub = (): string => `1${pick('0123456789', 20)}`;
