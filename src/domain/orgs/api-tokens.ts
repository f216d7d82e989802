import { aliasedTable, and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { preparedQuery } from '../../platform/db/prepared.ts';
import type { DbOrTx } from '../../platform/db/client.ts';
import type { SelectedFields } from 'drizzle-orm/pg-core';
import { sha256Hex } from '../../platform/crypto.ts';
import { apiTokens, incidents, integrationConnections, memberships, users } from '../../platform/db/schema.ts';
import { isUuid } from '../../shared/ids.ts';
import { incidentColumns, incidentNames, incidentNumberOf, toIncidentView } from '../incidents/require-incident.ts';
import type { IncidentView } from '../incidents/model.ts';
import { Role } from '../access/roles.ts';
import type { Actor, Deps } from '../context.ts';

export const PREFIX = 'rf_';
/** How fresh `last used` is kept: Settings › API tokens shows it to the minute. */
export const LAST_USED_RESOLUTION_MS = 60_000;

const tokenColumns = { id: apiTokens.id, lastUsedAt: apiTokens.lastUsedAt, orgId: apiTokens.orgId, userId: users.id, name: users.name, email: users.email, role: memberships.role };
// Beside the incident's lead and declarer (aliases of users), the token's owner is an alias too, left
// joined: drizzle's types give up on an inner join and a left join of aliases of one table (the
// foreign key means the owner is always there; a row without one is refused below).
const owner = aliasedTable(users, 'token_owner');
const ownerUser = eq(users.id, apiTokens.userId);
const ownerMembership = and(eq(memberships.userId, apiTokens.userId), eq(memberships.orgId, apiTokens.orgId));
const valid = and(eq(apiTokens.tokenHash, sql.placeholder('hash')), isNull(apiTokens.revokedAt));

/** Resolves a bearer token to the member it acts for; revoked tokens and removed members get nothing. */
export async function authenticateApiToken(deps: Deps, token: string): Promise<Actor | null> {
  if (!token.startsWith(PREFIX)) return null;
  const [row] = await preparedQuery(deps.db, 'rf_api_token', (db) => db.select(tokenColumns).from(apiTokens).innerJoin(users, ownerUser).innerJoin(memberships, ownerMembership).where(valid)).execute({ hash: sha256Hex(token) });
  return row ? actorOfToken(deps, row) : null;
}

/**
 * The token and incident `ref` of its organization (by number or id), in one statement: the API's
 * most frequent read, `GET /api/v1/incidents/{id}`, costs this one round trip (docs/decisions/0006).
 * `incident` is null when the organization has no such incident.
 */
export async function authenticateApiTokenWithIncident(deps: Deps, token: string, ref: string): Promise<{ actor: Actor; incident: IncidentView | null } | null> {
  if (!token.startsWith(PREFIX)) return null;
  const number = incidentNumberOf(ref);
  if (number === null && !isUuid(ref)) {
    const actor = await authenticateApiToken(deps, token);
    return actor ? { actor, incident: null } : null;
  }
  const [row] = await preparedQuery(deps.db, number === null ? 'rf_api_token_incident_by_id' : 'rf_api_token_incident_by_number', (db) =>
    tokenAndIncident(db, number, {}).where(valid),
  ).execute({ hash: sha256Hex(token), ...(number === null ? { id: ref } : { number }) });
  return row ? actorAndIncident(deps, row) : null;
}

export type ConnectionRow = typeof integrationConnections.$inferSelect;

/**
 * As authenticateApiTokenWithIncident, plus every connection row of the token's organization (one
 * per provider, credentials included), all in one statement: Create War Room through the API needs
 * nothing else before it claims the slot (docs/decisions/0006). One answer row per connection.
 * `connections` is null when nothing was read (`ref` is neither an incident number nor an id).
 */
export async function authenticateApiTokenForWarRoom(deps: Deps, token: string, ref: string): Promise<{ actor: Actor; incident: IncidentView | null; connections: ConnectionRow[] | null } | null> {
  if (!token.startsWith(PREFIX)) return null;
  const number = incidentNumberOf(ref);
  if (number === null && !isUuid(ref)) {
    const actor = await authenticateApiToken(deps, token);
    return actor ? { actor, incident: null, connections: null } : null;
  }
  const rows = await preparedQuery(deps.db, number === null ? 'rf_api_token_war_room_by_id' : 'rf_api_token_war_room_by_number', (db) =>
    tokenAndIncident(db, number, { connection: integrationConnections })
      .leftJoin(integrationConnections, eq(integrationConnections.orgId, apiTokens.orgId))
      .where(valid),
  ).execute({ hash: sha256Hex(token), ...(number === null ? { id: ref } : { number }) });
  const found = rows[0] ? await actorAndIncident(deps, rows[0]) : null;
  return found ? { ...found, connections: rows.flatMap((r) => (r.connection ? [r.connection] : [])) } : null;
}

/** The caller and the incident from a token-and-incident row; null without its owner (the owner is left-joined). */
async function actorAndIncident(
  deps: Deps,
  row: { id: string; lastUsedAt: Date | null; orgId: string; userId: string | null; name: string | null; email: string | null; role: string; i: typeof incidents.$inferSelect | null; leadName: string | null; declarerName: string | null },
): Promise<{ actor: Actor; incident: IncidentView | null } | null> {
  if (row.userId === null || row.name === null || row.email === null) return null;
  const actor = await actorOfToken(deps, { ...row, userId: row.userId, name: row.name, email: row.email });
  return { actor, incident: row.i ? toIncidentView({ i: row.i, leadName: row.leadName, declarerName: row.declarerName }) : null };
}

/**
 * The token, its owner and role, and the incident `ref` names (by id or number) with its lead's and
 * declarer's names: the joins the API's one-statement reads share; `extra` adds columns of joins
 * the caller adds after.
 */
function tokenAndIncident<E extends SelectedFields>(db: DbOrTx, number: number | null, extra: E) {
  return db
    .select({ ...tokenColumns, userId: owner.id, name: owner.name, email: owner.email, ...incidentColumns, ...extra })
    .from(apiTokens)
    .leftJoin(owner, eq(owner.id, apiTokens.userId))
    .innerJoin(memberships, ownerMembership)
    .leftJoin(incidents, incidentOfToken(number))
    .leftJoin(incidentNames.lead[0], incidentNames.lead[1])
    .leftJoin(incidentNames.declarer[0], incidentNames.declarer[1]);
}

/** The incident `ref` names in the token's organization: by id when there is no number. */
const incidentOfToken = (number: number | null) => and(eq(incidents.orgId, apiTokens.orgId), number === null ? eq(incidents.id, sql.placeholder('id')) : eq(incidents.number, sql.placeholder('number')));

async function actorOfToken(deps: Deps, row: { id: string; lastUsedAt: Date | null; orgId: string; userId: string; name: string; email: string; role: string }): Promise<Actor> {
  // At most one write a minute per token: a write on every call made every API read wait on a row
  // lock (and, on PGlite, serialized all reads). The condition keeps racing processes to one write too.
  const now = deps.clock.now();
  const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  if (row.lastUsedAt === null || row.lastUsedAt < stale) {
    await deps.db
      .update(apiTokens)
      .set({ lastUsedAt: now })
      .where(and(eq(apiTokens.id, row.id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, stale))));
  }
  return { userId: row.userId, name: row.name, email: row.email, orgId: row.orgId, role: Role.parse(row.role), via: 'api_token' };
}
