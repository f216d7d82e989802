import { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Ctx } from './context.ts';
import { allowedMethods, endpointOf } from './endpoints.ts';
import type { Fault } from './faults.ts';
import { trackingId } from './ids.ts';
import { grantTypeOf } from './oauth-token.ts';
import { rateLimitResponse } from './rate-limits.ts';
import { MESSAGES, zoomError } from './zoom-errors.ts';

export function relativePath(ctx: Ctx, path: string): string | null {
  if (path !== ctx.basePath && !path.startsWith(`${ctx.basePath}/`)) return null;
  return path.slice(ctx.basePath.length) || '/';
}

/** The Node socket under @hono/node-server; absent under app.request(), where drops cannot happen. */
function socketOf(c: Context): IncomingMessage['socket'] | null {
  const env: unknown = c.env;
  if (env && typeof env === 'object' && 'incoming' in env && env.incoming instanceof IncomingMessage) return env.incoming.socket;
  return null;
}

function drop(c: Context): Response {
  const socket = socketOf(c);
  if (!socket) return c.json({ code: 503, message: 'Zoom sandbox: a drop fault needs a real HTTP connection.' }, 503);
  socket.destroy();
  return new Response(null, { status: 204 });
}

function faultResponse(c: Context, ctx: Ctx, f: Fault, category: 'Light' | 'Medium'): Response | null {
  const k = f.fault;
  switch (k.kind) {
    case 'zoom_error':
      return c.json(k.errors ? { code: k.code, message: k.message, errors: k.errors } : { code: k.code, message: k.message }, k.status as ContentfulStatusCode);
    case 'http':
      if (k.body === undefined) return new Response(null, { status: k.status });
      if (typeof k.body === 'string') return new Response(k.body, { status: k.status, headers: { 'content-type': k.contentType ?? 'text/plain; charset=utf-8' } });
      return c.json(k.body, k.status as ContentfulStatusCode);
    case 'rate_limit':
      // Pro-plan per-second limits (Light 30/s, Medium 20/s, §4.3) when none is configured.
      return rateLimitResponse(c, ctx, k.type, category, k.type === 'QPS' ? (category === 'Medium' ? 20 : 30) : ctx.store.state.settings.dailyLimit);
    case 'user_cannot_host':
      return zoomError(c, 400, 3161, MESSAGES.cannotHost);
    case 'drop':
      return drop(c);
    default:
      return null;
  }
}

/** Tracking id, call log and fault injection around every non-control request. */
export function pipeline(ctx: Ctx): MiddlewareHandler {
  return async (c, next) => {
    const tid = trackingId();
    const path = relativePath(ctx, c.req.path) ?? c.req.path;
    if (path.startsWith('/_control')) {
      await next();
      c.res.headers.set('x-zm-trackingid', tid);
      return;
    }
    const method = c.req.method;
    const endpoint = endpointOf(method, path);
    const extraKeys: string[] = [];
    if (endpoint === 'POST /oauth/token') {
      const grant = await grantTypeOf(c);
      if (grant) extraKeys.push(`${endpoint}:${grant}`);
    }
    const keys = ['*', `${method} ${path}`, ...(endpoint ? [endpoint] : []), ...extraKeys];
    if (endpoint === 'GET /v2/users/me') keys.push('GET /v2/users/:userId');
    const fault = endpoint ? ctx.faults.take(keys, ctx.now().getTime()) : null;
    const at = ctx.now().toISOString();
    let dropped = false;

    if (fault?.fault.kind === 'delay') await sleep(fault.fault.ms);
    if (fault?.fault.kind === 'hold') await ctx.faults.hold(fault, fault.fault.maxMs);
    const early = fault ? faultResponse(c, ctx, fault, endpoint === 'POST /v2/users/:userId/meetings' ? 'Medium' : 'Light') : null;
    if (early) {
      c.res = early;
      dropped = fault?.fault.kind === 'drop' && socketOf(c) !== null;
    } else {
      await next();
      if (fault?.fault.kind === 'drop_after_processing') {
        // The action has happened; the client never learns the outcome (a "lost answer").
        dropped = socketOf(c) !== null;
        c.res = drop(c);
      }
    }
    try {
      c.res.headers.set('x-zm-trackingid', tid);
    } catch {
      c.res = new Response(c.res.body, c.res);
      c.res.headers.set('x-zm-trackingid', tid);
    }
    ctx.calls.record(
      {
        method,
        path,
        endpoint: endpoint ?? `${method} ${path}`,
        status: dropped && fault?.fault.kind === 'drop' ? 0 : c.res.status,
        at,
        ...(dropped ? { dropped } : {}),
        ...(fault ? { fault: fault.fault.kind } : {}),
      },
      extraKeys,
    );
  };
}

/** Unknown path → 404, known path with another method → 405; both in Zoom's `{code,message}` shape. */
export function notFound(ctx: Ctx) {
  return (c: Context): Response => {
    const path = relativePath(ctx, c.req.path);
    const allowed = path === null ? [] : allowedMethods(path);
    if (allowed.length > 0) {
      c.header('Allow', allowed.join(', '));
      return c.json({ code: 405, message: `Method ${c.req.method} is not allowed for this path.` }, 405);
    }
    return c.json({ code: 404, message: 'Not Found' }, 404);
  };
}
