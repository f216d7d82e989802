import type { FC } from 'hono/jsx';
import { MISSING_PERMISSION } from '../../../domain/access/roles.ts';
import type { IncidentList } from '../../../domain/incidents/list-incidents.ts';
import { SEVERITIES, STATUSES, STATUS_LABEL } from '../../../domain/incidents/model.ts';
import type { AppError } from '../../../shared/errors.ts';
import { fmtTime } from '../helpers.tsx';
import { Layout, type PageShell } from '../layout.tsx';
import { SeverityBadge, StatusBadge } from './components.tsx';

export interface ListProps {
  shell: PageShell;
  canEdit: boolean;
  /** Null when the filters were refused. */
  list: IncidentList | null;
  error?: AppError | null;
}

const pageLink = (filters: IncidentList['filters'], cursor: { after: string } | { before: string }) => {
  const q = new URLSearchParams();
  if (filters.status) q.set('status', filters.status);
  if (filters.severity) q.set('severity', filters.severity);
  for (const [k, v] of Object.entries(cursor)) q.set(k, v);
  return `/incidents?${q.toString()}`;
};

export const IncidentListPage: FC<ListProps> = ({ shell, canEdit, list, error }) => {
  const incidents = list?.incidents ?? [];
  const filters = list?.filters ?? {};
  const total = list?.total ?? 0;
  const filtered = Boolean(filters.status || filters.severity);
  return (
    <Layout {...shell} error={error ?? null}>
      <div class="row between items-center">
        <h1>Incidents</h1>
        {canEdit ? (
          <a class="button" href="/incidents/new">
            Declare incident
          </a>
        ) : (
          <p class="muted">{MISSING_PERMISSION['incident:edit']}</p>
        )}
      </div>
      <form method="get" action="/incidents" class="panel row" aria-label="Filter incidents">
        <div>
          <label for="f-status">Status</label>
          <select id="f-status" name="status">
            <option value="">All</option>
            <option value="active" selected={filters.status === 'active'}>
              Active (not resolved or closed)
            </option>
            {STATUSES.map((s) => (
              <option value={s} selected={filters.status === s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="f-severity">Severity</label>
          <select id="f-severity" name="severity">
            <option value="">All</option>
            {SEVERITIES.map((s) => (
              <option value={s} selected={filters.severity === s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="secondary">
          Filter
        </button>
        {filtered && <a href="/incidents">Clear filters</a>}
      </form>
      {incidents.length === 0 ? (
        <div class="panel empty">
          {filtered ? (
            <p>No incidents match these filters.</p>
          ) : (
            <p>
              No incidents yet. {canEdit ? 'When something breaks, declare an incident so everyone works from one page.' : 'Incidents your team declares will appear here.'}
            </p>
          )}
          {canEdit && !filtered && (
            <a class="button" href="/incidents/new">
              Declare your first incident
            </a>
          )}
        </div>
      ) : (
        <table class="stack">
          <caption class="sr-only">Incidents, active first</caption>
          <thead>
            <tr>
              <th scope="col">Incident</th>
              <th scope="col">Severity</th>
              <th scope="col">Status</th>
              <th scope="col">Lead</th>
              <th scope="col">Declared</th>
            </tr>
          </thead>
          <tbody>
            {incidents.map((i) => (
              <tr>
                <td>
                  <a href={`/incidents/${i.number}`}>
                    {i.reference} {i.title}
                  </a>
                </td>
                <td data-label="Severity">
                  <SeverityBadge severity={i.severity} />
                </td>
                <td data-label="Status">
                  <StatusBadge incident={i} />
                </td>
                <td data-label="Lead">{i.lead?.name ?? <span class="muted">No lead</span>}</td>
                <td data-label="Declared">{fmtTime(i.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list && total > 0 && (
        <nav class="pager" aria-label="Pages">
          {list.prevCursor !== null && <a href={pageLink(filters, { before: list.prevCursor })}>Newer incidents</a>}
          <span>
            {list.totalCapped ? `More than ${total.toLocaleString('en-US')}` : total} incident{total === 1 ? '' : 's'}
          </span>
          {list.nextCursor !== null && <a href={pageLink(filters, { after: list.nextCursor })}>Older incidents</a>}
        </nav>
      )}
    </Layout>
  );
};
