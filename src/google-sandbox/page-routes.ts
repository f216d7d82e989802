import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import { findSpaceByCode, joinSpace, leaveSpace, presentParticipants } from './conference-lifecycle.ts';
import type { Ctx } from './context.ts';
import { readFormFields } from './forms.ts';
import { activeGrantsOf, revokeGrant } from './grants.ts';
import { confirmRemovePage, connectionsPage } from './pages/connections-pages.ts';
import { errorPage, layout } from './pages/layout.ts';
import { meetingPage } from './pages/meeting-page.ts';
import { WORKSPACE_SUB, type Account, type Space } from './state.ts';

const JoinForm = z.object({ display_name: z.string().trim().min(1).max(60), account: z.string().default('guest') });
const LeaveForm = z.object({ participant: z.string().min(1) });
const AccountForm = z.object({ account: z.string().optional() });

const unreadableForm = (c: Context): Response | Promise<Response> =>
  c.html(errorPage('Invalid request', 'The form could not be read: its body is not a valid form. Go back and try again.'), 400);

export function mountPages(app: Hono, ctx: Ctx): void {
  const base = ctx.basePath;
  const st = () => ctx.store.state;
  const pickAccount = (sub: string | undefined): Account | undefined => st().accounts.find((a) => a.sub === (sub ?? WORKSPACE_SUB)) ?? st().accounts[0];

  app.get('/', (c) =>
    c.html(
      layout(
        'Google sandbox',
        html`<h1>Google sandbox</h1>
<p>A stand-in for Google's OAuth 2.0 endpoints, the Google Meet REST API, Meet's meeting pages and the Google Account's third-party access page, for tests and demos.</p>
<ul><li><a href="${base}/myaccount/connections">Third-party apps with account access</a></li></ul>`,
      ),
    ),
  );

  const showMeeting = (c: Context, space: Space | undefined, opts: { notice?: string; participant?: string; status?: 200 | 404 } = {}): Response | Promise<Response> => {
    if (!space) {
      return c.html(errorPage('Check your meeting code', 'Make sure you entered the correct meeting code in the URL, for example: /meet/xxx-yyyy-zzz'), 404);
    }
    const present = presentParticipants(ctx, space);
    const host = st().accounts.find((a) => a.sub === space.ownerSub);
    return c.html(
      meetingPage({
        base,
        space,
        hostName: host ? `${host.name} <${host.email}>` : 'Unknown host',
        accounts: st().accounts,
        present,
        me: present.find((p) => p.id === (opts.participant ?? c.req.query('participant'))) ?? null,
        ...(opts.notice ? { notice: opts.notice } : {}),
      }),
    );
  };

  app.get('/meet/:code', (c) => showMeeting(c, findSpaceByCode(ctx, c.req.param('code')), c.req.query('left') ? { notice: 'You left the meeting.' } : {}));

  app.post('/meet/:code/join', async (c) => {
    const space = findSpaceByCode(ctx, c.req.param('code'));
    if (!space) return showMeeting(c, undefined);
    const fields = await readFormFields(c);
    if (!fields) return unreadableForm(c);
    const form = JoinForm.safeParse(fields);
    if (!form.success) return c.html(errorPage('Invalid request', 'Enter your name (1 to 60 characters) to join.'), 400);
    const account = form.data.account === 'guest' ? null : (st().accounts.find((a) => a.sub === form.data.account) ?? null);
    const joined = joinSpace(ctx, space, account, form.data.display_name);
    if (!joined.ok) return showMeeting(c, space, { notice: 'You asked to join. No one in the call can let you in yet: wait for someone to join, or ask the host to open the meeting.' });
    return c.redirect(`${base}/meet/${space.meetingCode}?participant=${encodeURIComponent(joined.participant.id)}`, 303);
  });

  app.post('/meet/:code/leave', async (c) => {
    const space = findSpaceByCode(ctx, c.req.param('code'));
    if (!space) return showMeeting(c, undefined);
    const fields = await readFormFields(c);
    if (!fields) return unreadableForm(c);
    const form = LeaveForm.safeParse(fields);
    if (form.success) leaveSpace(ctx, space, form.data.participant);
    return c.redirect(`${base}/meet/${space.meetingCode}?left=1`, 303);
  });

  const connections = (c: Context, account: Account, notice?: string): Response | Promise<Response> => {
    const apps = activeGrantsOf(ctx, account.sub).flatMap((grant) => {
      const a = st().apps[grant.clientId];
      return a ? [{ app: a, grant }] : [];
    });
    return c.html(connectionsPage({ base, accounts: st().accounts, account, apps, ...(notice ? { notice } : {}) }));
  };

  app.get('/myaccount/connections', (c) => {
    const account = pickAccount(c.req.query('account'));
    if (!account) return c.html(errorPage('No accounts', 'The sandbox has no accounts.'), 404);
    const removed = c.req.query('removed');
    const removedApp = removed ? st().apps[removed] : undefined;
    return connections(c, account, removedApp ? `${removedApp.name} no longer has access to your account.` : undefined);
  });

  app.get('/myaccount/connections/:clientId/remove', (c) => {
    const account = pickAccount(c.req.query('account'));
    const target = st().apps[c.req.param('clientId')];
    if (!account || !target) return c.html(errorPage('App not found', 'This app has no access to the selected account.'), 404);
    return c.html(confirmRemovePage(base, target, account));
  });

  app.post('/myaccount/connections/:clientId/remove', async (c) => {
    const fields = await readFormFields(c);
    // Never fall back to the default account on an unreadable form: that would remove someone else's access.
    if (!fields) return unreadableForm(c);
    const form = AccountForm.safeParse(fields);
    const account = form.success && form.data.account ? st().accounts.find((a) => a.sub === form.data.account) : undefined;
    const clientId = c.req.param('clientId');
    if (!account || !st().apps[clientId]) return c.html(errorPage('App not found', 'This app has no access to the selected account.'), 404);
    // Remove access ends the grant; Google sends the app nothing (it learns from invalid_grant / 401).
    for (const g of activeGrantsOf(ctx, account.sub, clientId)) revokeGrant(ctx, g, 'removed in Third-party apps with account access');
    ctx.store.save();
    return c.redirect(`${base}/myaccount/connections?account=${encodeURIComponent(account.sub)}&removed=${encodeURIComponent(clientId)}`, 303);
  });
}
