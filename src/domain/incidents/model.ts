import { z } from 'zod';

export const Severity = z.enum(['SEV0', 'SEV1', 'SEV2', 'SEV3', 'SEV4'], { error: 'must be one of SEV0, SEV1, SEV2, SEV3, SEV4' });
export type Severity = z.infer<typeof Severity>;
export const SEVERITIES = Severity.options;

export const SEVERITY_DESCRIPTION: Record<Severity, string> = {
  SEV0: 'Critical — full outage or data loss for many customers; all hands.',
  SEV1: 'Major — a core feature is down or badly degraded for many customers.',
  SEV2: 'Significant — partial degradation, a workaround exists or few customers are hit.',
  SEV3: 'Minor — limited impact; fix within working hours.',
  SEV4: 'Low — cosmetic or internal only; no customer impact.',
};

export const Status = z.enum(['investigating', 'fixing', 'monitoring', 'resolved', 'closed'], {
  error: 'must be one of investigating, fixing, monitoring, resolved, closed',
});
export type Status = z.infer<typeof Status>;
export const STATUSES = Status.options;

export const STATUS_LABEL: Record<Status, string> = {
  investigating: 'Investigating',
  fixing: 'Fixing',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
  closed: 'Closed',
};

/** Forward through the lifecycle, back while still active, and a resolved incident may be reopened. */
export const TRANSITIONS: Record<Status, readonly Status[]> = {
  investigating: ['fixing', 'monitoring', 'resolved'],
  fixing: ['investigating', 'monitoring', 'resolved'],
  monitoring: ['investigating', 'fixing', 'resolved'],
  resolved: ['closed', 'investigating'],
  closed: [],
};

export const isActive = (status: Status): boolean => status !== 'resolved' && status !== 'closed';

export const reference = (number: number): string => `INC-${number}`;

export const Title = z
  .string({ error: 'is required' })
  .trim()
  .min(1, 'is required')
  .max(200, 'must be at most 200 characters');

export const Summary = z.string({ error: 'must be text' }).trim().max(10_000, 'must be at most 10,000 characters');

export interface IncidentView {
  id: string;
  number: number;
  reference: string;
  title: string;
  summary: string;
  severity: Severity;
  status: Status;
  active: boolean;
  lead: { userId: string; name: string } | null;
  declaredBy: { userId: string; name: string } | null;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  /** Goes up with every change to the incident (fields or notes): the API's ETag. */
  version: number;
}
