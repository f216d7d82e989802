import type { FC } from 'hono/jsx';
import type { AbandonedConnect, ConnectionView } from '../../../integrations/hub/connections.ts';
import { endScopeMissingMessage } from '../../../integrations/hub/provider.ts';
import type { AppError } from '../../../shared/errors.ts';
import { SEVERITIES } from '../../../domain/incidents/model.ts';
import type { WarRoomSettingsView } from '../../../domain/war-rooms/settings.ts';
import { fmtTime } from '../helpers.tsx';
import { Csrf, ErrorAlert, Layout, type PageShell } from '../layout.tsx';

export interface ProviderCard {
  id: string;
  displayName: string;
  section: string;
  description: string;
  connection: ConnectionView | null;
  /** A Connect whose authorization never came back, newer than the connection. */
  abandoned: AbandonedConnect | null;
  /** The scope a connected provider lacks to end meetings for everyone; null when it has it or is not connected. */
  endMeetingScope: string | null;
  /** The provider's own sentence for a user who cannot create meetings, when it has one. */
  cannotHostText?: string | undefined;
  /** Provider-specific causes to check when a reconnect is required (e.g. an expiry of test apps). */
  reconnectNote?: string | undefined;
}

/** The guide's troubleshooting row "You cannot click Connect", cause and fix, word for word. */
export const cannotManageText = (displayName: string): string =>
  `Your Runframe role cannot manage integrations. Ask a Runframe admin to grant integration management permission or connect ${displayName} for the organization.`;

export interface HubProps {
  shell: PageShell;
  settings: WarRoomSettingsView;
  saved: boolean;
  cards: ProviderCard[];
  canManage: boolean;
  managers: string[];
  message?: { kind: 'ok' | 'error'; text: string; hint?: string | undefined } | null;
  error?: AppError | null;
  now: Date;
}

const ago = (iso: string, now: Date) => {
  const mins = Math.max(0, Math.round((now.getTime() - new Date(iso).getTime()) / 60_000));
  if (mins < 1) return 'just now';
  if (mins < 60) return `${mins} minute${mins === 1 ? '' : 's'} ago`;
  const h = Math.round(mins / 60);
  return h < 48 ? `${h} hour${h === 1 ? '' : 's'} ago` : fmtTime(iso);
};

const statusText = (c: ConnectionView | null) => (c === null ? 'Not connected' : c.status === 'connected' ? 'Connected' : 'Reconnect required');

const TrashIcon = () => (
  <svg aria-hidden="true" width="16" height="16" viewBox="0 0 16 16" focusable="false">
    <path d="M6 2h4l1 1h3v2H2V3h3zM3 6h10l-1 9H4z" fill="currentColor" />
  </svg>
);

