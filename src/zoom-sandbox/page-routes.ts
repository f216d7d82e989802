import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import type { Ctx } from './context.ts';
import { readFormFields } from './forms.ts';
import { activeGrantsOf, revokeGrant } from './grants.ts';
import { endMeeting, findMeeting, joinMeeting, leaveMeeting } from './meeting-lifecycle.ts';
import { errorPage, layout } from './pages/layout.ts';
import { addedAppsPage, confirmRemovePage, managePage, marketplaceHome } from './pages/marketplace-pages.ts';
import { meetingPage } from './pages/meeting-page.ts';
import { HOST_USER_ID, type Meeting, type SandboxUser } from './state.ts';

const PwdForm = z.object({ pwd: z.string().optional() });
const JoinForm = z.object({ pwd: z.string().optional(), name: z.string().max(64).optional() });
const LeaveForm = z.object({ pwd: z.string().optional(), participant: z.string().min(1) });
const UserForm = z.object({ user: z.string().optional(), delete_data: z.literal('yes').optional() });

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
<ul><li><a href="${base}/marketplace">Marketplace</a></li><li><a href="${base}/marketplace/manage">Manage</a>, then Added Apps</li></ul>`,
      ),
    ),
  );

  const showMeeting = (c: Context, m: Meeting | undefined, opts: { notice?: string; waiting?: boolean } = {}): Response | Promise<Response> => {
    if (!m) return c.html(errorPage('Meeting not found', 'This meeting link is invalid or the meeting has expired. (3001)'), 404);
    const host = ctx.store.state.users.find((u) => u.id === m.hostId);
    const me = m.participants.find((x) => x.id === c.req.query('participant')) ?? null;
    return c.html(
      meetingPage({
        meeting: m,
        hostName: host ? `${host.firstName} ${host.lastName}` : 'Unknown host',
        base,
        pwd: c.req.query('pwd') ?? '',
        me,
        ...(opts.waiting ? { waiting: true } : {}),
        ...(opts.notice ? { notice: opts.notice } : {}),
      }),
    );
  };
  /** Back to the meeting page after a form (303), keeping the passcode and who this page is. */
  const backTo = (c: Context, id: string, q: { pwd?: string | undefined; participant?: string | undefined; waiting?: boolean }) => {
    const params = new URLSearchParams();
    if (q.pwd) params.set('pwd', q.pwd);
    if (q.participant) params.set('participant', q.participant);
    if (q.waiting) params.set('waiting', '1');
    const qs = params.toString();
    return c.redirect(`${base}/j/${id}${qs ? `?${qs}` : ''}`, 303);
  };

  app.get('/j/:meetingId', (c) => showMeeting(c, findMeeting(ctx, c.req.param('meetingId')), { waiting: c.req.query('waiting') === '1' }));
  // The host link the sandbox hands out as Zoom does; Runframe never stores or shows it.
  app.get('/s/:meetingId', (c) => showMeeting(c, findMeeting(ctx, c.req.param('meetingId')), { notice: 'You opened the host link (start_url).' }));

  app.post('/j/:meetingId/join', async (c) => {
    const id = c.req.param('meetingId');
    const m = findMeeting(ctx, id);
    if (!m) return showMeeting(c, undefined);
    const fields = await readFormFields(c);
    if (!fields) return unreadableForm(c);
    const form = JoinForm.safeParse(fields);
    const pwd = form.success ? form.data.pwd : undefined;
    const me = joinMeeting(ctx, m, form.success && form.data.name ? { name: form.data.name } : {});
    return backTo(c, id, { pwd, participant: me?.id, waiting: me === null });
  });

  app.post('/j/:meetingId/leave', async (c) => {
    const id = c.req.param('meetingId');
    const m = findMeeting(ctx, id);
    if (!m) return showMeeting(c, undefined);
    const fields = await readFormFields(c);
    if (!fields) return unreadableForm(c);
    const form = LeaveForm.safeParse(fields);
    if (form.success) leaveMeeting(ctx, m, form.data.participant);
    return backTo(c, id, { pwd: form.success ? form.data.pwd : undefined });
  });

  for (const action of ['start', 'end'] as const) {
    app.post(`/j/:meetingId/${action}`, async (c) => {
      const id = c.req.param('meetingId');
      const m = findMeeting(ctx, id);
      if (!m) return showMeeting(c, undefined);
      const fields = await readFormFields(c);
      if (!fields) return unreadableForm(c);
      const form = PwdForm.safeParse(fields);
      const pwd = form.success ? form.data.pwd : undefined;
      // The host starting the meeting is in it; ending it is for everyone.
      if (action === 'start') {
        if (m.status === 'started') return backTo(c, id, { pwd });
        const me = joinMeeting(ctx, m, { asHost: true });
        return backTo(c, id, { pwd, participant: me?.id });
      }
      endMeeting(ctx, m);
      return backTo(c, id, { pwd });
    });
  }

  app.get('/marketplace', (c) => c.html(marketplaceHome(base)));
  app.get('/marketplace/manage', (c) => c.html(managePage(base)));

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
    const deleteData = form.success && form.data.delete_data === 'yes';
    for (const g of activeGrantsOf(ctx, user.id, clientId)) revokeGrant(ctx, g, 'removed in Marketplace › Manage › Added Apps', true, { deleteData });
    ctx.store.save();
    return c.redirect(`${base}/marketplace/manage/added-apps?user=${encodeURIComponent(user.id)}&removed=${encodeURIComponent(clientId)}`, 303);
  });
}
