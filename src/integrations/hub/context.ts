import type { Deps } from '../../domain/context.ts';
import type { KeyRing } from '../../platform/crypto.ts';
import type { ProviderRegistry } from './registry.ts';
import { notFound } from '../../shared/errors.ts';
import type { ProviderAdapter } from './provider.ts';
import type { WarRoomTiming } from '../../domain/war-rooms/port.ts';

/** What the hub needs beyond the domain's dependencies: the keys it seals with and the providers. */
export interface HubDeps extends Deps {
  keyRing: KeyRing;
  secretKey: string;
  providers: ProviderRegistry;
  /** How often the periodic health check runs per connection. */
  healthCheckIntervalMs: number;
  /** War-room timing: lifetime, retry pauses on outages, and how long a second caller waits. */
  warRoomTiming: WarRoomTiming;
}

export function requireProvider(hub: HubDeps, id: string): ProviderAdapter {
  const p = hub.providers.get(id);
  if (!p) throw notFound(`The integration "${id}"`);
  return p;
}