const Card: FC<{ card: ProviderCard; shell: PageShell; canManage: boolean; managers: string[]; now: Date; endOnResolve: boolean }> = ({ card, shell, canManage, managers, now, endOnResolve }) => {
  const c = card.connection;
  const status = statusText(c);
  const base = `/integrations/${card.id}`;
  return (
    <article class="panel card" aria-labelledby={`card-${card.id}`} data-status={status}>
      <div class="row between items-center">
        <h3 id={`card-${card.id}`} class="m-0">
          {card.displayName}
        </h3>
        <span class={`badge ${c?.status === 'connected' ? 'status-inactive' : c ? 'status-active' : 'sev-SEV4'}`} role="status" aria-label={`${card.displayName} status: ${status}`}>
          {status}
        </span>
      </div>
      <p class="muted">{card.description}</p>
      {canManage && card.abandoned && (
        <p class="alert info" role="status">
          {c === null
            ? `A connection to ${card.displayName} was started by ${card.abandoned.startedBy ?? 'a former member'} at ${fmtTime(card.abandoned.startedAt)} but not completed in ${card.displayName}, so nothing was connected. Click Connect to try again.`
            : `A reconnection to ${card.displayName} was started by ${card.abandoned.startedBy ?? 'a former member'} at ${fmtTime(card.abandoned.startedAt)} but not completed in ${card.displayName}, so the connection was not changed. Click Reconnect to try again.`}
        </p>
      )}
      {c?.status === 'connected' && c.canHost === false && (
        <div class="alert error" role="alert">
          <strong>{card.displayName} user cannot create a meeting.</strong> {card.cannotHostText ?? `The selected ${card.displayName} user may not have permission to host meetings.`}
          <p>Check the user's {card.displayName} account permissions, then try again.</p>
        </div>
      )}
      {c?.status === 'connected' && endOnResolve && card.endMeetingScope && (
        <div class="alert error" role="alert" id={`card-${card.id}-end-scope`}>
          <strong>{endScopeMissingMessage(card.displayName, card.endMeetingScope)}</strong>
          <p>
            War room settings ask Runframe to end the meeting for everyone when an incident is resolved, but this connection was not granted <code>{card.endMeetingScope}</code>. Add it to
            the {card.displayName} app's scopes if needed, then click Reconnect and approve it. War rooms can still be created and joined.
          </p>
        </div>
      )}
      {c?.status === 'reconnect_required' && (
        <div class="alert error" role="alert">
          <strong>{card.displayName} reconnect required.</strong> {c.reconnectReason}
          <p>Fix: disconnect {card.displayName}, then connect it again (or click Reconnect).</p>
          {card.reconnectNote && <p>{card.reconnectNote}</p>}
        </div>
      )}
      {c && (
        <dl class="facts">
          <dt>{card.displayName} account</dt>
          <dd>
            {!c.account.email
              ? `Deleted at ${card.displayName}'s request when Runframe was removed there`
              : c.account.name && c.account.name !== c.account.email
                ? `${c.account.name} (${c.account.email})`
                : c.account.email}
          </dd>
          <dt>Connected by</dt>
          <dd>
            {c.connectedBy ?? 'a former member'} on {fmtTime(c.connectedAt)}
          </dd>
          <dt>Granted scopes</dt>
          <dd>
            <code>{c.scopes.join(' ') || 'none'}</code>
          </dd>
          <dt>Last check</dt>
          <dd>
            {c.health && c.status === 'reconnect_required' ? (
              `Failed (see above) · checked ${ago(c.health.checkedAt, now)}`
            ) : c.health ? (
              c.health.ok ? (
                `Ready for war rooms · checked ${ago(c.health.checkedAt, now)}`
              ) : (
                <span>
                  {c.health.message} · checked {ago(c.health.checkedAt, now)}
                </span>
              )
            ) : (
              'Not checked yet'
            )}
          </dd>
        </dl>
      )}
      {canManage ? (
        <div class="row mt-12">
          {c === null && (
            <form method="post" action={`${base}/connect`}>
              <Csrf token={shell.csrfToken} />
              <button type="submit">Connect</button>
            </form>
          )}
          {c !== null && (
            <form method="post" action={`${base}/connect`}>
              <Csrf token={shell.csrfToken} />
              <button type="submit" class={c.status === 'connected' ? 'secondary' : ''}>
                Reconnect
              </button>
            </form>
          )}
          {(c?.status === 'connected' || c?.credentialsKept) && (
            <form method="post" action={`${base}/test`}>
              <Csrf token={shell.csrfToken} />
              <button type="submit" class="secondary">
                Test connection
              </button>
            </form>
          )}
          {c !== null && (
            <a class="button secondary" href={`/organization/integrations/${card.id}/disconnect`} aria-label={`Disconnect ${card.displayName}`} title={`Disconnect ${card.displayName}`}>
              <TrashIcon />
            </a>
          )}
        </div>
      ) : (
        <>
          <div class="row mt-12">
            <button type="button" disabled aria-describedby={`cannot-manage-${card.id}`}>
              Connect
            </button>
          </div>
          <div class="alert info" role="note">
            <p id={`cannot-manage-${card.id}`} class="m-0">
              {cannotManageText(card.displayName)}
            </p>
            {managers.length > 0 && <p>Owners and Admins here: {managers.join(', ')}.</p>}
          </div>
        </>
      )}
    </article>
  );
};

