import { html } from 'hono/html';
import type { Grant, SandboxUser } from '../state.ts';
import type { SandboxApp } from '../types.ts';
import { layout, userSelect, type Html } from './layout.ts';

export function marketplaceHome(base: string): Html {
  return layout(
    'Zoom App Marketplace',
    html`<h1>Zoom App Marketplace (sandbox)</h1>
<p>This sandbox Marketplace only knows the apps registered with the sandbox.</p>
<nav aria-label="Marketplace"><ul><li><a href="${base}/marketplace/manage">Manage</a></li></ul></nav>`,
  );
}

/** Zoom's Marketplace has Manage, then Added Apps under it, as the guide's removal steps say. */
export function managePage(base: string): Html {
  return layout(
    'Manage',
    html`<nav aria-label="Breadcrumb"><a href="${base}/marketplace">Marketplace</a></nav>
<h1>Manage</h1>
<p>Apps you have added to your sandbox Zoom account, and what they may access.</p>
<nav aria-label="Manage"><ul><li><a href="${base}/marketplace/manage/added-apps">Added Apps</a></li></ul></nav>`,
  );
}

export interface AddedAppsParams {
  base: string;
  users: SandboxUser[];
  user: SandboxUser;
  apps: Array<{ app: SandboxApp; grant: Grant }>;
  notice?: string;
}

export function addedAppsPage(p: AddedAppsParams): Html {
  const listUrl = `${p.base}/marketplace/manage/added-apps`;
  return layout(
    'Added Apps',
    html`<nav aria-label="Breadcrumb"><a href="${p.base}/marketplace">Marketplace</a> › <a href="${p.base}/marketplace/manage">Manage</a></nav>
<h1>Added Apps</h1>
<form method="get" action="${listUrl}">
${userSelect(p.users, p.user.id, 'user')}
<div class="actions"><button type="submit" class="secondary">Show apps</button></div>
</form>
<div role="status" aria-live="polite">${p.notice ? html`<p class="status">${p.notice}</p>` : ''}</div>
<h2>Apps added by ${p.user.email}</h2>
${p.apps.length === 0
  ? html`<p>No apps added.</p>`
  : html`<ul class="apps">
${p.apps.map(
  ({ app, grant }, i) => html`<li>
<h3 id="app-${i}">${app.name}</h3>
<p class="hint">Added ${grant.createdAt.slice(0, 10)} · Permissions: ${grant.scopes.join(', ') || 'none'}</p>
<form method="get" action="${listUrl}/${encodeURIComponent(app.clientId)}/remove">
<input type="hidden" name="user" value="${p.user.id}">
<button type="submit" class="danger" aria-describedby="app-${i}">Remove</button>
</form>
</li>`,
)}
</ul>`}`,
  );
}

export function confirmRemovePage(base: string, app: SandboxApp, user: SandboxUser): Html {
  const listUrl = `${base}/marketplace/manage/added-apps`;
  return layout(
    `Remove ${app.name}?`,
    html`<h1>Remove ${app.name}?</h1>
<p>${app.name} will no longer be able to access ${user.email}'s sandbox Zoom account. The app is notified that it was removed.</p>
<form method="post" action="${listUrl}/${encodeURIComponent(app.clientId)}/remove">
<input type="hidden" name="user" value="${user.id}">
<p><label><input type="checkbox" name="delete_data" value="yes"> Also ask ${app.name} to delete the data it keeps about me</label></p>
<div class="actions">
<button type="submit" class="danger">Remove</button>
<a class="button secondary" href="${listUrl}?user=${encodeURIComponent(user.id)}">Cancel</a>
</div>
</form>`,
  );
}
