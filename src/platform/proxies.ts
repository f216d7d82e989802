import { BlockList, isIP } from 'node:net';

/** The reverse proxies in front of Runframe (TRUSTED_PROXIES): only their forwarding headers are believed. */
export interface TrustedProxies {
  /** Empty list: no peer is trusted and forwarding headers are ignored. */
  readonly entries: readonly string[];
  trusts(address: string): boolean;
}

/** `::ffff:203.0.113.7` (an IPv4 peer on a dual-stack socket) is the IPv4 address. */
export function normalizeAddress(address: string): string {
  const a = address.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  return mapped?.[1] ?? a;
}

const family = (address: string): 'ipv4' | 'ipv6' | null => {
  const v = isIP(address);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : null;
};

/** Comma-separated addresses and CIDR ranges, e.g. `10.0.0.0/8, 127.0.0.1, ::1`. */
export function parseTrustedProxies(value: string): { proxies: TrustedProxies; problems: string[] } {
  const list = new BlockList();
  const entries: string[] = [];
  const problems: string[] = [];
  for (const raw of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [addr = '', bits, extra] = raw.split('/');
    const fam = family(addr);
    const prefix = bits === undefined ? undefined : Number(bits);
    const max = fam === 'ipv4' ? 32 : 128;
    if (fam === null || extra !== undefined || (prefix !== undefined && (!/^\d+$/.test(bits ?? '') || prefix > max))) {
      problems.push(`"${raw}" is not an IP address or CIDR range (e.g. 10.0.0.0/8 or 127.0.0.1)`);
      continue;
    }
    if (prefix === undefined) list.addAddress(normalizeAddress(addr), fam);
    else list.addSubnet(addr, prefix, fam);
    entries.push(raw);
  }
  const trusts = (address: string) => {
    const a = normalizeAddress(address);
    const fam = family(a);
    return entries.length > 0 && fam !== null && list.check(a, fam);
  };
  return { proxies: { entries, trusts }, problems };
}

export const noTrustedProxies: TrustedProxies = parseTrustedProxies('').proxies;

/**
 * The client's address and scheme as seen through trusted proxies. X-Forwarded-For is read from the
 * right: each trusted hop is skipped, and the first address not trusted is the client (anything left
 * of it was written by the client and proves nothing).
 */
export function clientOf(peer: string, forwardedFor: string | undefined, forwardedProto: string | undefined, proxies: TrustedProxies): { ip: string; proto: 'http' | 'https' | null } {
  const direct = normalizeAddress(peer);
  if (!proxies.trusts(direct)) return { ip: direct, proto: null };
  const hops = (forwardedFor ?? '').split(',').map((h) => normalizeAddress(h)).filter((h) => h !== '');
  let ip = direct;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] ?? '';
    if (family(hop) === null) break; // garbage: stop at the last address we could trust
    ip = hop;
    if (!proxies.trusts(hop)) break;
  }
  // The proxy nearest to us appends last: its value is the rightmost one.
  const proto = (forwardedProto ?? '').split(',').map((p) => p.trim().toLowerCase()).pop();
  return { ip, proto: proto === 'https' || proto === 'http' ? proto : null };
}
