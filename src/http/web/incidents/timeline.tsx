import type { FC } from 'hono/jsx';
import type { TimelineEntryView } from '../../../domain/timeline/list-timeline.ts';
import { fmtTime } from '../helpers.tsx';

/** The incident's timeline; also served alone so open pages show new entries without reloading. */
export const TimelineList: FC<{ incidentNumber: number; timeline: TimelineEntryView[] }> = ({ incidentNumber, timeline }) => (
  <div id="timeline-body" data-fragment={`/incidents/${incidentNumber}/timeline/fragment`} data-count={String(timeline.length)}>
    {timeline.length === 0 ? (
      <p class="muted">Nothing has happened yet.</p>
    ) : (
      <ol class="timeline">
        {timeline.map((e) => (
          <li class={e.kind === 'note' ? 'note' : ''}>
            <div class="meta">
              {fmtTime(e.createdAt)} · {e.actor}
              {e.kind === 'note' ? ' added a note' : ''}
            </div>
            <div class="body">{e.body}</div>
          </li>
        ))}
      </ol>
    )}
  </div>
);
