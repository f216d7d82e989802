import type { FC } from 'hono/jsx';
import type { IncidentView } from '../../../domain/incidents/model.ts';
import type { WarRoomView } from '../../../domain/war-rooms/model.ts';
import { fmtTime } from '../helpers.tsx';
import { Csrf } from '../layout.tsx';

export interface WarRoomSectionProps {
  incident: IncidentView;
  current: WarRoomView | null;
  lastFailure: WarRoomView | null;
  history: WarRoomView[];
  canEdit: boolean;
  connected: { id: string; displayName: string }[];
  /** The organization's default provider, preselected in the chooser (null: the first connected). */
  defaultProvider?: string | null;
  /** The provider named when nothing is connected. */
  preferredName: string;
  /** That provider's connection exists but the provider stopped accepting it: it needs reconnecting, not connecting. */
  reconnectRequired: boolean;
  /** The viewer may manage integrations (Owner, Admin): offer the way there, not only a sentence. */
  canManageIntegrations?: boolean;
  csrfToken: string;
}

const LIVE: Record<WarRoomView['liveStatus'], string> = { not_started: 'Not started', live: 'Live', empty: 'Empty' };
/** What the badge means for someone about to join, in one line. */
const LIVE_NOTE: Record<WarRoomView['liveStatus'], string> = {
  not_started: 'Nobody has joined yet: the first person to join starts the call.',
  live: 'The call is in progress.',
  empty: 'Everyone left the call. The war room stays open: rejoin anytime with the same link.',
};

/**
 * A numeric meeting ID grouped as providers print it (847 717 4616; 11 digits as 3-4-4). The groups are spaced by
 * CSS, not by characters, so copying the ID gives its digits.
 */
export const MeetingId: FC<{ id: string }> = ({ id }) => {
  const groups = /^\d{10}$/.test(id) ? [id.slice(0, 3), id.slice(3, 6), id.slice(6)] : /^\d{11}$/.test(id) ? [id.slice(0, 3), id.slice(3, 7), id.slice(7)] : [id];
  return (
    <code class="meeting-id" id="war-room-meeting-id" data-digits={id} aria-label={groups.join(' ')}>
      {groups.map((g) => (
        <span>{g}</span>
      ))}
    </code>
  );
};

const Active: FC<{ w: WarRoomView }> = ({ w }) => (
  <div>
    <p class="row items-center">
      <a id="war-room-join" class="button" href={w.joinUrl ?? '#'} target="_blank" rel="noopener noreferrer">
        Join {w.providerName} war room
      </a>
      <span class={`badge live-${w.liveStatus}`} data-live-status={LIVE[w.liveStatus]}>
        <span class="sr-only">Meeting status: </span>
        {LIVE[w.liveStatus]}
      </span>
    </p>
    <p class="muted" id="war-room-live-note">
      {LIVE_NOTE[w.liveStatus]}
    </p>
    <dl class="facts">
      {w.meetingCode ? (
        <>
          <dt>Meeting code</dt>
          <dd>
            <code class="meeting-id" id="war-room-meeting-id">
              {w.meetingCode}
            </code>
          </dd>
        </>
      ) : (
        <>
          <dt>Meeting ID</dt>
          <dd>
            <MeetingId id={w.meetingId ?? ''} />
          </dd>
        </>
      )}
      <dt>Created</dt>
      <dd>
        by {w.createdBy}, {fmtTime(w.createdAt)}
      </dd>
      <dt>Link active until</dt>
      <dd>{fmtTime(w.expiresAt)}</dd>
    </dl>
    <div class="link-copy mt-10">
      <label class="sr-only" for="war-room-link">
        War room join link
      </label>
      {/* The whole link, wrapped if the width asks for it: a cut-off link cannot be checked by eye. */}
      <textarea id="war-room-link" readonly rows={1} class="link-field" spellcheck={false}>
        {w.joinUrl ?? ''}
      </textarea>
      <button type="button" id="war-room-copy" class="secondary" data-copy={w.joinUrl ?? ''}>
        Copy link
      </button>
      <span data-copy-status role="status" class="muted"></span>
    </div>
  </div>
);

