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
  /** The participant this page belongs to, when it joined and is still in the call. */
  me: { id: string; name: string } | null;
  /** Joined while the host had not started a meeting that does not allow joining before the host. */
  waiting?: boolean;
  notice?: string;
}

export function meetingPage(p: MeetingPageParams): Html {
  const m = p.meeting;
  const started = m.status === 'started';
  const action = (what: string): string => `${p.base}/j/${m.id}/${what}`;
  const pwd = html`<input type="hidden" name="pwd" value="${p.pwd}">`;
  const count = m.participants.length;
  const status = started
    ? `In progress · ${count === 1 ? '1 participant' : `${count} participants`}`
    : m.settings['join_before_host'] === true
      ? 'Not started: the first participant to join starts it'
      : 'Waiting for the host to start this meeting';
  return layout(
    m.topic,
    html`<h1>${m.topic}</h1>
<dl>
<dt>Meeting ID</dt><dd>${spaced(m.id)}</dd>
<dt>Host</dt><dd>${p.hostName}</dd>
<dt>Status</dt><dd id="meeting-status">${status}</dd>
</dl>
<div role="status" aria-live="polite">
${p.notice ? html`<p class="status">${p.notice}</p>` : ''}
${p.me ? html`<p class="status"><strong>You are in the meeting as ${p.me.name}.</strong></p>` : ''}
${p.waiting ? html`<p class="status">The host has not started this meeting yet, and it does not allow joining before the host.</p>` : ''}
</div>
${p.me
  ? html`<form method="post" action="${action('leave')}">${pwd}<input type="hidden" name="participant" value="${p.me.id}"><button type="submit" class="secondary">Leave meeting</button></form>`
  : html`<form method="post" action="${action('join')}">${pwd}
<label for="participant-name">Your name</label>
<input id="participant-name" name="name" type="text" maxlength="64" autocomplete="name">
<div class="actions"><button type="submit">Join as participant</button></div>
</form>`}
${count > 0 ? html`<h2>In the meeting</h2><ul id="participants">${m.participants.map((x) => html`<li>${x.name}</li>`)}</ul>` : ''}
<section aria-labelledby="host-controls">
<h2 id="host-controls">Host controls</h2>
<p class="hint">In real Zoom only the host can do this; the sandbox lets anyone act as the host. The meeting also ends by itself when the last participant leaves, and the same link starts it again.</p>
<div class="actions">
<form method="post" action="${action('start')}">${pwd}<button type="submit" ${started ? 'disabled' : ''}>Start meeting</button></form>
<form method="post" action="${action('end')}">${pwd}<button type="submit" class="danger" ${started ? '' : 'disabled'}>End meeting for all</button></form>
</div>
</section>`,
  );
}
