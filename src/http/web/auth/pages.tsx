import type { FC } from 'hono/jsx';
import type { AppError } from '../../../shared/errors.ts';
import { ROLE_LABEL, type Role } from '../../../domain/access/roles.ts';
import { Csrf, Field, Layout, type PageShell } from '../layout.tsx';

const SIGN_UP_LABELS = { name: 'Your name', email: 'Work email', password: 'Password', organizationName: 'Organization name' };

interface FormValues {
  name?: string;
  email?: string;
  organizationName?: string;
}

export const SignUpPage: FC<{ shell: PageShell; values: FormValues; error?: AppError | null; invite?: { token: string; orgName: string; role: Role } | null }> = ({
  shell,
  values,
  error,
  invite,
}) => (
  <Layout {...shell} error={error ?? null} fieldLabels={SIGN_UP_LABELS}>
    <div class="panel narrow">
      <h1>{invite ? `Join ${invite.orgName}` : 'Create your Runframe account'}</h1>
      {invite && (
        <p>
          You were invited to join <strong>{invite.orgName}</strong> as <strong>{ROLE_LABEL[invite.role]}</strong>. Create an account to accept, or{' '}
          <a href={`/sign-in?next=${encodeURIComponent(`/invites/${invite.token}`)}`}>sign in</a> if you already have one.
        </p>
      )}
      <form method="post" action="/sign-up" novalidate>
        <Csrf token={shell.csrfToken} />
        {invite && <input type="hidden" name="inviteToken" value={invite.token} />}
        <Field id="name" label="Your name" error={error}>
          <input id="name" name="name" type="text" autocomplete="name" required maxlength={100} value={values.name ?? ''} />
        </Field>
        <Field id="email" label="Work email" error={error}>
          <input id="email" name="email" type="email" autocomplete="email" required value={values.email ?? ''} />
        </Field>
        <Field id="password" label="Password" help="At least 12 characters." error={error}>
          <input id="password" name="password" type="password" autocomplete="new-password" required minlength={12} aria-describedby="password-help" />
        </Field>
        {!invite && (
          <Field id="organizationName" label="Organization name" help="You will be its Owner. You can invite your team next." error={error}>
            <input id="organizationName" name="organizationName" type="text" required maxlength={100} value={values.organizationName ?? ''} aria-describedby="organizationName-help" />
          </Field>
        )}
        <button type="submit">{invite ? 'Create account and join' : 'Create account'}</button>
      </form>
      {!invite && (
        <p class="muted">
          Already have an account? <a href="/sign-in">Sign in</a>
        </p>
      )}
    </div>
  </Layout>
);

export const SignInPage: FC<{ shell: PageShell; email?: string | undefined; next?: string | undefined; error?: AppError | null; notice?: string }> = ({ shell, email, next, error, notice }) => (
  <Layout {...shell} error={error ?? null} notice={notice ?? shell.notice ?? null}>
    <div class="panel narrow">
      <h1>Sign in to Runframe</h1>
      <form method="post" action="/sign-in" novalidate>
        <Csrf token={shell.csrfToken} />
        {next && <input type="hidden" name="next" value={next} />}
        <Field id="email" label="Email" error={error}>
          <input id="email" name="email" type="email" autocomplete="username" required value={email ?? ''} />
        </Field>
        <Field id="password" label="Password" error={error}>
          <input id="password" name="password" type="password" autocomplete="current-password" required />
        </Field>
        <button type="submit">Sign in</button>
      </form>
      <p class="muted">
        New to Runframe? <a href="/sign-up">Create an account</a>
      </p>
    </div>
  </Layout>
);

export const AcceptInvitePage: FC<{ shell: PageShell; token: string; orgName: string; role: Role; error?: AppError | null }> = ({ shell, token, orgName, role, error }) => (
  <Layout {...shell} error={error ?? null}>
    <div class="panel narrow">
      <h1>Join {orgName}</h1>
      <p>
        You were invited to join <strong>{orgName}</strong> as <strong>{ROLE_LABEL[role]}</strong>.
      </p>
      <form method="post" action={`/invites/${token}/accept`}>
        <Csrf token={shell.csrfToken} />
        <button type="submit">Join {orgName}</button>
      </form>
    </div>
  </Layout>
);

export const InvalidInvitePage: FC<{ shell: PageShell }> = ({ shell }) => (
  <Layout {...shell}>
    <div class="panel narrow">
      <h1>This invite link can't be used</h1>
      <p>It was already used, revoked, or it expired. Ask the person who invited you for a new link.</p>
    </div>
  </Layout>
);
