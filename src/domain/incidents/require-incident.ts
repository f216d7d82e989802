import { aliasedTable, and, eq, sql } from 'drizzle-orm';
import { preparedQuery } from '../../platform/db/prepared.ts';
import type { DbOrTx } from '../../platform/db/client.ts';
import { incidents, users } from '../../platform/db/schema.ts';
import { notFound } from '../../shared/errors.ts';
import { isUuid } from '../../shared/ids.ts';
import { Severity, Status, isActive, reference, type IncidentView } from './model.ts';

const lead = aliasedTable(users, 'lead');
const declarer = aliasedTable(users, 'declarer');

export const incidentColumns = {
  i: incidents,
  leadName: lead.name,
  declarerName: declarer.name,
};

/** The joins that bring the lead's and the declarer's names (`incidentColumns`) to a query that has `incidents`. */
export const incidentNames = {
  lead: [lead, eq(lead.id, incidents.leadUserId)],
  declarer: [declarer, eq(declarer.id, incidents.declaredBy)],
} as const;

export function incidentQuery(db: DbOrTx) {
  return db
    .select(incidentColumns)
    .from(incidents)
    .leftJoin(...incidentNames.lead)
    .leftJoin(...incidentNames.declarer);
}

export function toIncidentView(row: { i: typeof incidents.$inferSelect; leadName: string | null; declarerName: string | null }): IncidentView {
  const { i } = row;
  const status = Status.parse(i.status);
  return {
    id: i.id,
    number: i.number,
    reference: reference(i.number),
    title: i.title,
    summary: i.summary,
    severity: Severity.parse(i.severity),
    status,
    active: isActive(status),
    lead: i.leadUserId ? { userId: i.leadUserId, name: row.leadName ?? 'Former member' } : null,
    declaredBy: i.declaredBy ? { userId: i.declaredBy, name: row.declarerName ?? 'Former member' } : null,
    createdAt: i.createdAt.toISOString(),
    updatedAt: i.updatedAt.toISOString(),
    resolvedAt: i.resolvedAt ? i.resolvedAt.toISOString() : null,
    version: i.version,
  };
}

/**
 * Finds an incident of the organization by id (uuid), number ("42") or reference ("INC-42").
 * An incident of another organization is "not found", never "forbidden".
 */
export async function requireIncident(db: DbOrTx, orgId: string, ref: string): Promise<IncidentView> {
  const found = await findIncident(db, orgId, ref);
  if (!found) throw notFound(`Incident ${ref}`);
  return found;
}

/** Incident numbers as people and URLs write them ("42" or "INC-42"), or null. */
export const incidentNumberOf = (ref: string): number | null => {
  const m = /^(?:INC-)?(\d{1,9})$/i.exec(ref.trim());
  return m ? Number(m[1]) : null;
};

export async function findIncident(db: DbOrTx, orgId: string, ref: string): Promise<IncidentView | null> {
  const number = incidentNumberOf(ref);
  let rows;
  if (number !== null) {
    rows = await preparedQuery(db, 'rf_incident_by_number', (d) =>
      incidentQuery(d).where(and(eq(incidents.orgId, sql.placeholder('orgId')), eq(incidents.number, sql.placeholder('number')))),
    ).execute({ orgId, number });
  } else if (isUuid(ref)) {
    rows = await preparedQuery(db, 'rf_incident_by_id', (d) => incidentQuery(d).where(and(eq(incidents.orgId, sql.placeholder('orgId')), eq(incidents.id, sql.placeholder('id'))))).execute({
      orgId,
      id: ref,
    });
  } else return null;
  const [row] = rows;
  return row ? toIncidentView(row) : null;
}
