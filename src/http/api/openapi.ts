import { z } from 'zod';
import { API_PREFIX, type ApiRoute } from './registry.ts';
import { ErrorResponse } from './schemas.ts';

const schemaOf = (s: z.ZodType) => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const INCIDENT_PARAM = 'Incident id or reference (INC-42)';
const ETAG_HEADER = { ETag: { description: 'The incident’s version ("3"): send it back as If-Match to change it', schema: { type: 'string' } } };

/** OpenAPI 3.1, built from the same zod schemas that validate the requests. */
export function buildOpenApi(routes: ApiRoute[], publicUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const parameters: unknown[] = [];
    for (const m of r.path.matchAll(/\{(\w+)\}/g)) {
      const name = m[1] ?? '';
      parameters.push({ name, in: 'path', required: true, schema: { type: 'string' }, description: r.params?.[name] ?? INCIDENT_PARAM });
    }
    if (r.query) {
      for (const [name, field] of Object.entries(r.query.shape)) {
        parameters.push({ name, in: 'query', required: false, schema: schemaOf(field as z.ZodType) });
      }
    }
    for (const h of r.headers ?? []) parameters.push({ name: h.name, in: 'header', required: h.required === true, description: h.description, schema: { type: 'string', maxLength: 255 } });
    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(r.responses)) {
      responses[status] = schema
        ? { description: 'OK', ...(r.etag ? { headers: ETAG_HEADER } : {}), content: { 'application/json': { schema: schemaOf(schema) } } }
        : { description: 'Done; no content' };
    }
    const error = (description: string, retryAfter = false) => ({
      description,
      ...(retryAfter ? { headers: { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 0 } } } } : {}),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    });
    responses['400'] = error('Invalid input: error.fields names each field and the reason');
    responses['401'] = error('No valid session or API token');
    responses['403'] = error('Your role does not allow this');
    responses['404'] = error('Not found in your organization');
    responses['405'] = error('This address does not take this method (see the Allow header)');
    if (r.body) responses['413'] = error('The body is larger than 1 MB');
    responses['429'] = error('Too many requests', true);
    for (const [status, description] of Object.entries(r.errors ?? {})) responses[status] = error(description, status === '503');
    if (!r.errors?.[409]) responses['409'] = error('Conflicts with the current state');
    if (!r.errors?.[503]) responses['503'] = error('Runframe cannot reach its database (code "unavailable"); try again after Retry-After', true);
    (paths[r.path] ??= {})[r.method] = {
      operationId: operationId(r),
      summary: r.summary,
      tags: [r.tag],
      parameters,
      ...(r.body ? { requestBody: { required: r.bodyOptional !== true, content: { 'application/json': { schema: schemaOf(r.body) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Runframe API',
      version: '1.0.0',
      description:
        'Incidents, timeline, war rooms, members, invites and audit log. Authenticate with a personal API token: Authorization: Bearer rf_…. ' +
        'Changing an incident with PATCH needs If-Match with the ETag of your last read (428 without it, 412 if it changed since).',
    },
    servers: [{ url: publicUrl + API_PREFIX }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, cookie: { type: 'apiKey', in: 'cookie', name: 'rf_session' } },
      schemas: { Error: schemaOf(ErrorResponse) },
    },
    paths,
  };
}

/** A stable, unique name per operation (GET /incidents/{id}/war-room → getIncidentsIdWarRoom). */
function operationId(r: ApiRoute): string {
  const words = r.path.split(/[/{}-]+/).filter(Boolean);
  return r.method + words.map((w) => w[0]?.toUpperCase() + w.slice(1)).join('');
}
