import { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Ctx } from './context.ts';
import { endpointOf } from './endpoints.ts';
import type { Fault } from './faults.ts';
import { MESSAGES, googleError, oauthError } from './google-errors.ts';
import { quotaExceeded, serviceDisabled } from './meet-auth.ts';
import { grantTypeOf } from './oauth-token.ts';
import type { QuotaClass } from './quotas.ts';

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
  if (!socket) return googleError(c, 503, 'UNAVAILABLE', 'Google sandbox: a drop fault needs a real HTTP connection.');
  socket.destroy();
  return new Response(null, { status: 204 });
}

const DEFAULT_PROJECT = '123456789012';

function quotaClassOfEndpoint(endpoint: string | null): QuotaClass {
  if (endpoint === 'POST /v2/spaces') return 'create';
  return endpoint?.startsWith('POST ') ? 'write' : 'read';
}

function faultResponse(c: Context, f: Fault, endpoint: string | null): Response | null {
  const k = f.fault;
  switch (k.kind) {
    case 'google_error':
      return googleError(c, k.status as ContentfulStatusCode, k.rpcStatus, k.message, k.details ?? []);
    case 'oauth_error':
      return oauthError(c, k.error, k.description, k.status as ContentfulStatusCode);
    case 'http':
      if (k.body === undefined) return new Response(null, { status: k.status });
      if (typeof k.body === 'string') return new Response(k.body, { status: k.status, headers: { 'content-type': k.contentType ?? 'text/plain; charset=utf-8' } });
      return c.json(k.body, k.status as ContentfulStatusCode);
    case 'rate_limit':
      return quotaExceeded(c, quotaClassOfEndpoint(endpoint), DEFAULT_PROJECT);
    case 'service_disabled':
      return serviceDisabled(c, DEFAULT_PROJECT);
    case 'meet_disabled':
      return googleError(c, 403, 'PERMISSION_DENIED', MESSAGES.meetDisabled);
    case 'drop':
      return drop(c);
    default:
      return null;
  }
}

/** Call log and fault injection around every non-control request. */
export function pipeline(ctx: Ctx): MiddlewareHandler {
  return async (c, next) => {
    const path = relativePath(ctx, c.req.path) ?? c.req.path;
    if (path.startsWith('/_control')) return next();
    const method = c.req.method;
    const endpoint = endpointOf(method, path);
    const extraKeys: string[] = [];
    if (endpoint === 'POST /token') {
      const grant = await grantTypeOf(c);
      if (grant) extraKeys.push(`${endpoint}:${grant}`);
    }
    const keys = ['*', `${method} ${path}`, ...(endpoint ? [endpoint] : []), ...extraKeys];
    const fault = endpoint ? ctx.faults.take(keys, ctx.now().getTime()) : null;
    const at = ctx.now().toISOString();
    let dropped = false;

    if (fault?.fault.kind === 'delay') await sleep(fault.fault.ms);
    if (fault?.fault.kind === 'hold') await ctx.faults.hold(fault, fault.fault.maxMs);
    const early = fault ? faultResponse(c, fault, endpoint) : null;
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

/** Unknown path or method → 404 in Google's error shape (Google's front ends answer 404, e.g. GET /revoke). */
export function notFound() {
  return (c: Context): Response => googleError(c, 404, 'NOT_FOUND', `The requested URL ${c.req.path} was not found on this server.`);
}
