import type { PasswordHasher } from '../platform/crypto.ts';
import type { Db } from '../platform/db/client.ts';
import type { Log } from '../platform/log.ts';
import type { Clock } from '../shared/clock.ts';
import type { Role } from './access/roles.ts';

export interface DomainSettings {
  publicUrl: string;
  sessionTtlHours: number;
  /** Failures per (account, address) and per address across accounts, within the window. */
  signIn: { maxFailures: number; maxFailuresPerAddress: number; windowMinutes: number };
}

/** What every operation gets, signed in or not. */
export interface Deps {
  db: Db;
  clock: Clock;
  log: Log;
  settings: DomainSettings;
  passwords: PasswordHasher;
}

/** Where a request came from, for the audit log. */
export interface RequestMeta {
  ip: string;
  userAgent: string;
  requestId: string;
}

export interface Actor {
  userId: string;
  name: string;
  email: string;
  orgId: string;
  role: Role;
  /** How the actor authenticated: audit rows say so. */
  via: 'session' | 'api_token' | 'cli' | 'system';
}

export interface Ctx extends Deps {
  actor: Actor;
  meta: RequestMeta;
}

export const systemMeta = (requestId = 'system'): RequestMeta => ({ ip: '', userAgent: '', requestId });
