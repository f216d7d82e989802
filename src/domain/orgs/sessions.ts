import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { preparedQuery } from '../../platform/db/prepared.ts';
import { randomToken, sha256Hex } from '../../platform/crypto.ts';
import { memberships, organizations, sessions, users } from '../../platform/db/schema.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Actor, Deps, RequestMeta } from '../context.ts';
import { actorLabel } from './fields.ts';
import { Role } from '../access/roles.ts';
import type { MembershipView } from './memberships.ts';

export interface SessionView {
  idHash: string;
  csrfToken: string;
  user: { id: string; name: string; email: string };
  /** Null when the user belongs to no organization any more. */
  actor: Actor | null;
  memberships: MembershipView[];
}

/** Returns the cookie value; only its hash is stored. */
export async function createSession(deps: Deps, userId: string, orgId: string | null): Promise<string> {
  const token = randomToken();
  const now = deps.clock.now();
  await deps.db.insert(sessions).values({
    idHash: sha256Hex(token),
    userId,
    activeOrgId: orgId,
    csrfToken: randomToken(24),
    createdAt: now,
    expiresAt: new Date(now.getTime() + deps.settings.sessionTtlHours * 3_600_000),
  });
  return token;
}

/** A session that expired or was signed out is simply absent. */
export async function resolveSession(deps: Deps, token: string): Promise<SessionView | null> {
  // The session, its user and the user's memberships in one statement (one row per membership; one
  // row with no membership when there is none): every signed-in page runs it.
  const rows = await preparedQuery(deps.db, 'rf_session', (db) =>
    db
      .select({
        s: sessions,
        u: { id: users.id, name: users.name, email: users.email },
        orgId: memberships.orgId,
        orgName: organizations.name,
        role: memberships.role,
      })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .leftJoin(memberships, eq(memberships.userId, sessions.userId))
      .leftJoin(organizations, eq(organizations.id, memberships.orgId))
      .where(and(eq(sessions.idHash, sql.placeholder('idHash')), gt(sessions.expiresAt, sql.placeholder('now'))))
      .orderBy(asc(memberships.createdAt), asc(organizations.name)),
  ).execute({ idHash: sha256Hex(token), now: deps.clock.now() });
  const row = rows[0];
  if (!row) return null;
  const all: MembershipView[] = rows.flatMap((r) => (r.orgId !== null && r.orgName !== null && r.role !== null ? [{ orgId: r.orgId, orgName: r.orgName, role: Role.parse(r.role) }] : []));
  // The active organization falls back to the first remaining one if the user was removed from it.
  const active = all.find((m) => m.orgId === row.s.activeOrgId) ?? all[0];
  const actor: Actor | null = active
    ? { userId: row.u.id, name: row.u.name, email: row.u.email, orgId: active.orgId, role: active.role, via: 'session' }
    : null;
  return { idHash: row.s.idHash, csrfToken: row.s.csrfToken, user: row.u, actor, memberships: all };
}

export async function endSession(deps: Deps, meta: RequestMeta, view: SessionView): Promise<void> {
  await deps.db.transaction(async (tx) => {
    await tx.delete(sessions).where(eq(sessions.idHash, view.idHash));
    await recordAudit(tx, deps.clock, meta, {
      orgId: view.actor?.orgId ?? null,
      actorUserId: view.user.id,
      actorLabel: actorLabel(view.user),
      action: 'user.signed_out',
      targetType: 'user',
      targetId: view.user.id,
    });
  });
}
