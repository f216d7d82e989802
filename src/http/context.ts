import type { Context } from 'hono';
import type { Actor, Ctx } from '../domain/context.ts';
import { AppError } from '../shared/errors.ts';
import type { AppEnv } from './env.ts';

export function findActor(c: Context<AppEnv>): Actor | null {
  const auth = c.get('auth');
  return auth?.actor ?? null;
}

export function requireActor(c: Context<AppEnv>): Actor {
  const auth = c.get('auth');
  if (auth === null) {
    throw new AppError('unauthenticated', 'You are not signed in.', { hint: 'Sign in, or send an API token as "Authorization: Bearer …".' });
  }
  if (auth.actor === null) {
    throw new AppError('forbidden', 'You are not a member of any organization.', { hint: 'Create an organization or ask for an invite link.' });
  }
  return auth.actor;
}

/** The domain context of this request: dependencies, the acting member and where the request came from. */
export function ctxOf(c: Context<AppEnv>): Ctx {
  return { ...c.get('deps'), actor: requireActor(c), meta: c.get('meta') };
}
