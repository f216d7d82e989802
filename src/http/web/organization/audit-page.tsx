import type { FC } from 'hono/jsx';
import type { AuditEntryView } from '../../../domain/audit/list-audit.ts';
import type { AppError } from '../../../shared/errors.ts';
import { fmtTime } from '../helpers.tsx';
import { Layout, type PageShell } from '../layout.tsx';

export interface AuditProps {
  shell: PageShell;
  entries: AuditEntryView[];
  filters: { action?: string | undefined; actor?: string | undefined };
  page: number;
  perPage: number;
  total: number;
  error?: AppError | null;
}

const link = (f: AuditProps['filters'], page: number) => {
  const q = new URLSearchParams();
  if (f.action) q.set('action', f.action);
  if (f.actor) q.set('actor', f.actor);
  q.set('page', String(page));
  return `/organization/audit?${q.toString()}`;
};

export const AuditPage: FC<AuditProps> = ({ shell, entries, filters, page, perPage, total, error }) => {
  const pages = Math.max(1, Math.ceil(total / perPage));
  return (
    <Layout {...shell} error={error ?? null}>
      <p class="muted">Organization</p>
      <h1>Audit log</h1>
      <form method="get" action="/organization/audit" class="panel row" aria-label="Filter the audit log">
        <div>
          <label for="a-action">Action starts with</label>
          <input id="a-action" name="action" type="text" placeholder="incident." value={filters.action ?? ''} />
        </div>
        <div>
          <label for="a-actor">Actor contains</label>
          <input id="a-actor" name="actor" type="text" placeholder="name or email" value={filters.actor ?? ''} />
        </div>
        <button type="submit" class="secondary">
          Filter
        </button>
        {(filters.action || filters.actor) && <a href="/organization/audit">Clear filters</a>}
      </form>
      {entries.length === 0 ? (
        <div class="panel empty">
          <p>No audit entries match.</p>
        </div>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Address</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr>
                <td>{fmtTime(e.createdAt)}</td>
                <td>{e.actor}</td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td>
                  {e.targetType}
                  {e.targetId ? <span class="muted"> {e.targetId.slice(0, 8)}</span> : null}
                </td>
                <td>
                  {e.ip || '—'}
                  <div class="muted small">
                    {e.userAgent.slice(0, 60)}
                  </div>
                </td>
                <td>
                  <code>{Object.keys(e.metadata).length > 0 ? JSON.stringify(e.metadata) : ''}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label="Pages">
        {page > 1 && <a href={link(filters, page - 1)}>Previous page</a>}
        <span>
          Page {page} of {pages} · {total} entr{total === 1 ? 'y' : 'ies'}
        </span>
        {page < pages && <a href={link(filters, page + 1)}>Next page</a>}
      </nav>
    </Layout>
  );
};
