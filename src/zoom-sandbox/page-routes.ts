import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import type { Ctx } from './context.ts';
import { readFormFields } from './forms.ts';
import { activeGrantsOf, revokeGrant } from './grants.ts';
import { endMeeting, findMeeting, startMeeting } from './meeting-lifecycle.ts';
import { errorPage, layout } from './pages/layout.ts';
import { addedAppsPage, confirmRemovePage, marketplaceHome } from './pages/marketplace-pages.ts';
import { meetingPage } from './pages/meeting-page.ts';
import { HOST_USER_ID, type Meeting, type SandboxUser } from './state.ts';

const PwdForm = z.object({ pwd: z.string().optional() });
const UserForm = z.object({ user: z.string().optional() });

const unreadableForm = (c: Context): Response | Promise<Response> =>
  c.html(errorPage('Invalid request', 'The form could not be read: its body is not a valid form. Go back and try again.'), 400);

function pickUser(ctx: Ctx, id: string | undefined): SandboxUser | undefined {
  const users = ctx.store.state.users;
  return users.find((u) => u.id === (id ?? HOST_USER_ID)) ?? users[0];
}

export function mountPages(app: Hono, ctx: Ctx): void {
  const base = ctx.basePath;

  app.get('/', (c) =>
    c.html(
      layout(
        'Zoom sandbox',
        html`<h1>Zoom sandbox</h1>
<p>A stand-in for Zoom's OAuth, REST API, webhooks and Marketplace, for tests and demos.</p>
<ul><li><a href="${base}/marketplace">Marketplace</a></li><li><a href="${base}/marketplace/manage/added-apps">Manage › Added Apps</a></li></ul>`,
      ),
    ),
  );

  const showMeeting = (c: Context, m: Meeting | undefined, opts: { joined?: boolean; notice?: string; pwd?: string } = {}): Response | Promise<Response> => {
    if (!m) return c.html(errorPage('Meeting not found', 'This meeting link is invalid or the meeting has expired. (3001)'), 404);
    const host = ctx.store.state.users.find((u) => u.id === m.hostId);
    return c.html(
      meetingPage({
        meeting: m,
        hostName: host ? `${host.firstName} ${host.lastName}` : 'Unknown host',
        base,
        pwd: opts.pwd ?? c.req.query('pwd') ?? '',
        joined: opts.joined ?? false,
        ...(opts.notice ? { notice: opts.notice } : {}),
      }),
    );
  };

  app.get('/j/:meetingId', (c) => showMeeting(c, findMeeting(ctx, c.req.param('meetingId'))));
  // The host link the sandbox hands out as Zoom does; Runframe never stores or shows it.
  app.get('/s/:meetingId', (c) => showMeeting(c, findMeeting(ctx, c.req.param('meetingId')), { notice: 'You opened the host link (start_url).' }));

  app.post('/j/:meetingId/join', async (c) => {
    const fields = await readFormFields(c);
    if (!fields) return unreadableForm(c);
    const form = PwdForm.safeParse(fields);
    return showMeeting(c, findMeeting(ctx, c.req.param('meetingId')), { joined: true, pwd: form.success ? form.data.pwd : '' });
  });

  for (const action of ['start', 'end'] as const) {
    app.post(`/j/:meetingId/${action}`, async (c) => {
      const id = c.req.param('meetingId');
      const m = findMeeting(ctx, id);
      if (!m) return showMeeting(c, undefined);
      const fields = await readFormFields(c);
      if (!fields) return unreadableForm(c);
      const form = PwdForm.safeParse(fields);
      if (action === 'start') startMeeting(ctx, m);
      else endMeeting(ctx, m);
      const pwd = form.success && form.data.pwd ? `?pwd=${encodeURIComponent(form.data.pwd)}` : '';
      return c.redirect(`${base}/j/${id}${pwd}`, 303);
    });
  }

  app.get('/marketplace', (c) => c.html(marketplaceHome(base)));

  const addedApps = (c: Context, user: SandboxUser, notice?: string): Response | Promise<Response> => {
    const apps = activeGrantsOf(ctx, user.id).flatMap((grant) => {
      const a = ctx.store.state.apps[grant.clientId];
      return a ? [{ app: a, grant }] : [];
    });
    return c.html(addedAppsPage({ base, users: ctx.store.state.users, user, apps, ...(notice ? { notice } : {}) }));
  };

  app.get('/marketplace/manage/added-apps', (c) => {
    const user = pickUser(ctx, c.req.query('user'));
    if (!user) return c.html(errorPage('No users', 'The sandbox has no users.'), 404);
    const removed = c.req.query('removed');
    const removedApp = removed ? ctx.store.state.apps[removed] : undefined;
    return addedApps(c, user, removedApp ? `${removedApp.name} was removed.` : undefined);
  });

  app.get('/marketplace/manage/added-apps/:clientId/remove', (c) => {
    const user = pickUser(ctx, c.req.query('user'));
    const target = ctx.store.state.apps[c.req.param('clientId')];
    if (!user || !target) return c.html(errorPage('App not found', 'This app is not added to the selected sandbox user.'), 404);
    return c.html(confirmRemovePage(base, target, user));
  });

  app.post('/marketplace/manage/added-apps/:clientId/remove', async (c) => {
    const fields = await readFormFields(c);
    // Never fall back to the default user on an unreadable form: that would remove someone else's app.
    if (!fields) return unreadableForm(c);
    const form = UserForm.safeParse(fields);
    const user = pickUser(ctx, form.success ? form.data.user : undefined);
    const clientId = c.req.param('clientId');
    if (!user || !ctx.store.state.apps[clientId]) return c.html(errorPage('App not found', 'This app is not added to the selected sandbox user.'), 404);
    // Removing in the Marketplace ends the grant and sends app_deauthorized (§5.5).
    for (const g of activeGrantsOf(ctx, user.id, clientId)) revokeGrant(ctx, g, 'removed in Marketplace › Manage › Added Apps', true);
    ctx.store.save();
    return c.redirect(`${base}/marketplace/manage/added-apps?user=${encodeURIComponent(user.id)}&removed=${encodeURIComponent(clientId)}`, 303);
  });
}
