import type { FC } from 'hono/jsx';
import { SEVERITIES, SEVERITY_DESCRIPTION } from '../../../domain/incidents/model.ts';
import type { MemberView } from '../../../domain/orgs/list-members.ts';
import type { AppError } from '../../../shared/errors.ts';
import { Csrf, Field, Layout, type PageShell } from '../layout.tsx';

export const NewIncidentPage: FC<{ shell: PageShell; members: MemberView[]; values: Record<string, string>; error?: AppError | null }> = ({ shell, members, values, error }) => {
  const severity = values['severity'] || 'SEV2';
  return (
    <Layout {...shell} error={error ?? null}>
      <div class="panel mw-720">
        <h1>Declare an incident</h1>
        <form method="post" action="/incidents" novalidate>
          <Csrf token={shell.csrfToken} />
          <Field id="title" label="Title" help="What is broken, in a few words (up to 200 characters)." error={error}>
            <input id="title" name="title" type="text" required maxlength={200} value={values['title'] ?? ''} aria-describedby="title-help" />
          </Field>
          <fieldset class="field">
            <legend>
              <strong>Severity</strong>
            </legend>
            {SEVERITIES.map((s) => (
              <div>
                <input type="radio" id={`sev-${s}`} name="severity" value={s} checked={severity === s} />{' '}
                <label for={`sev-${s}`} class="inline strong">
                  {s}
                </label>{' '}
                <span class="muted">{SEVERITY_DESCRIPTION[s]}</span>
              </div>
            ))}
          </fieldset>
          <Field id="summary" label="Summary (optional)" help="What you know so far: impact, symptoms, first findings." error={error}>
            <textarea id="summary" name="summary" maxlength={10000} aria-describedby="summary-help">
              {values['summary'] ?? ''}
            </textarea>
          </Field>
          <Field id="leadUserId" label="Incident lead (optional)" error={error}>
            <select id="leadUserId" name="leadUserId">
              <option value="">No lead yet</option>
              {members.map((m) => (
                <option value={m.userId} selected={values['leadUserId'] === m.userId}>
                  {m.name} ({m.email})
                </option>
              ))}
            </select>
          </Field>
          <button type="submit">Declare incident</button> <a href="/incidents">Cancel</a>
        </form>
      </div>
    </Layout>
  );
};
