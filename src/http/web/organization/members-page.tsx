import type { FC } from 'hono/jsx';
import { MISSING_PERMISSION, ROLES, ROLE_LABEL, type Role } from '../../../domain/access/roles.ts';
import type { MemberView } from '../../../domain/orgs/list-members.ts';
import type { AppError } from '../../../shared/errors.ts';
import { fmtTime } from '../helpers.tsx';
import { Csrf, Layout, type PageShell } from '../layout.tsx';

export interface MembersProps {
  shell: PageShell;
  orgName: string;
  members: MemberView[];
  canManage: boolean;
  viewerRole: Role;
  currentUserId: string;
  invites: { id: string; role: string; createdAt: Date; expiresAt: Date }[];
  newInvite?: { url: string; role: Role; expiresAt: string } | null;
  error?: AppError | null;
  notice?: string | null;
}

export const MembersPage: FC<MembersProps> = ({ shell, orgName, members, canManage, viewerRole, currentUserId, invites, newInvite, error, notice }) => {
  const grantable = ROLES.filter((r) => r !== 'owner' || viewerRole === 'owner');
  return (
    <Layout {...shell} error={error ?? null} notice={notice ?? null}>
      <p class="muted">Organization</p>
      <h1>{orgName} · Members</h1>
      {!canManage && (
        <div class="alert info" role="note">
          {MISSING_PERMISSION['member:manage']}
        </div>
      )}
      {canManage && (
        <section class="panel" aria-labelledby="invite-h">
          <h2 id="invite-h">Invite a teammate</h2>
          {newInvite && (
            <div class="alert ok" role="status">
              <strong>Invite link for a new {ROLE_LABEL[newInvite.role]}</strong> (valid until {fmtTime(newInvite.expiresAt)}). Copy it now and send it to them; it is shown only once.
              <p>
                <label for="invite-link">Invite link</label>
                <input id="invite-link" class="secret" type="text" readonly value={newInvite.url} />
              </p>
            </div>
          )}
          <form method="post" action="/organization/invites" class="row">
            <Csrf token={shell.csrfToken} />
            <div>
              <label for="invite-role">Role</label>
              <select id="invite-role" name="role">
                {grantable.map((r) => (
                  <option value={r} selected={r === 'responder'}>
                    {ROLE_LABEL[r]}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit">Create invite link</button>
          </form>
          <p class="muted">Owners and Admins manage members and integrations; Responders edit incidents; Viewers can only look.</p>
        </section>
      )}
      <section aria-labelledby="members-h">
        <h2 id="members-h">Members ({members.length})</h2>
        <table class="stack">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              {canManage && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr>
                <td data-label="Name">
                  {m.name}
                  {m.userId === currentUserId ? ' (you)' : ''}
                </td>
                <td data-label="Email">{m.email}</td>
                <td data-label="Role">
                  {canManage ? (
                    <form method="post" action={`/organization/members/${m.userId}/role`} class="row">
                      <Csrf token={shell.csrfToken} />
                      <label class="sr-only" for={`role-${m.userId}`}>
                        Role of {m.name}
                      </label>
                      <select id={`role-${m.userId}`} name="role">
                        {ROLES.filter((r) => grantable.includes(r) || r === m.role).map((r) => (
                          <option value={r} selected={r === m.role}>
                            {ROLE_LABEL[r]}
                          </option>
                        ))}
                      </select>
                      <button type="submit" class="secondary" aria-label={`Change role of ${m.name}`}>
                        Change role
                      </button>
                    </form>
                  ) : (
                    ROLE_LABEL[m.role]
                  )}
                </td>
                {canManage && (
                  <td data-label="Actions">
                    <a href={`/organization/members/${m.userId}/remove`} aria-label={`Remove ${m.name}`}>
                      Remove
                    </a>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {canManage && invites.length > 0 && (
        <section aria-labelledby="pending-h">
          <h2 id="pending-h">Pending invites</h2>
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">Role</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {invites.map((i) => (
                <tr>
                  <td data-label="Role">{ROLE_LABEL[i.role as Role] ?? i.role}</td>
                  <td data-label="Created">{fmtTime(i.createdAt)}</td>
                  <td data-label="Expires">{fmtTime(i.expiresAt)}</td>
                  <td data-label="Actions">
                    <form method="post" action={`/organization/invites/${i.id}/revoke`}>
                      <Csrf token={shell.csrfToken} />
                      <button type="submit" class="secondary">
                        Revoke
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </Layout>
  );
};

export const RemoveMemberPage: FC<{ shell: PageShell; member: MemberView; orgName: string }> = ({ shell, member, orgName }) => (
  <Layout {...shell}>
    <div class="panel narrow">
      <h1>Remove {member.name}?</h1>
      <p>
        {member.name} ({member.email}) will lose access to {orgName} and its API tokens for it stop working. Their incidents, notes and audit history stay.
      </p>
      <form method="post" action={`/organization/members/${member.userId}/remove`} class="row">
        <Csrf token={shell.csrfToken} />
        <button type="submit" class="danger">
          Yes, remove {member.name}
        </button>
        <a class="button secondary" href="/organization/members">
          Cancel
        </a>
      </form>
    </div>
  </Layout>
);
