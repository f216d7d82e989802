/** Zoom formats timestamps without milliseconds: 2019-08-30T22:00:00Z. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function nextUtcMidnight(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1));
}

export function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function offsetMs(utcMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utcMs));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/**
 * Zoom reads `yyyy-MM-ddTHH:mm:ss` without `Z` as local time in the meeting's timezone.
 * Returns null for an unparseable or impossible value (month 13, February 30, hour 24, …): `Date.UTC`
 * would silently roll those over into a different date, so each field is range-checked and the result
 * must read back as the same calendar fields.
 */
export function parseZoomStartTime(value: string, timeZone: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z)?$/.exec(value);
  if (!m) return null;
  const [, ys, mos, ds, hs, mis, ss, z] = m;
  const [y, mo, d, h, mi, s] = [ys, mos, ds, hs, mis, ss].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  const naive = Date.UTC(y, mo - 1, d, h, mi, s);
  if (Number.isNaN(naive)) return null;
  const back = new Date(naive);
  // Round trip: 2026-02-30 would come back as 2026-03-02.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  if (z) return back;
  const first = naive - offsetMs(naive, timeZone);
  const local = naive - offsetMs(first, timeZone);
  return Number.isNaN(local) ? null : new Date(local);
}
