import type { FC } from 'hono/jsx';
import type { Child } from 'hono/jsx';
import type { AuditEntryView } from '../../../domain/audit/list-audit.ts';
import { STATUS_LABEL, Status } from '../../../domain/incidents/model.ts';
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
  /** Display names of the integrations by id, for entries that name one. */
  providerNames?: Readonly<Record<string, string>>;
}

const link = (f: AuditProps['filters'], page: number) => {
  const q = new URLSearchParams();
  if (f.action) q.set('action', f.action);
  if (f.actor) q.set('actor', f.actor);
  q.set('page', String(page));
  return `/organization/audit?${q.toString()}`;
};

/** Actor labels are "Name (email)": the sentence names the person, the details keep the address. */
const actorName = (label: string): string => /^(.*) \([^()]*@[^()]*\)$/.exec(label)?.[1] ?? label;

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const statusLabel = (v: unknown): string => {
  const s = Status.safeParse(v);
  return s.success ? STATUS_LABEL[s.data] : String(v ?? '?');
};

/** The incident an entry is about, linked by its reference (INC-7), as people say it. */
const IncidentRef: FC<{ e: AuditEntryView }> = ({ e }) => {
  const ref = text(e.metadata['incident']);
  const number = ref ? /^INC-(\d+)$/.exec(ref)?.[1] : undefined;
  if (ref && number) return <a href={`/incidents/${number}`}>{ref}</a>;
  return <>an incident</>;
};

/** What happened, as the rest of a sentence that starts with the actor's name. */
function describe(e: AuditEntryView, names: Readonly<Record<string, string>>): Child {
  const providerName = (v: unknown): string => {
    const id = text(v);
    return id ? (names[id] ?? id) : 'an integration';
  };
  const m = e.metadata;
  const inc = <IncidentRef e={e} />;
  switch (e.action) {
    case 'incident.declared':
      return <>declared {inc}{text(m['severity']) ? ` as ${String(m['severity'])}` : ''}</>;
    case 'incident.status_changed':
      return <>changed the status of {inc} from {statusLabel(m['from'])} to {statusLabel(m['to'])}</>;
    case 'incident.severity_changed':
      return <>changed the severity of {inc} from {String(m['from'])} to {String(m['to'])}</>;
    case 'incident.lead_changed':
      return text(m['lead']) ? <>made {String(m['lead'])} the lead of {inc}</> : <>removed the lead of {inc}</>;
    case 'incident.title_changed':
      return <>renamed {inc} to “{String(m['to'] ?? '')}”</>;
    case 'incident.summary_changed':
      return <>updated the summary of {inc}</>;
    case 'incident.note_added':
      return <>added a note to {inc}</>;
    case 'war_room.created':
      return <>created the war room of {inc}</>;
    case 'war_room.failed':
      return <>could not create a war room for {inc}</>;
    case 'war_room.settings_changed':
      return <>changed the war room settings</>;
    case 'invite.created':
      return <>created an invite link for a new {text(m['role']) ?? 'member'}</>;
    case 'invite.accepted':
      return <>joined through an invite link as {text(m['role']) ?? 'a member'}</>;
    case 'invite.revoked':
      return <>revoked an invite link</>;
    case 'member.role_changed':
      return <>changed the role of {text(m['member']) ?? 'a member'} from {String(m['from'])} to {String(m['to'])}</>;
    case 'member.removed':
      return <>removed {text(m['member']) ?? 'a member'}{text(m['role']) ? ` (${String(m['role'])})` : ''}</>;
    case 'organization.created':
      return <>created the organization{text(m['name']) ? ` ${String(m['name'])}` : ''}</>;
    case 'user.signed_up':
      return <>created an account</>;
    case 'user.signed_in':
      return <>signed in</>;
    case 'user.signed_out':
      return <>signed out</>;
    case 'user.sign_in_failed':
      return <>failed to sign in</>;
    case 'api_token.created':
      return <>created the API token “{String(m['token_name'] ?? '')}”</>;
    case 'api_token.revoked':
      return <>revoked the API token “{String(m['token_name'] ?? '')}”</>;
    case 'integration.connected':
      return <>connected {providerName(m['provider'])}</>;
    case 'integration.disconnected':
      return <>disconnected {providerName(m['provider'])}</>;
    case 'integration.deauthorized':
      return <>removed Runframe from {providerName(m['provider'])}, which disconnected it</>;
    case 'integration.reconnect_required':
      return <>found that {providerName(m['provider'])} needs reconnecting</>;
    case 'integration.revoke_failed':
      return <>could not revoke Runframe’s access at {providerName(m['provider'])}</>;
    case 'integration.user_data_deleted':
      return <>asked Runframe to delete what it kept about the removed {providerName(m['provider'])} user, and it was deleted</>;
    case 'integration.previous_grant_revoked':
      return <>had the earlier {providerName(m['provider'])} user’s authorization revoked, as the connection now uses another user</>;
    case 'integration.health_checked':
      return <>checked the {providerName(m['provider'])} connection and found a problem</>;
    default:
      return (
        <>
          did <code>{e.action}</code>
          {e.targetType === 'incident' ? <> on {inc}</> : null}
        </>
      );
  }
}

const METADATA_LABEL: Record<string, string> = { from: 'Before', to: 'After' };
const metadataLabel = (key: string): string => {
  const words = METADATA_LABEL[key] ?? key.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const VIA: Record<string, string> = { session: 'the web app', api_token: 'an API token', cli: 'the command line', system: 'Runframe itself' };

const Details: FC<{ e: AuditEntryView }> = ({ e }) => {
  const extra = Object.entries(e.metadata).filter(([k]) => k !== 'via' && k !== 'incident');
  return (
    <details>
      <summary>Details</summary>
      <dl class="facts">
        <dt>Action</dt>
        <dd>
          <code>{e.action}</code>
        </dd>
        <dt>By</dt>
        <dd>{e.actor}</dd>
        {text(e.metadata['via']) && (
          <>
            <dt>Through</dt>
            <dd>{VIA[String(e.metadata['via'])] ?? String(e.metadata['via'])}</dd>
          </>
        )}
        <dt>At</dt>
        <dd>{e.createdAt}</dd>
        <dt>Address</dt>
        <dd>{e.ip || 'none recorded'}</dd>
        {e.userAgent && (
          <>
            <dt>Client</dt>
            <dd>{e.userAgent}</dd>
          </>
        )}
        {extra.map(([k, v]) => (
          <>
            <dt>{metadataLabel(k)}</dt>
            <dd>{v === null ? 'none' : Array.isArray(v) ? v.join(', ') : String(v)}</dd>
          </>
        ))}
      </dl>
    </details>
  );
};

export const AuditPage: FC<AuditProps> = ({ shell, entries, filters, page, perPage, total, error, providerNames }) => {
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
        <section class="panel" aria-labelledby="audit-entries-h">
          <h2 id="audit-entries-h" class="sr-only">
            Entries, newest first
          </h2>
          <ol class="audit">
            {entries.map((e) => (
              <li data-action={e.action}>
                <p class="what">
                  <strong>{actorName(e.actor)}</strong> {describe(e, providerNames ?? {})}
                </p>
                <time datetime={e.createdAt}>{fmtTime(e.createdAt)}</time>
                <Details e={e} />
              </li>
            ))}
          </ol>
        </section>
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
