import { z } from 'zod';
import { Severity, Status } from '../../domain/incidents/model.ts';
import { ERROR_CODES } from '../../shared/errors.ts';

const Person = z.object({ userId: z.string(), name: z.string() });

export const IncidentSchema = z.object({
  id: z.string(),
  number: z.number().int(),
  reference: z.string().describe('INC-<number>'),
  title: z.string(),
  summary: z.string(),
  severity: Severity,
  status: Status,
  active: z.boolean().describe('Not resolved and not closed'),
  lead: Person.nullable(),
  declaredBy: Person.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  resolvedAt: z.string().nullable(),
  version: z.number().int().describe('Goes up with every change (fields or notes); also sent as the ETag header'),
});

export const IncidentResponse = z.object({ incident: IncidentSchema });

export const IncidentListResponse = z.object({
  incidents: z.array(IncidentSchema),
  page: z.number().int(),
  perPage: z.number().int(),
  total: z.number().int().describe('Matching incidents, counted up to 1000 (see totalCapped)'),
  totalCapped: z.boolean().describe('True when more than 1000 incidents match: total stops counting there'),
  nextCursor: z.string().nullable().describe('Pass as after= for the next (older) page; null on the last page'),
  prevCursor: z.string().nullable().describe('Pass as before= for the previous (newer) page; null on the first page'),
});

export const TimelineResponse = z.object({
  entries: z.array(
    z.object({ id: z.string(), kind: z.string(), actor: z.string(), body: z.string(), data: z.record(z.string(), z.unknown()), createdAt: z.string() }),
  ),
  nextCursor: z.string().nullable().describe('The last entry’s cursor: after= it returns the entries that follow (or, later, the new ones); null when there are none'),
  prevCursor: z.string().nullable().describe('Pass as before= for the entries just before this page; null when the page starts at the first entry'),
});

export const AuditResponse = z.object({
  entries: z.array(
    z.object({
      id: z.string(),
      action: z.string(),
      actor: z.string(),
      targetType: z.string(),
      targetId: z.string().nullable(),
      ip: z.string(),
      userAgent: z.string(),
      metadata: z.record(z.string(), z.unknown()),
      createdAt: z.string(),
    }),
  ),
  page: z.number().int(),
  perPage: z.number().int(),
  total: z.number().int(),
});

export const MeResponse = z.object({
  user: z.object({ id: z.string(), name: z.string(), email: z.string() }),
  organization: z.object({ id: z.string(), name: z.string() }),
  role: z.string(),
});

export const ErrorResponse = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    hint: z.string().nullable(),
    requestId: z.string(),
    fields: z.array(z.object({ field: z.string(), reason: z.string() })).optional(),
  }),
});