const SettingsPanel: FC<{ shell: PageShell; settings: WarRoomSettingsView; canManage: boolean; saved: boolean; cards: ProviderCard[] }> = ({ shell, settings, canManage, saved, cards }) => (
  <section class="panel" aria-labelledby="war-room-settings-h">
    <h2 id="war-room-settings-h">War room settings</h2>
    {saved && (
      <p class="alert ok" role="status">
        War room settings saved.
      </p>
    )}
    {!canManage && (
      <p class="alert info" role="note">
        Only Owners and Admins can change war room settings.
      </p>
    )}
    <form method="post" action="/organization/war-room-settings">
      <Csrf token={shell.csrfToken} />
      <fieldset class="group" disabled={!canManage}>
        <legend>Create the war room automatically when an incident is declared at, or raised to:</legend>
        <div class="choices">
          {SEVERITIES.map((s) => (
            <span class="nowrap">
              <input type="checkbox" id={`auto-${s}`} name="autoCreateSeverities" value={s} checked={settings.autoCreateSeverities.includes(s)} />{' '}
              <label for={`auto-${s}`}>{s}</label>
            </span>
          ))}
        </div>
        <p class="help muted">Off unless you tick a severity. The same Create War Room happens, on behalf of whoever declared or raised the incident.</p>
      </fieldset>
      <fieldset class="group" disabled={!canManage}>
        <legend>When the incident is resolved or closed</legend>
        <div class="choices">
          <span>
            <input type="checkbox" id="end-on-resolve" name="endMeetingOnResolve" checked={settings.endMeetingOnResolve} />{' '}
            <label for="end-on-resolve">Also end the meeting for everyone when the incident is resolved</label>
          </span>
        </div>
        <p class="help muted">The war room always ends in Runframe. Runframe never deletes meetings.</p>
        {cards
          .filter((card) => card.endMeetingScope !== null)
          .map((card) => (
            <p class="help alert error" id={`end-on-resolve-${card.id}-scope`}>
              {card.displayName} can't end meetings yet: its connection was not granted <code>{card.endMeetingScope}</code>. {settings.endMeetingOnResolve ? 'Resolved incidents will not end their meetings' : 'With this setting on, meetings would not be ended'} until
              someone reconnects {card.displayName} in its card above and approves that scope.
            </p>
          ))}
      </fieldset>
      {cards.length > 1 && (
        <fieldset class="group" disabled={!canManage}>
          <legend>Default war room provider</legend>
          <div class="choices">
            {cards.map((card, i) => (
              <span class="nowrap">
                <input type="radio" id={`default-provider-${card.id}`} name="defaultProvider" value={card.id} checked={settings.defaultProvider === null ? i === 0 : settings.defaultProvider === card.id} />{' '}
                <label for={`default-provider-${card.id}`}>{card.displayName}</label>
              </span>
            ))}
          </div>
          <p class="help muted">Preselected when Create War Room asks which provider to use, and used by the API and the automation when none is chosen (if it is connected).</p>
        </fieldset>
      )}
      {canManage && <button type="submit">Save war room settings</button>}
    </form>
  </section>
);

export const IntegrationsHubPage: FC<HubProps> = ({ shell, cards, canManage, managers, message, error, now, settings, saved }) => {
  const sections = [...new Set(cards.map((c) => c.section))];
  return (
    <Layout {...shell}>
      <p class="muted">Organization</p>
      <h1>Integrations Hub</h1>
      {error && <ErrorAlert error={error} />}
      {message && (
        <div class={`alert ${message.kind === 'ok' ? 'ok' : 'error'}`} role={message.kind === 'ok' ? 'status' : 'alert'}>
          <strong>{message.text}</strong>
          {message.hint && <p>{message.hint}</p>}
        </div>
      )}
      {sections.map((s) => (
        <section aria-labelledby={`section-${s}`}>
          <h2 id={`section-${s}`}>{s}</h2>
          {cards
            .filter((c) => c.section === s)
            .map((card) => (
              <Card card={card} shell={shell} canManage={canManage} managers={managers} now={now} endOnResolve={settings.endMeetingOnResolve} />
            ))}
        </section>
      ))}
      <SettingsPanel shell={shell} settings={settings} canManage={canManage} saved={saved} cards={cards} />
    </Layout>
  );
};

export const DisconnectPage: FC<{ shell: PageShell; id: string; displayName: string }> = ({ shell, id, displayName }) => (
  <Layout {...shell}>
    <div class="panel narrow" role="dialog" aria-labelledby="disconnect-h" aria-describedby="disconnect-d">
      <h1 id="disconnect-h">Disconnect {displayName}?</h1>
      <p id="disconnect-d">
        Runframe will stop using {displayName} and revoke its authorization. Existing incidents, timelines, audit logs and war-room links stay, and no {displayName} meeting is deleted.
        You can connect again later.
      </p>
      <form method="post" action={`/integrations/${id}/disconnect`} class="row">
        <Csrf token={shell.csrfToken} />
        <button type="submit" class="danger">
          Yes, Disconnect
        </button>
        <a class="button secondary" href="/organization/integrations">
          Cancel
        </a>
      </form>
    </div>
  </Layout>
);
