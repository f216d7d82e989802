import type { FC, PropsWithChildren } from 'hono/jsx';
import type { SessionView } from '../../domain/orgs/sessions.ts';
import { can } from '../../domain/access/roles.ts';
import type { AppError } from '../../shared/errors.ts';

export interface PageShell {
  title: string;
  session: SessionView | null;
  csrfToken: string;
  /** Which nav entry is current. */
  current?: string;
  error?: AppError | null;
  notice?: string | null;
  /** The form's labels by field name, so errors name fields as the form does ("Organization name is required"). */
  fieldLabels?: Record<string, string>;
}

/** How a field is named when the page gives no label: organizationName → "Organization name". */
export const fieldLabel = (field: string, labels?: Record<string, string>): string => {
  const given = labels?.[field];
  if (given) return given;
  const words = field.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_.]+/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const ORG_PAGES = ['members', 'integrations', 'audit'];

export const Csrf: FC<{ token: string }> = ({ token }) => <input type="hidden" name="_csrf" value={token} />;

const NavLink: FC<{ href: string; id: string; current: string | undefined; label: string }> = ({ href, id, current, label }) => (
  <li>
    <a href={href} aria-current={current === id ? 'page' : undefined}>
      {label}
    </a>
  </li>
);

export const ErrorAlert: FC<{ error: AppError; labels?: Record<string, string> | undefined }> = ({ error, labels }) => {
  const n = error.fields.length;
  // A message made from the field list would say the list twice: the heading then only counts.
  const generated = error.fields.map((f) => `${f.field}: ${f.reason}`).join('; ');
  const heading = n > 0 && error.message === generated ? (n === 1 ? 'There is a problem with the form' : `There are ${n} problems with the form`) : error.message;
  return (
    <div class="alert error" role="alert">
      <strong>{heading}</strong>
      {n > 0 && (
        <ul>
          {error.fields.map((f) =>
            labels?.[f.field] ? (
              <li>
                <a href={`#${f.field}`}>
                  {fieldLabel(f.field, labels)} {f.reason}
                </a>
              </li>
            ) : (
              <li>
                {fieldLabel(f.field, labels)} {f.reason}
              </li>
            ),
          )}
        </ul>
      )}
      {error.hint && <p>{error.hint}</p>}
    </div>
  );
};

export const Layout: FC<PropsWithChildren<PageShell>> = ({ title, session, csrfToken, current, error, notice, fieldLabels, children }) => {
  const actor = session?.actor ?? null;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Runframe`}</title>
        <link rel="stylesheet" href="/assets/app.css" />
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <div class="bar">
            <a class="brand" href="/">
              Runframe
            </a>
            {actor && (
              <nav aria-label="Main">
                <ul>
                  <NavLink href="/incidents" id="incidents" current={current} label="Incidents" />
                  <NavLink href="/organization/members" id="organization" current={ORG_PAGES.includes(current ?? '') ? 'organization' : current} label="Organization" />
                  <NavLink href="/settings/api-tokens" id="tokens" current={current} label="API tokens" />
                </ul>
              </nav>
            )}
            {session && (
              <div class="who">
                {session.memberships.length > 1 && actor && (
                  <form method="post" action="/organization/switch" class="row">
                    <Csrf token={csrfToken} />
                    <label class="sr-only" for="org-switch">
                      Organization
                    </label>
                    <select id="org-switch" name="orgId">
                      {session.memberships.map((m) => (
                        <option value={m.orgId} selected={m.orgId === actor.orgId}>
                          {m.orgName}
                        </option>
                      ))}
                    </select>
                    <button type="submit" class="secondary">
                      Switch
                    </button>
                  </form>
                )}
                {session.memberships.length === 1 && actor && <span>{session.memberships[0]?.orgName}</span>}
                <span class="sr-only">Signed in as</span>
                <span>{session.user.name}</span>
                <form method="post" action="/sign-out" class="inline">
                  <Csrf token={csrfToken} />
                  <button type="submit" class="link">
                    Sign out
                  </button>
                </form>
              </div>
            )}
          </div>
        </header>
        <main id="main">
          {actor && ORG_PAGES.includes(current ?? '') && (
            <nav aria-label="Organization" class="subnav">
              <ul>
                <NavLink href="/organization/members" id="members" current={current} label="Members" />
                <NavLink href="/organization/integrations" id="integrations" current={current} label="Integrations Hub" />
                {can(actor.role, 'audit:view') && <NavLink href="/organization/audit" id="audit" current={current} label="Audit log" />}
              </ul>
            </nav>
          )}
          {error && <ErrorAlert error={error} labels={fieldLabels} />}
          {notice && (
            <div class="alert ok" role="status">
              {notice}
            </div>
          )}
          {children}
        </main>
      </body>
    </html>
  );
};

/** A labelled form field with its help text and the reason it was refused, if it was. */
export const Field: FC<PropsWithChildren<{ id: string; label: string; help?: string; error?: AppError | null | undefined; name?: string }>> = ({
  id,
  label,
  help,
  error,
  name,
  children,
}) => {
  const problem = error?.fields.find((f) => f.field === (name ?? id));
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      {help && (
        <div class="help" id={`${id}-help`}>
          {help}
        </div>
      )}
      {problem && (
        <div class="err" id={`${id}-err`}>
          {label} {problem.reason}
        </div>
      )}
    </div>
  );
};
