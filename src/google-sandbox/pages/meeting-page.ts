import { html } from 'hono/html';
import type { Account, Participant, Space } from '../state.ts';
import { layout, type Html } from './layout.ts';

const ACCESS_TEXT: Record<Space['accessType'], string> = {
  OPEN: 'Open: anyone with the link can join without asking.',
  TRUSTED: "Trusted: people in the host's organization join without asking; everyone else asks to join.",
  RESTRICTED: 'Restricted: only invitees join without asking; everyone else asks to join.',
};

export interface MeetingPageParams {
  base: string;
  space: Space;
  hostName: string;
  accounts: Account[];
  present: Participant[];
  /** The participant this browser joined as (from the URL after Join). */
  me: Participant | null;
  notice?: string;
}

export function meetingPage(p: MeetingPageParams): Html {
  const s = p.space;
  const action = (what: string): string => `${p.base}/meet/${s.meetingCode}/${what}`;
  return layout(
    `Meet – ${s.meetingCode}`,
    html`<h1>Meeting ${s.meetingCode}</h1>
<dl>
<dt>Host</dt><dd>${p.hostName}</dd>
<dt>Access</dt><dd id="access-type">${ACCESS_TEXT[s.accessType]}</dd>
<dt>In the call</dt><dd id="call-status">${p.present.length === 0 ? 'No one is in this call yet.' : `${p.present.length} — ${p.present.map((x) => x.displayName).join(', ')}`}</dd>
</dl>
<div role="status" aria-live="polite">${p.notice ? html`<p class="status">${p.notice}</p>` : ''}</div>
${p.me
  ? html`<p class="status"><strong>You are in the call as ${p.me.displayName}.</strong></p>
<form method="post" action="${action('leave')}"><input type="hidden" name="participant" value="${p.me.id}"><button type="submit" class="danger">Leave call</button></form>`
  : html`<form method="post" action="${action('join')}">
<fieldset>
<legend>Ready to join?</legend>
<label for="display-name">Your name</label>
<input id="display-name" name="display_name" required maxlength="60" value="Responder">
<label for="account-select-join">Join as</label>
<select id="account-select-join" name="account">
<option value="guest" selected>Guest (not signed in)</option>
${p.accounts.map((a) => html`<option value="${a.sub}">${a.name} &lt;${a.email}&gt;</option>`)}
</select>
</fieldset>
<div class="actions"><button type="submit">Join now</button></div>
</form>`}
`,
  );
}

