export interface CallEntry {
  method: string;
  path: string;
  endpoint: string;
  status: number;
  at: string;
  /** Set when a fault closed the connection; `status` is then 0 (no answer) or what was computed. */
  dropped?: boolean;
  fault?: string;
}

export interface CallLog {
  record(entry: CallEntry, extraCountKeys?: string[]): void;
  snapshot(): { calls: CallEntry[]; counts: Record<string, number> };
  clear(): void;
}

export function createCallLog(limit = 5000): CallLog {
  let calls: CallEntry[] = [];
  let counts: Record<string, number> = {};
  return {
    record(entry, extraCountKeys = []) {
      calls.push(entry);
      if (calls.length > limit) calls = calls.slice(-limit);
      for (const key of [entry.endpoint, ...extraCountKeys]) counts[key] = (counts[key] ?? 0) + 1;
    },
    snapshot() {
      return { calls: [...calls], counts: { ...counts } };
    },
    clear() {
      calls = [];
      counts = {};
    },
  };
}
