import { Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { describeInvite } from '../../../domain/orgs/invites.ts';
import { acceptInvite } from '../../../domain/orgs/accept-invite.ts';
import { endSession } from '../../../domain/orgs/sessions.ts';
import { switchOrganization } from '../../../domain/orgs/switch-organization.ts';
import { signIn } from '../../../domain/orgs/sign-in.ts';
import { signUp } from '../../../domain/orgs/sign-up.ts';
import { createOrganization } from '../../../domain/orgs/create-organization.ts';
import type { AppEnv } from '../../env.ts';
import { SESSION_COOKIE } from '../../middleware.ts';
import { attempt, formOf, html, safeNext, sessionOf, shell, signedIn, statusOf, type C } from '../helpers.tsx';
import { AcceptInvitePage, InvalidInvitePage, SignInPage, SignUpPage } from './pages.tsx';
import { Csrf, Field, Layout } from '../layout.tsx';

function startSession(c: C, token: string): void {
  const deps = c.get('deps');
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: c.get('web').secureCookies,
    path: '/',
    maxAge: deps.settings.sessionTtlHours * 3600,
  });
}

const SIGNED_UP_NOTICE = 'Your account is ready: sign in to continue. If this email already had an account, sign in with its password (invite links can be opened again once signed in).';

export function authPages(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', (c) => c.redirect(sessionOf(c) ? '/incidents' : '/sign-in', 303));

  app.get('/sign-up', (c) => html(c, <SignUpPage shell={shell(c, 'Create account')} values={{}} />));
  app.post('/sign-up', async (c) => {
    const form = await formOf(c);
    const r = await attempt(() => signUp({ deps: c.get('deps'), meta: c.get('meta'), input: form }));
    if (!r.ok) {
      const invite = form['inviteToken'] ? await describeInvite(c.get('deps'), form['inviteToken']) : null;
      return html(
        c,
        <SignUpPage shell={shell(c, 'Create account')} values={form} error={r.error} invite={invite && form['inviteToken'] ? { token: form['inviteToken'], ...invite } : null} />,
        statusOf(c, r.error),
      );
    }
    // The same answer whether the email was new or already had an account: sign in to continue.
    return html(c, <SignInPage shell={shell(c, 'Sign in')} email={form['email']} notice={SIGNED_UP_NOTICE} />);
  });

  app.get('/sign-in', (c) => html(c, <SignInPage shell={shell(c, 'Sign in')} next={c.req.query('next')} />));
  app.post('/sign-in', async (c) => {
    const form = await formOf(c);
    const r = await attempt(() => signIn({ deps: c.get('deps'), meta: c.get('meta'), input: form }));
    if (!r.ok) return html(c, <SignInPage shell={shell(c, 'Sign in')} email={form['email']} next={form['next']} error={r.error} />, statusOf(c, r.error));
    startSession(c, r.value.token);
    return c.redirect(safeNext(form['next']), 303);
  });

  app.post('/sign-out', async (c) => {
    const session = sessionOf(c);
    if (session) await endSession(c.get('deps'), c.get('meta'), session);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/sign-in', 303);
  });

  app.get('/invites/:token', async (c) => {
    const token = c.req.param('token');
    const invite = await describeInvite(c.get('deps'), token);
    if (!invite) return html(c, <InvalidInvitePage shell={shell(c, 'Invite')} />, 404);
    if (sessionOf(c)) return html(c, <AcceptInvitePage shell={shell(c, 'Invite')} token={token} {...invite} />);
    return html(c, <SignUpPage shell={shell(c, 'Join')} values={{}} invite={{ token, ...invite }} />);
  });
  app.post('/invites/:token/accept', signedIn, async (c) => {
    const token = c.req.param('token');
    const session = sessionOf(c);
    if (!session) return c.redirect('/sign-in', 303);
    const r = await attempt(() => acceptInvite({ deps: c.get('deps'), meta: c.get('meta'), user: session.user, token }));
    if (!r.ok) {
      const invite = await describeInvite(c.get('deps'), token);
      if (!invite) return html(c, <InvalidInvitePage shell={shell(c, 'Invite')} />, 404);
      return html(c, <AcceptInvitePage shell={shell(c, 'Invite')} token={token} {...invite} error={r.error} />, statusOf(c, r.error));
    }
    await switchOrganization(c.get('deps'), session, r.value.orgId);
    return c.redirect('/incidents', 303);
  });

  app.post('/organization/switch', signedIn, async (c) => {
    const session = sessionOf(c);
    const form = await formOf(c);
    if (session) await switchOrganization(c.get('deps'), session, form['orgId'] ?? '');
    return c.redirect('/incidents', 303);
  });

  const NewOrgPage = ({ c, error, name }: { c: C; error?: import('../../../shared/errors.ts').AppError | null; name?: string }) => (
    <Layout {...shell(c, 'New organization')} error={error ?? null}>
      <div class="panel narrow">
        <h1>Create an organization</h1>
        {sessionOf(c)?.actor === null && <p>You are not a member of any organization. Create one, or open an invite link from a teammate.</p>}
        <form method="post" action="/organization/new">
          <Csrf token={c.get('csrfToken')} />
          <Field id="organizationName" label="Organization name" error={error}>
            <input id="organizationName" name="organizationName" type="text" required maxlength={100} value={name ?? ''} />
          </Field>
          <button type="submit">Create organization</button>
        </form>
      </div>
    </Layout>
  );
  app.get('/organization/new', signedIn, (c) => html(c, <NewOrgPage c={c} />));
  app.post('/organization/new', signedIn, async (c) => {
    const session = sessionOf(c);
    const form = await formOf(c);
    if (!session) return c.redirect('/sign-in', 303);
    const r = await attempt(() => createOrganization({ deps: c.get('deps'), meta: c.get('meta'), userId: session.user.id, input: form }));
    if (!r.ok) return html(c, <NewOrgPage c={c} error={r.error} name={form['organizationName']} />, statusOf(c, r.error));
    await switchOrganization(c.get('deps'), session, r.value.orgId);
    return c.redirect('/incidents', 303);
  });

  return app;
}
