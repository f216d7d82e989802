import type { Context } from 'hono';
import type { Ctx } from './context.ts';
import { isoSeconds, nextUtcMidnight, utcDay } from './time.ts';
import { MESSAGES } from './zoom-errors.ts';

export type Category = 'Light' | 'Medium';

export function rateLimitResponse(c: Context, ctx: Ctx, type: 'QPS' | 'Daily-limit', category: Category, limit: number): Response {
  const now = ctx.now();
  // Zoom sends Retry-After as an ISO timestamp, not seconds (§4.3).
  const retryAfter = type === 'QPS' ? new Date(Math.floor(now.getTime() / 1000) * 1000 + 1000) : nextUtcMidnight(now);
  c.header('X-RateLimit-Category', category);
  c.header('X-RateLimit-Type', type);
  c.header('X-RateLimit-Limit', String(limit));
  c.header('X-RateLimit-Remaining', '0');
  // The documented HTTP 300 form carries no Retry-After: the client must know the UTC-midnight reset.
  if (type === 'Daily-limit' && ctx.store.state.settings.dailyLimitStatus === 300) return c.json({ code: 300, message: MESSAGES.dailyDocumented(limit) }, 300);
  c.header('Retry-After', isoSeconds(retryAfter));
  return c.json({ code: 429, message: type === 'QPS' ? MESSAGES.qps : MESSAGES.daily(limit) }, 429);
}

const qpsWindows = new WeakMap<Ctx, Map<string, { second: number; count: number }>>();

/** Per-account requests-per-second limit; off unless set via /_control/settings. */
export function checkQps(c: Context, ctx: Ctx, accountId: string, category: Category): Response | null {
  const { settings } = ctx.store.state;
  const limit = category === 'Medium' ? settings.qpsMedium : settings.qpsLight;
  if (limit === null) return null;
  const windows = qpsWindows.get(ctx) ?? new Map<string, { second: number; count: number }>();
  qpsWindows.set(ctx, windows);
  const second = Math.floor(Date.now() / 1000);
  const key = `${accountId}:${category}`;
  const w = windows.get(key);
  const current = w && w.second === second ? w : { second, count: 0 };
  current.count += 1;
  windows.set(key, current);
  return current.count > limit ? rateLimitResponse(c, ctx, 'QPS', category, limit) : null;
}

/**
 * Per-host-user create/update counter, reset at 00:00 UTC (§4.3). Consumes one request;
 * returns a 429 response once the day's limit is reached. The caller saves the store.
 */
export function consumeDaily(c: Context, ctx: Ctx, userId: string, category: Category): Response | null {
  const { state } = ctx.store;
  const day = utcDay(ctx.now());
  const key = `${userId}:${day}`;
  for (const k of Object.keys(state.daily)) if (!k.endsWith(`:${day}`)) delete state.daily[k];
  const used = state.daily[key] ?? 0;
  const limit = state.settings.dailyLimit;
  if (used >= limit) return rateLimitResponse(c, ctx, 'Daily-limit', category, limit);
  state.daily[key] = used + 1;
  c.header('X-RateLimit-Category', category);
  c.header('X-RateLimit-Type', 'Daily-limit');
  c.header('X-RateLimit-Limit', String(limit));
  c.header('X-RateLimit-Remaining', String(limit - used - 1));
  return null;
}
