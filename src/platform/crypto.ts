import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  scrypt as scryptCb,
  timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto';

const scryptAsync = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });

/** scrypt's cost as log2(N), with r = 8 and p = 1; and how many hashes may run at once. */
export interface PasswordHashing {
  cost: number;
  concurrency: number;
  /** Attempts allowed to wait for a free slot (default 200); past that they are refused at once. */
  maxWaiting?: number;
}

export interface PasswordHasher {
  /** `scrypt$N$r$p$salt$hash`, all parameters stored so they can be raised later. */
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
  /** A stored hash made with weaker parameters than today's: re-hash it at the next successful sign-in. */
  needsRehash(stored: string): boolean;
  /** Burns the same time as a real verification, so unknown emails are not revealed by timing. */
  readonly dummyHash: string;
  /** Hashes running now and the most that ever ran at once (for tests and benchmarks). */
  stats(): { active: number; waiting: number; peak: number };
}

const R = 8;
const P = 1;
const KEYLEN = 32;
/** A queue longer than this means a flood: refuse at once instead of making everyone wait. */
const MAX_WAITING = 200;

export class HashingBusyError extends Error {
  constructor() {
    super('too many password hashes waiting');
    this.name = 'HashingBusyError';
  }
}

// scrypt needs 128 * N * r bytes; Node refuses more than 32 MiB unless told otherwise.
const maxmemFor = (n: number, r: number) => 128 * n * r * 2;

/**
 * Password hashing with a cap on how many scrypt runs use the thread pool at once: each takes a
 * thread and 128 MiB at cost 17, and a flood of unauthenticated sign-ins must not take them all.
 */
export function createPasswordHasher({ cost, concurrency, maxWaiting = MAX_WAITING }: PasswordHashing): PasswordHasher {
  const N = 2 ** cost;
  let active = 0;
  let peak = 0;
  const waiting: (() => void)[] = [];
  const limited = async <T>(work: () => Promise<T>): Promise<T> => {
    if (active >= concurrency) {
      if (waiting.length >= maxWaiting) throw new HashingBusyError();
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
    active++;
    peak = Math.max(peak, active);
    try {
      return await work();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
  const run = (password: string, salt: Buffer, keylen: number, n: number, r: number, p: number) =>
    limited(() => scryptAsync(password, salt, keylen, { N: n, r, p, maxmem: maxmemFor(n, r) }));
  return {
    async hash(password) {
      const salt = randomBytes(16);
      const key = await run(password, salt, KEYLEN, N, R, P);
      return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
    },
    async verify(password, stored) {
      const parsed = parseStored(stored);
      if (!parsed) return false;
      const key = await run(password, parsed.salt, parsed.hash.length, parsed.n, parsed.r, parsed.p);
      return key.length === parsed.hash.length && timingSafeEqual(key, parsed.hash);
    },
    needsRehash(stored) {
      const parsed = parseStored(stored);
      return !parsed || parsed.n < N || parsed.r < R;
    },
    dummyHash: ['scrypt', N, R, P, 'AAAAAAAAAAAAAAAAAAAAAA', 'A'.repeat(43)].join('$'),
    stats: () => ({ active, waiting: waiting.length, peak }),
  };
}

function parseStored(stored: string) {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [, n, r, p, saltB64, hashB64] = parts as [string, string, string, string, string, string];
  const num = (v: string) => (/^\d{1,9}$/.test(v) ? Number(v) : NaN);
  const parsed = { n: num(n), r: num(r), p: num(p), salt: Buffer.from(saltB64, 'base64url'), hash: Buffer.from(hashB64, 'base64url') };
  // Parameters come from our own column, but a corrupt row must not ask for gigabytes.
  if (!(parsed.n >= 2 && parsed.n <= 2 ** 20 && parsed.r >= 1 && parsed.r <= 32 && parsed.p >= 1 && parsed.p <= 16) || parsed.hash.length === 0) return null;
  return parsed;
}

export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

export const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex');

export const hmacSha256Hex = (key: string | Buffer, message: string): string =>
  createHmac('sha256', key).update(message).digest('hex');

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export interface KeyRing {
  /** Version used to seal new data. */
  current: number;
  keys: ReadonlyMap<number, Buffer>;
}

export interface Sealed {
  keyVersion: number;
  /** base64url(iv | tag | ciphertext) */
  blob: string;
}

/** AES-256-GCM with the ring's current key; the key version travels beside the blob so keys can rotate. */
export function seal(ring: KeyRing, plaintext: string, associatedData: string): Sealed {
  const key = ring.keys.get(ring.current);
  if (key === undefined) throw new Error('The current encryption key is missing from the key ring');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associatedData));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { keyVersion: ring.current, blob: Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url') };
}

export function unseal(ring: KeyRing, sealed: Sealed, associatedData: string): string {
  const key = ring.keys.get(sealed.keyVersion);
  if (key === undefined) throw new Error(`Encryption key version ${sealed.keyVersion} is not configured`);
  const raw = Buffer.from(sealed.blob, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(associatedData));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
