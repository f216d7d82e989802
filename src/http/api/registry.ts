import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { AppError } from '../../shared/errors.ts';
import type { AppEnv } from '../env.ts';

export interface ApiRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI style, e.g. /incidents/{id}; mounted under /api/v1. */
  path: string;
  summary: string;
  tag: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  headers?: { name: string; description: string; required?: boolean }[];
  /** What each path parameter is, when it is not an incident (see openapi.ts). */
  params?: Record<string, string>;
  responses: Partial<Record<200 | 201 | 202 | 204, z.ZodType | null>>;
  /** The success answer carries the resource's version in an ETag header. */
  etag?: boolean;
  /** Error statuses beyond the ones every route can answer (see openapi.ts), with what they mean here. */
  errors?: Partial<Record<409 | 412 | 422 | 428 | 503, string>>;
  /** The body may be left out entirely (every field is optional). */
  bodyOptional?: boolean;
  handler: (c: Context<AppEnv>) => Promise<Response>;
}

export const API_PREFIX = '/api/v1';

const honoPath = (p: string) => p.replace(/\{(\w+)\}/g, ':$1');

export function mountRoutes(app: Hono<AppEnv>, routes: ApiRoute[]): void {
  for (const r of routes) app[r.method](API_PREFIX + honoPath(r.path), (c) => r.handler(c));
}

/** Reads a JSON body; anything else is a 400 that says what was expected. */
export async function readJson(c: Context<AppEnv>): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  // Straight from the Node request when it came through the Node adapter (api-body.ts).
  const fromNode = c.get('readApiBody');
  const text = fromNode ? await fromNode() : await c.req.text();
  // No body at all reads as {}: the schema then names any field that is required.
  if (text.trim() === '') return {};
  // application/json, or a JSON flavour such as application/merge-patch+json.
  if (!/application\/(?:[\w.-]+\+)?json/i.test(type)) {
    throw new AppError('validation', 'The request body must be JSON.', {
      fields: [{ field: 'body', reason: 'must be sent with Content-Type: application/json' }],
      hint: 'Send a JSON object with Content-Type: application/json.',
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError('validation', 'The request body is not valid JSON.', { fields: [{ field: 'body', reason: 'is not valid JSON' }] });
  }
}

/** Sends a response typed by its schema, so the OpenAPI document and the handler cannot drift apart. */
export function respond<S extends z.ZodType>(c: Context<AppEnv>, _schema: S, data: z.input<S>, status: 200 | 201 | 202 = 200): Response {
  return c.json(data as object, status);
}

/** An answer with no body (204), e.g. after a delete. */
export const noContent = (c: Context<AppEnv>): Response => c.body(null, 204);

/** The version of a resource as a strong entity tag: "7". */
export const etagOf = (version: number): string => `"${version}"`;

/**
 * Reads If-Match: one entity tag from an earlier answer ("7"), or * for "whatever the current
 * version" (an explicit choice to overwrite). Undefined when absent; `required` makes absence a 428.
 */
export function ifMatchOf(c: Context<AppEnv>, opts: { required: boolean }): { version: number } | 'any' | undefined {
  const raw = c.req.header('if-match')?.trim();
  if (raw === undefined || raw === '') {
    if (!opts.required) return undefined;
    throw new AppError('precondition_required', 'This change needs an If-Match header with the version you last read, so it cannot overwrite someone else’s change unseen.', {
      hint: 'GET the incident first and send its ETag back as If-Match (e.g. If-Match: "3"), or If-Match: * to change whatever the current version is.',
      fields: [{ field: 'If-Match', reason: 'is required' }],
    });
  }
  if (raw === '*') return 'any';
  const m = /^"(\d{1,9})"$/.exec(raw);
  if (!m) {
    throw new AppError('validation', 'The If-Match header is not an ETag Runframe sent.', {
      fields: [{ field: 'If-Match', reason: 'must be one ETag exactly as the ETag header sent it, like "3" (with the quotes), or *' }],
      hint: 'Send back the ETag header of your last GET, unchanged.',
    });
  }
  return { version: Number(m[1]) };
}

export const queryOf = (c: Context<AppEnv>): Record<string, string> => c.req.query();
