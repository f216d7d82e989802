import { html } from 'hono/html';
import { describeScope } from '../scopes.ts';
import type { Account } from '../state.ts';
import { accountSelect, layout, type Html } from './layout.ts';

export interface ConsentParams {
  action: string;
  appName: string;
  accounts: Account[];
  selectedSub: string;
  /** Identity scopes: granted without a checkbox, as on Google's screen. */
  fixed: string[];
  /** Scopes the person may untick (granular consent). */
  optional: string[];
  preticked: boolean;
  previouslyGranted: boolean;
  hidden: Record<string, string>;
}

export const TIME_LIMITS: Record<string, number | null> = { unlimited: null, hour: 60 * 60_000, day: 24 * 60 * 60_000, week: 7 * 24 * 60 * 60_000 };

export function consentPage(p: ConsentParams): Html {
  return layout(
    `Sign in to ${p.appName}`,
    html`<h1>${p.appName} wants access to your Google Account</h1>
<form method="post" action="${p.action}">
${Object.entries(p.hidden).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
<fieldset>
<legend>Choose an account</legend>
${accountSelect(p.accounts, p.selectedSub)}
</fieldset>
${p.previouslyGranted ? html`<p class="hint">You already gave ${p.appName} some access. You are asked again because the app requested it.</p>` : ''}
<fieldset>
<legend>${p.appName} will be able to</legend>
${p.fixed.map((s) => html`<p class="scope">${describeScope(s)} <code>${s}</code></p>`)}
${p.optional.length > 0
  ? html`<p class="hint" id="scope-hint">Select what ${p.appName} can access. You can untick a permission to decline it.</p>
${p.optional.map(
  (s, i) => html`<label class="scope"><input type="checkbox" id="scope-${i}" name="scope" value="${s}" ${p.preticked ? 'checked' : ''} aria-describedby="scope-hint"> ${describeScope(s)} <code>${s}</code></label>`,
)}`
  : ''}
</fieldset>
<fieldset>
<legend>How long</legend>
<label for="time-limit">Allow access</label>
<select id="time-limit" name="time_limit">
<option value="unlimited" selected>Until you remove access</option>
<option value="hour">For 1 hour</option>
<option value="day">For 1 day</option>
<option value="week">For 1 week</option>
</select>
</fieldset>
<p class="hint">Make sure you trust ${p.appName}. You can remove its access in your account's Third-party apps with account access.</p>
<div class="actions">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="cancel" class="secondary">Cancel</button>
</div>
</form>`,
  );
}
