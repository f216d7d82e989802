/** Per-minute quota classes of the Meet API, per user per project (reference §3.10). */
export type QuotaClass = 'read' | 'write' | 'create';

export const QUOTA_LIMITS: Record<QuotaClass, { perUser: number; metric: string; limit: string }> = {
  read: { perUser: 600, metric: 'Read requests', limit: 'Read requests per minute per user' },
  write: { perUser: 100, metric: 'Write requests', limit: 'Write requests per minute per user' },
  create: { perUser: 10, metric: 'Space creation requests', limit: 'Space creation requests per minute per user' },
};

export interface QuotaCounters {
  /** Records one request at `nowMs`; false when the sliding 60-second window is already full. */
  take(key: string, cls: QuotaClass, nowMs: number): boolean;
  clear(): void;
}

export function createQuotaCounters(): QuotaCounters {
  let windows = new Map<string, number[]>();
  return {
    take(key, cls, nowMs) {
      const k = `${key}:${cls}`;
      const recent = (windows.get(k) ?? []).filter((t) => t > nowMs - 60_000 && t <= nowMs);
      if (recent.length >= QUOTA_LIMITS[cls].perUser) {
        windows.set(k, recent);
        return false;
      }
      recent.push(nowMs);
      windows.set(k, recent);
      return true;
    },
    clear() {
      windows = new Map();
    },
  };
}
