import type { CallLog } from './call-log.ts';
import type { FaultStore } from './faults.ts';
import type { QuotaCounters } from './quotas.ts';
import type { Store } from './store.ts';
import type { SandboxApp } from './types.ts';

/** Everything a route module needs; built once per sandbox in index.ts. */
export interface Ctx {
  basePath: string;
  publicUrl: string;
  store: Store;
  now: () => Date;
  setClockOffset: (ms: number) => void;
  clockOffset: () => number;
  faults: FaultStore;
  calls: CallLog;
  quotas: QuotaCounters;
  log: (msg: string, data?: Record<string, unknown>) => void;
  registerApp: (app: SandboxApp) => void;
}
