import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { AppError } from '../../shared/errors.ts';
import type { AppEnv } from '../env.ts';

export interface ApiRoute {
  method: 'get' | 'post' | 'put' | 'delete';
  /** OpenAPI style, e.g. /incidents/{id}; mounted under /api/v1. */
  path: string;
  summary: string;
  tag: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  headers?: { name: string; description: string }[];
  responses: Partial<Record<200 | 201 | 202 | 204, z.ZodType | null>>;
  /** Error statuses beyond the ones every route can answer (see openapi.ts), with what they mean here. */
  errors?: Partial<Record<409 | 422 | 503, string>>;
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
  const text = await c.req.text();
  // No body at all reads as {}: the schema then names any field that is required.
  if (text.trim() === '') return {};
  if (!type.includes('application/json')) {
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

export const queryOf = (c: Context<AppEnv>): Record<string, string> => c.req.query();
