import type { Child, FC } from 'hono/jsx';
import { MISSING_PERMISSION } from '../../../domain/access/roles.ts';
import { SEVERITIES, SEVERITY_DESCRIPTION, STATUSES, STATUS_LABEL, TRANSITIONS, type IncidentView } from '../../../domain/incidents/model.ts';
import type { MemberView } from '../../../domain/orgs/list-members.ts';
import type { TimelineEntryView } from '../../../domain/timeline/list-timeline.ts';
import { TimelineList } from './timeline.tsx';
import { fmtTime } from '../helpers.tsx';
import { Csrf } from '../layout.tsx';
import { SeverityBadge, StatusBadge } from './components.tsx';

/** Everything under the shell. The same for every member of a role apart from `csrfToken` and `liveUrl`, so it can be kept (page-cache.ts). */
export interface IncidentBodyProps {
  csrfToken: string;
  incident: IncidentView;
  /** A window of the timeline, oldest first: the newest entries unless `showingEarlier`. */
  timeline: TimelineEntryView[];
  /** Set when entries before the window exist: the link to them carries it. */
  earlierCursor?: string | null;
  showingEarlier?: boolean;
  /** The page's live-update stream (server-sent events); without it the page polls its war room. */
  liveUrl?: string | null;
  members: MemberView[];
  canEdit: boolean;
  /** The war-room place: filled by the war-room feature, reserved until then. */
  warRoom?: Child;
  noteDraft?: string;
}

export const IncidentBody: FC<IncidentBodyProps> = ({ csrfToken, incident, timeline, earlierCursor, showingEarlier, liveUrl, members, canEdit, warRoom, noteDraft }) => {
  const base = `/incidents/${incident.number}`;
  // Forward moves first, so the preselected choice never sends an incident backwards by accident.
  const order = STATUSES.indexOf(incident.status);
  const next = [...TRANSITIONS[incident.status]].sort((a, b) => (STATUSES.indexOf(a) > order ? 0 : 1) - (STATUSES.indexOf(b) > order ? 0 : 1));
  return (
    <>
      <p>
        <a href="/incidents">← All incidents</a>
      </p>
      <h1>
        {incident.reference} {incident.title}
      </h1>
      <p class="row items-center" id="incident-badges" data-live-region>
        <SeverityBadge severity={incident.severity} /> <StatusBadge incident={incident} />
        <span class="muted">
          Declared {fmtTime(incident.createdAt)}
          {incident.declaredBy ? ` by ${incident.declaredBy.name}` : ''}
          {incident.resolvedAt ? ` · resolved ${fmtTime(incident.resolvedAt)}` : ''}
        </span>
      </p>
      {!canEdit && (
        <div class="alert info" role="note">
          {MISSING_PERMISSION['incident:edit']}
        </div>
      )}
      <div class="grid2">
        <div>
          <section class="panel" aria-labelledby="summary-h">
            <h2 id="summary-h">Summary</h2>
            {incident.summary ? <p class="pre-wrap">{incident.summary}</p> : <p class="muted">No summary yet.</p>}
          </section>
          <section class="panel" aria-labelledby="war-room-h" id="war-room">
            <h2 id="war-room-h">War room</h2>
            {/* Changes that arrive while the page is open are read out here (the section itself is swapped). */}
            <p class="sr-only" role="status" id="war-room-announcer"></p>
            {warRoom ?? <p class="reserved">War rooms come with a connected video provider in Integrations Hub.</p>}
          </section>
          <section class="panel" aria-labelledby="timeline-h" id="timeline">
            <h2 id="timeline-h">Timeline</h2>
            {/* Long timelines come in windows: a plain link to the entries before, so no script is needed. */}
            {earlierCursor && (
              <p>
                <a href={`${base}?before=${earlierCursor}#timeline`} id="timeline-earlier">
                  Show earlier entries
                </a>
              </p>
            )}
            {/* The latest window follows the incident live; an earlier window stays as it is. */}
            <TimelineList incidentNumber={incident.number} timeline={timeline} live={!showingEarlier} />
            {showingEarlier && (
              <p>
                <a href={`${base}#timeline`} id="timeline-latest">
                  Show the latest entries
                </a>
              </p>
            )}
            {canEdit && (
              <form method="post" action={`${base}/notes`} class="note-form">
                <Csrf token={csrfToken} />
                <div class="field">
                  <label for="note">Add a note</label>
                  <textarea id="note" name="body" maxlength={5000} required>
                    {noteDraft ?? ''}
                  </textarea>
                </div>
                <button type="submit" class="secondary">
                  Add note
                </button>
              </form>
            )}
          </section>
        </div>
        <aside>
          <section class="panel" aria-labelledby="details-h">
            <h2 id="details-h">Details</h2>
            <dl class="facts" id="incident-details" data-live-region>
              <dt>Status</dt>
              <dd>{STATUS_LABEL[incident.status]}</dd>
              <dt>Severity</dt>
              <dd>
                {incident.severity} <span class="muted">{SEVERITY_DESCRIPTION[incident.severity]}</span>
              </dd>
              <dt>Lead</dt>
              <dd>{incident.lead?.name ?? 'No lead'}</dd>
            </dl>
          </section>
          {canEdit && (
            <section class="panel" aria-labelledby="controls-h">
              <h2 id="controls-h">Change</h2>
              {next.length > 0 ? (
                <form method="post" action={`${base}/status`} class="field">
                  <Csrf token={csrfToken} />
                  <label for="status">Status</label>
                  <div class="control-line">
                    <select id="status" name="status">
                      {next.map((s) => (
                        <option value={s}>{STATUS_LABEL[s]}</option>
                      ))}
                    </select>
                    <button type="submit" class="secondary">Change status</button>
                  </div>
                </form>
              ) : (
                <p class="muted">A closed incident cannot change status.</p>
              )}
              {incident.status !== 'closed' && (
                <>
                  <form method="post" action={`${base}/severity`} class="field">
                    <Csrf token={csrfToken} />
                    <label for="severity">Severity</label>
                    <div class="control-line">
                      <select id="severity" name="severity">
                        {SEVERITIES.map((s) => (
                          <option value={s} selected={s === incident.severity}>
                            {s}
                          </option>
                        ))}
                      </select>
                      <button type="submit" class="secondary">Change severity</button>
                    </div>
                  </form>
                  <form method="post" action={`${base}/lead`} class="field">
                    <Csrf token={csrfToken} />
                    <label for="lead">Incident lead</label>
                    <div class="control-line">
                      <select id="lead" name="leadUserId">
                        <option value="">No lead</option>
                        {/* A lead who can no longer be chosen (made a Viewer, or left) stays selected, so Set lead alone does not clear them. */}
                        {incident.lead && !members.some((m) => m.userId === incident.lead?.userId) && (
                          <option value={incident.lead.userId} selected>
                            {incident.lead.name} (current lead)
                          </option>
                        )}
                        {members.map((m) => (
                          <option value={m.userId} selected={incident.lead?.userId === m.userId}>
                            {m.name}
                          </option>
                        ))}
                      </select>
                      <button type="submit" class="secondary">Set lead</button>
                    </div>
                  </form>
                </>
              )}
            </section>
          )}
        </aside>
      </div>
      {liveUrl && <div hidden id="incident-live" data-src={liveUrl}></div>}
      <script src="/assets/war-room.js" defer></script>
    </>
  );
};
