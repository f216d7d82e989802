import type { DbOrTx, Tx } from '../../platform/db/client.ts';
import { enqueueJob } from '../../platform/jobs/queue.ts';
import type { Clock } from '../../shared/clock.ts';
import type { Actor } from '../context.ts';
import type { Severity } from '../incidents/model.ts';
import { findIncident } from '../incidents/require-incident.ts';
import { addTimelineEntry } from '../timeline/add-timeline-entry.ts';
import { readWarRoomSettings } from './settings.ts';

export const AUTO_CREATE_JOB = 'war_room.auto_create';

/**
 * Declared at, or raised into, a severity the organization chose: enqueue the same Create War Room
 * operation, in the transaction of the change, on behalf of whoever made it.
 */
export async function maybeAutoCreateWarRoom(tx: Tx, clock: Clock, actor: Actor, incident: { id: string }, severity: Severity): Promise<void> {
  const settings = await readWarRoomSettings(tx, actor.orgId);
  if (!settings.autoCreateSeverities.includes(severity)) return;
  await enqueueJob(tx, clock, {
    kind: AUTO_CREATE_JOB,
    payload: { orgId: actor.orgId, incidentId: incident.id, userId: actor.userId },
    dedupeKey: `auto-war-room:${incident.id}:${severity}:${clock.now().getTime()}`,
    maxAttempts: 1,
  });
}

/**
 * The automation could not even try (provider not connected, reconnect required, the trigger's
 * author lost the right): say so on the incident, so responders know why there is no war room.
 */
export async function recordAutoCreateSkipped(db: DbOrTx, clock: Clock, e: { orgId: string; incidentId: string; reason: string }): Promise<void> {
  const incident = await findIncident(db, e.orgId, e.incidentId);
  if (!incident) return;
  await addTimelineEntry(db, clock, {
    orgId: e.orgId,
    incidentId: incident.id,
    kind: 'war_room',
    actorUserId: null,
    actorLabel: 'Runframe',
    body: `Automatic war room skipped: ${e.reason}`,
    data: { state: 'skipped', automatic: true },
  });
}