/** The war-room place of the incident page; also served alone so open pages update without reloading. */
export const WarRoomSection: FC<WarRoomSectionProps> = ({ incident, current, lastFailure, history, canEdit, connected, defaultProvider, preferredName, reconnectRequired, canManageIntegrations, csrfToken }) => {
  const preselected = connected.find((p) => p.id === defaultProvider) ?? connected[0];
  const base = `/incidents/${incident.number}`;
  let body;
  if (current?.state === 'active') body = <Active w={current} />;
  else if (current?.state === 'creating') {
    body = (
      <p role="status" class="alert info">
        <span class="spinner" aria-hidden="true"></span> Creating the {current.providerName} meeting… This takes a few seconds; the join link appears here.
      </p>
    );
  } else if (!incident.active) body = <p class="muted">War rooms are for active incidents. {incident.reference} is {incident.status}.</p>;
  else if (!canEdit) {
    body = <p class="reserved">No war room yet. Your role can't edit incidents, so Create War Room is not offered to you: an Owner, Admin or Responder can create one.</p>;
  } else if (connected.length === 0 && reconnectRequired) {
    body = (
      <div class="reserved">
        <p class="m-0">
          {preferredName} needs to be reconnected before a war room can be created — an Owner or Admin can reconnect it in <a href="/organization/integrations">Integrations Hub</a>.
        </p>
        {canManageIntegrations && (
          <a class="button mt-10" id="war-room-connect" href="/organization/integrations">
            Reconnect {preferredName}
          </a>
        )}
      </div>
    );
  } else if (connected.length === 0) {
    body = (
      <div class="reserved">
        <p class="m-0">
          {preferredName} is not connected — an Owner or Admin can connect it in <a href="/organization/integrations">Integrations Hub</a>.
        </p>
        {canManageIntegrations && (
          <a class="button mt-10" id="war-room-connect" href="/organization/integrations">
            Connect {preferredName}
          </a>
        )}
      </div>
    );
  } else {
    body = (
      <form method="post" action={`${base}/war-room`} data-war-room-create>
        <Csrf token={csrfToken} />
        {connected.length > 1 ? (
          <fieldset class="field">
            <legend>Select a war room provider</legend>
            {connected.map((p) => (
              <div>
                <input type="radio" id={`provider-${p.id}`} name="provider" value={p.id} checked={p.id === preselected?.id} />{' '}
                <label for={`provider-${p.id}`} class="inline">
                  {p.displayName}
                </label>
              </div>
            ))}
          </fieldset>
        ) : (
          <input type="hidden" name="provider" value={connected[0]?.id ?? ''} />
        )}
        <button type="submit" id="war-room-create">Create War Room</button>
        <p class="muted" data-progress hidden role="status">
          Creating the {connected.length > 1 ? 'war room' : `${connected[0]?.displayName ?? ''} meeting`}…
        </p>
      </form>
    );
  }
  return (
    <div id="war-room-body" data-fragment={`${base}/war-room/fragment`} data-state={current?.state ?? 'none'}>
      {!current && lastFailure?.failure && (
        <div class="alert error" role="alert">
          <strong>{lastFailure.failure.message}</strong>
          {lastFailure.failure.hint && <p>{lastFailure.failure.hint}</p>}
        </div>
      )}
      {body}
      {history.length > 0 && (
        <details>
          <summary id="war-room-history">Earlier war rooms ({history.length})</summary>
          <ul>
            {history.map((w) => (
              <li>
                {w.providerName} meeting <code>{w.meetingCode ?? w.meetingId}</code> — {w.state === 'expired' ? 'expired' : `ended (${w.endedReason ?? 'ended'})`}
                {w.endedAt ? ` ${fmtTime(w.endedAt)}` : ''}. Link no longer active: <span class="muted">{w.joinUrl}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
};
