import { html } from 'hono/html';
import { describeScope } from '../scopes.ts';
import type { Account, Grant, StoredApp } from '../state.ts';
import { accountSelect, layout, type Html } from './layout.ts';

export interface ConnectionsParams {
  base: string;
  accounts: Account[];
  account: Account;
  apps: Array<{ app: StoredApp; grant: Grant }>;
  notice?: string;
}

const listUrl = (base: string): string => `${base}/myaccount/connections`;

export function connectionsPage(p: ConnectionsParams): Html {
  return layout(
    'Third-party apps with account access',
    html`<nav aria-label="Breadcrumb"><a href="${p.base}/">Google Account (sandbox)</a> › Security</nav>
<h1>Third-party apps with account access</h1>
<form method="get" action="${listUrl(p.base)}">
${accountSelect(p.accounts, p.account.sub)}
<div class="actions"><button type="submit" class="secondary">Show apps</button></div>
</form>
<div role="status" aria-live="polite">${p.notice ? html`<p class="status">${p.notice}</p>` : ''}</div>
<h2>Apps with access to ${p.account.email}</h2>
${p.apps.length === 0
  ? html`<p>No third-party apps have access to this account.</p>`
  : html`<ul class="apps">
${p.apps.map(
  ({ app, grant }, i) => html`<li>
<h3 id="app-${i}">${app.name}</h3>
<p class="hint">Access given on ${grant.createdAt.slice(0, 10)}</p>
<p>Has access to:</p>
<ul>${grant.scopes.map((s) => html`<li>${describeScope(s)}</li>`)}</ul>
<form method="get" action="${listUrl(p.base)}/${encodeURIComponent(app.clientId)}/remove">
<input type="hidden" name="account" value="${p.account.sub}">
<button type="submit" class="danger" aria-describedby="app-${i}">Remove access</button>
</form>
</li>`,
)}
</ul>`}`,
  );
}

export function confirmRemovePage(base: string, app: StoredApp, account: Account): Html {
  return layout(
    `Remove ${app.name}'s access?`,
    html`<h1>Remove ${app.name}'s access?</h1>
<p>${app.name} will no longer have access to ${account.email}. Its tokens stop working at once. Google does not tell the app; it finds out the next time it uses them. Meeting spaces it created stay.</p>
<form method="post" action="${listUrl(base)}/${encodeURIComponent(app.clientId)}/remove">
<input type="hidden" name="account" value="${account.sub}">
<div class="actions">
<button type="submit" class="danger">Confirm</button>
<a class="button secondary" href="${listUrl(base)}?account=${encodeURIComponent(account.sub)}">Cancel</a>
</div>
</form>`,
  );
}
