import type { CallLog } from './call-log.ts';
import type { FaultStore } from './faults.ts';
import type { Store } from './store.ts';
import type { SandboxApp } from './types.ts';
import type { WebhookDispatcher } from './webhooks.ts';

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
  webhooks: WebhookDispatcher;
  log: (msg: string, data?: Record<string, unknown>) => void;
  registerApp: (app: SandboxApp) => Promise<void>;
}
