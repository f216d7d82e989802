import type { FC } from 'hono/jsx';
import { SEVERITY_DESCRIPTION, STATUS_LABEL, type IncidentView, type Severity, type Status } from '../../../domain/incidents/model.ts';

export const SeverityBadge: FC<{ severity: Severity }> = ({ severity }) => (
  <span class={`badge sev-${severity}`} title={SEVERITY_DESCRIPTION[severity]}>
    {severity}
  </span>
);

export const StatusBadge: FC<{ incident: Pick<IncidentView, 'status' | 'active'> }> = ({ incident }) => (
  <span class={`badge ${incident.active ? 'status-active' : 'status-inactive'}`}>
    {incident.active ? `Active · ${STATUS_LABEL[incident.status as Status]}` : STATUS_LABEL[incident.status as Status]}
  </span>
);
