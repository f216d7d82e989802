import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { preparedQuery } from '../../platform/db/prepared.ts';
import { randomToken, sha256Hex } from '../../platform/crypto.ts';
import { memberships, organizations, sessions, users } from '../../platform/db/schema.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Actor, Deps, RequestMeta } from '../context.ts';
import { actorLabel } from './fields.ts';
import { Role } from '../access/roles.ts';
import type { MembershipView } from './memberships.ts';
import type { DbOrTx } from '../../platform/db/client.ts';
import { pageStampSubquery, toPageStamp, type IncidentPageStamp } from '../incidents/page-stamp.ts';

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

const sessionColumns = {
  s: sessions,
  u: { id: users.id, name: users.name, email: users.email },
  orgId: memberships.orgId,
  orgName: organizations.name,
  role: memberships.role,
};

// The session, its user and the user's memberships in one statement (one row per membership; one
// row with no membership when there is none): every signed-in page runs it.
const sessionQuery = (db: DbOrTx) =>
  db
    .select(sessionColumns)
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(memberships, eq(memberships.userId, sessions.userId))
    .leftJoin(organizations, eq(organizations.id, memberships.orgId));
const current = and(eq(sessions.idHash, sql.placeholder('idHash')), gt(sessions.expiresAt, sql.placeholder('now')));
const order = [asc(memberships.createdAt), asc(organizations.name)];

type SessionRow = { s: typeof sessions.$inferSelect; u: SessionView['user']; orgId: string | null; orgName: string | null; role: string | null };

function toSessionView(rows: SessionRow[]): { view: SessionView; row: number } | null {
  const first = rows[0];
  if (!first) return null;
  const all: MembershipView[] = rows.flatMap((r) => (r.orgId !== null && r.orgName !== null && r.role !== null ? [{ orgId: r.orgId, orgName: r.orgName, role: Role.parse(r.role) }] : []));
  // The active organization falls back to the first remaining one if the user was removed from it.
  const active = all.find((m) => m.orgId === first.s.activeOrgId) ?? all[0];
  const actor: Actor | null = active
    ? { userId: first.u.id, name: first.u.name, email: first.u.email, orgId: active.orgId, role: active.role, via: 'session' }
    : null;
  return { view: { idHash: first.s.idHash, csrfToken: first.s.csrfToken, user: first.u, actor, memberships: all }, row: Math.max(0, rows.findIndex((r) => r.orgId === active?.orgId)) };
}

/** A session that expired or was signed out is simply absent. */
export async function resolveSession(deps: Deps, token: string): Promise<SessionView | null> {
  const rows = await preparedQuery(deps.db, 'rf_session', (db) => sessionQuery(db).where(current).orderBy(...order)).execute({ idHash: sha256Hex(token), now: deps.clock.now() });
  return toSessionView(rows)?.view ?? null;
}

/**
 * The session, and the stamp of incident `number` in its active organization, in one statement: an
 * incident page served from the page cache costs this one statement (docs/decisions/0006). The stamp
 * is a lateral join on the membership rows, read only for the session's active organization; when
 * that organization is gone (the actor falls back to another), there is no stamp and the page reads
 * its own.
 */
export async function resolveSessionWithPageStamp(deps: Deps, token: string, number: number): Promise<{ session: SessionView; stamp: IncidentPageStamp | null } | null> {
  const rows = await preparedQuery(deps.db, 'rf_session_page_stamp', (db) => {
    const stamp = pageStampSubquery(db, memberships.orgId, eq(memberships.orgId, sessions.activeOrgId));
    return db
      .select({ ...sessionColumns, stamp: { ...stamp._.selectedFields } })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .leftJoin(memberships, eq(memberships.userId, sessions.userId))
      .leftJoin(organizations, eq(organizations.id, memberships.orgId))
      .leftJoinLateral(stamp, sql`true`)
      .where(current)
      .orderBy(...order);
  }).execute({ idHash: sha256Hex(token), now: deps.clock.now(), number });
  const found = toSessionView(rows);
  if (!found) return null;
  return { session: found.view, stamp: found.view.actor ? toPageStamp(rows[found.row]?.stamp) : null };
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
