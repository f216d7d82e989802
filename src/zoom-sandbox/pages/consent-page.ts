import { html, raw } from 'hono/html';
import type { SandboxUser } from '../state.ts';
import { describeScope } from '../scopes.ts';
import type { SandboxApp } from '../types.ts';
import { layout, userSelect, type Html } from './layout.ts';

export interface ConsentParams {
  action: string;
  app: SandboxApp;
  users: SandboxUser[];
  selectedUserId: string;
  requested: Array<{ scope: string; required: boolean }>;
  hidden: Record<string, string>;
}

export function consentPage(p: ConsentParams): Html {
  return layout(
    `Authorize ${p.app.name}`,
    html`<h1>Authorize ${p.app.name}</h1>
<p><strong>${p.app.name}</strong> is requesting access to a sandbox Zoom account. Review the permissions, then choose Allow or Decline.</p>
<form method="post" action="${p.action}">
${Object.entries(p.hidden).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
<fieldset>
<legend>Signing in as</legend>
${userSelect(p.users, p.selectedUserId)}
</fieldset>
<fieldset>
<legend>Permissions requested by ${p.app.name}</legend>
<p class="hint" id="scope-hint">Untick a permission to decline it.${p.requested.some((s) => s.required) ? ' Permissions marked required cannot be unticked.' : ''}</p>
${p.requested.map((s, i) =>
  s.required
    ? html`<label class="scope"><input type="checkbox" id="scope-${i}" checked disabled aria-describedby="scope-hint"> ${describeScope(s.scope)} <code>${s.scope}</code> (required)</label><input type="hidden" name="scope" value="${s.scope}">`
    : html`<label class="scope"><input type="checkbox" id="scope-${i}" name="scope" value="${s.scope}" checked aria-describedby="scope-hint"> ${describeScope(s.scope)} <code>${s.scope}</code></label>`,
)}
${p.requested.length === 0 ? raw('<p>No permissions requested.</p>') : ''}
</fieldset>
<div class="actions">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="decline" class="secondary">Decline</button>
</div>
</form>`,
  );
}
