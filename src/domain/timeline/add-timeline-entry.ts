import type { DbOrTx } from '../../platform/db/client.ts';
import { timelineEntries } from '../../platform/db/schema.ts';
import { newId } from '../../shared/ids.ts';
import type { Clock } from '../../shared/clock.ts';

export type TimelineKind =
  | 'declared'
  | 'status_changed'
  | 'severity_changed'
  | 'lead_changed'
  | 'title_changed'
  | 'summary_changed'
  | 'note'
  | 'war_room';

/** Written inside the transaction of the change it records, so the two never disagree. */
export async function addTimelineEntry(
  tx: DbOrTx,
  clock: Clock,
  entry: {
    orgId: string;
    incidentId: string;
    kind: TimelineKind;
    actorUserId: string | null;
    actorLabel: string;
    body: string;
    data?: Record<string, string | number | boolean | null>;
  },
): Promise<void> {
  await tx.insert(timelineEntries).values({
    id: newId(),
    orgId: entry.orgId,
    incidentId: entry.incidentId,
    kind: entry.kind,
    actorUserId: entry.actorUserId,
    actorLabel: entry.actorLabel,
    body: entry.body,
    data: entry.data ?? {},
    createdAt: clock.now(),
  });
}
