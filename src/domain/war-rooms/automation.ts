import type { Tx } from '../../platform/db/client.ts';
import { enqueueJob } from '../../jobs/runner.ts';
import type { Clock } from '../../shared/clock.ts';
import type { Actor } from '../context.ts';
import type { Severity } from '../incidents/model.ts';
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
