import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../../platform/db/client.ts';
import { warRoomSettings } from '../../platform/db/schema.ts';
import { Severity } from '../incidents/model.ts';

const Severities = z.array(Severity).catch([]);

export interface WarRoomSettingsView {
  autoCreateSeverities: Severity[];
  endMeetingOnResolve: boolean;
  /** The provider used when none is chosen (Create War Room, the API, the automation); null: the first connected. */
  defaultProvider: string | null;
}

export async function readWarRoomSettings(db: DbOrTx, orgId: string): Promise<WarRoomSettingsView> {
  const [row] = await db.select().from(warRoomSettings).where(eq(warRoomSettings.orgId, orgId));
  return {
    autoCreateSeverities: Severities.parse(row?.autoCreateSeverities ?? []),
    endMeetingOnResolve: row?.endMeetingOnResolve ?? false,
    defaultProvider: row?.defaultProvider ?? null,
  };
}
