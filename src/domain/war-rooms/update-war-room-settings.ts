import { z } from 'zod';
import { warRoomSettings } from '../../platform/db/schema.ts';
import { parseInput } from '../../shared/validate.ts';
import { requirePermission } from '../access/roles.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Ctx } from '../context.ts';
import { Severity } from '../incidents/model.ts';
import { actorLabel } from '../orgs/fields.ts';
import type { WarRoomSettingsView } from './settings.ts';

export const UpdateWarRoomSettingsInput = z.object({
  autoCreateSeverities: z.array(Severity).max(5).default([]),
  endMeetingOnResolve: z.boolean({ error: 'must be true or false' }).default(false),
});

/** Both settings are off by default; Owners and Admins change them (they govern an integration). */
export async function updateWarRoomSettings({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<WarRoomSettingsView> {
  requirePermission(ctx.actor, 'integration:manage');
  const data = parseInput(UpdateWarRoomSettingsInput, input);
  const severities = [...new Set(data.autoCreateSeverities)].sort();
  await ctx.db.transaction(async (tx) => {
    await tx
      .insert(warRoomSettings)
      .values({ orgId: ctx.actor.orgId, autoCreateSeverities: severities, endMeetingOnResolve: data.endMeetingOnResolve, updatedAt: ctx.clock.now() })
      .onConflictDoUpdate({ target: warRoomSettings.orgId, set: { autoCreateSeverities: severities, endMeetingOnResolve: data.endMeetingOnResolve, updatedAt: ctx.clock.now() } });
    await recordAudit(tx, ctx.clock, ctx.meta, {
      orgId: ctx.actor.orgId,
      actorUserId: ctx.actor.userId,
      actorLabel: actorLabel(ctx.actor),
      action: 'war_room.settings_changed',
      targetType: 'organization',
      targetId: ctx.actor.orgId,
      metadata: { auto_create: severities.join(' ') || 'off', end_meeting_on_resolve: data.endMeetingOnResolve },
    });
  });
  return { autoCreateSeverities: severities, endMeetingOnResolve: data.endMeetingOnResolve };
}
