import { html } from 'hono/html';
import type { Meeting } from '../state.ts';
import { layout, type Html } from './layout.ts';

function spaced(id: number): string {
  const s = String(id);
  return s.length === 11 ? `${s.slice(0, 3)} ${s.slice(3, 7)} ${s.slice(7)}` : `${s.slice(0, 3)} ${s.slice(3, 6)} ${s.slice(6)}`;
}

export interface MeetingPageParams {
  meeting: Meeting;
  hostName: string;
  base: string;
  pwd: string;
  joined: boolean;
  notice?: string;
}

export function meetingPage(p: MeetingPageParams): Html {
  const m = p.meeting;
  const started = m.status === 'started';
  const action = (what: string): string => `${p.base}/j/${m.id}/${what}`;
  const pwd = html`<input type="hidden" name="pwd" value="${p.pwd}">`;
  return layout(
    m.topic,
    html`<h1>${m.topic}</h1>
<dl>
<dt>Meeting ID</dt><dd>${spaced(m.id)}</dd>
<dt>Host</dt><dd>${p.hostName}</dd>
<dt>Status</dt><dd id="meeting-status">${started ? 'In progress' : 'Waiting for the host to start this meeting'}</dd>
</dl>
<div role="status" aria-live="polite">
${p.notice ? html`<p class="status">${p.notice}</p>` : ''}
${p.joined ? html`<p class="status"><strong>You joined the meeting.</strong>${started ? '' : ' The host has not started it yet.'}</p>` : ''}
</div>
${p.joined ? '' : html`<form method="post" action="${action('join')}">${pwd}<button type="submit">Join as participant</button></form>`}
<section aria-labelledby="host-controls">
<h2 id="host-controls">Host controls</h2>
<p class="hint">In real Zoom only the host can do this; the sandbox lets anyone act as the host.</p>
<div class="actions">
<form method="post" action="${action('start')}">${pwd}<button type="submit" ${started ? 'disabled' : ''}>Start meeting</button></form>
<form method="post" action="${action('end')}">${pwd}<button type="submit" class="danger" ${started ? '' : 'disabled'}>End meeting</button></form>
</div>
</section>`,
  );
}
