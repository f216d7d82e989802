import type { FC } from 'hono/jsx';
import type { AppError } from '../../../shared/errors.ts';
import { fmtTime } from '../helpers.tsx';
import { Csrf, Field, Layout, type PageShell } from '../layout.tsx';

export interface TokensProps {
  shell: PageShell;
  tokens: { id: string; name: string; prefix: string; createdAt: Date; lastUsedAt: Date | null }[];
  created?: { name: string; token: string } | null;
  error?: AppError | null;
  notice?: string | null;
}

export const ApiTokensPage: FC<TokensProps> = ({ shell, tokens, created, error, notice }) => (
  <Layout {...shell} error={error ?? null} notice={notice ?? null}>
    <p class="muted">Your account</p>
    <h1>API tokens</h1>
    <p>Personal tokens act as you, with your role, in the current organization. Send them as <code>Authorization: Bearer …</code> to the <a href="/api/openapi.json">JSON API</a>.</p>
    {created && (
      <div class="alert ok" role="status">
        <strong>Token “{created.name}” created.</strong> Copy it now: it will not be shown again.
        <p>
          <label for="new-token">New API token</label>
          <input id="new-token" class="secret" type="text" readonly value={created.token} />
        </p>
      </div>
    )}
    <section class="panel" aria-labelledby="new-token-h">
      <h2 id="new-token-h">Create a token</h2>
      <form method="post" action="/settings/api-tokens" class="row">
        <Csrf token={shell.csrfToken} />
        <Field id="token-name" name="name" label="Name" error={error}>
          <input id="token-name" name="name" type="text" required maxlength={100} placeholder="e.g. pager bridge" />
        </Field>
        <div class="field">
          <button type="submit">Create token</button>
        </div>
      </form>
    </section>
    {tokens.length === 0 ? (
      <div class="panel empty">
        <p>You have no API tokens in this organization.</p>
      </div>
    ) : (
      <table class="stack">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Starts with</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => (
            <tr>
              <td data-label="Name">{t.name}</td>
              <td data-label="Starts with">
                <code>{t.prefix}…</code>
              </td>
              <td data-label="Created">{fmtTime(t.createdAt)}</td>
              <td data-label="Last used">{t.lastUsedAt ? fmtTime(t.lastUsedAt) : 'Never'}</td>
              <td data-label="Actions">
                <a href={`/settings/api-tokens/${t.id}/revoke`} aria-label={`Revoke ${t.name}`}>
                  Revoke
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </Layout>
);

export const RevokeTokenPage: FC<{ shell: PageShell; token: { id: string; name: string; prefix: string } }> = ({ shell, token }) => (
  <Layout {...shell}>
    <div class="panel narrow">
      <h1>Revoke “{token.name}”?</h1>
      <p>
        Anything using the token <code>{token.prefix}…</code> will stop working at once. This cannot be undone.
      </p>
      <form method="post" action={`/settings/api-tokens/${token.id}/revoke`} class="row">
        <Csrf token={shell.csrfToken} />
        <button type="submit" class="danger">
          Yes, revoke
        </button>
        <a class="button secondary" href="/settings/api-tokens">
          Cancel
        </a>
      </form>
    </div>
  </Layout>
);
