import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { validationError } from '../../shared/errors.ts';
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
  /** Absent: unchanged. */
  defaultProvider: z.string().trim().max(40, 'must be at most 40 characters').regex(/^[a-z0-9_-]+$/, 'must be a provider id').optional(),
});

/**
 * Both switches are off by default; Owners and Admins change them (they govern an integration), and
 * the default provider, which must be one Runframe offers (`providers`: their ids).
 */
export async function updateWarRoomSettings({ ctx, input, providers = [] }: { ctx: Ctx; input: unknown; providers?: readonly string[] }): Promise<WarRoomSettingsView> {
  requirePermission(ctx.actor, 'integration:manage');
  const data = parseInput(UpdateWarRoomSettingsInput, input);
  if (data.defaultProvider !== undefined && !providers.includes(data.defaultProvider)) {
    throw validationError([{ field: 'defaultProvider', reason: `must be one of: ${providers.join(', ')}` }]);
  }
  const severities = [...new Set(data.autoCreateSeverities)].sort();
  const chosen = data.defaultProvider === undefined ? {} : { defaultProvider: data.defaultProvider };
  await ctx.db.transaction(async (tx) => {
    await tx
      .insert(warRoomSettings)
      .values({ orgId: ctx.actor.orgId, autoCreateSeverities: severities, endMeetingOnResolve: data.endMeetingOnResolve, ...chosen, updatedAt: ctx.clock.now() })
      .onConflictDoUpdate({ target: warRoomSettings.orgId, set: { autoCreateSeverities: severities, endMeetingOnResolve: data.endMeetingOnResolve, ...chosen, updatedAt: ctx.clock.now() } });
    await recordAudit(tx, ctx.clock, ctx.meta, {
      orgId: ctx.actor.orgId,
      actorUserId: ctx.actor.userId,
      actorLabel: actorLabel(ctx.actor),
      action: 'war_room.settings_changed',
      targetType: 'organization',
      targetId: ctx.actor.orgId,
      metadata: { auto_create: severities.join(' ') || 'off', end_meeting_on_resolve: data.endMeetingOnResolve, ...(data.defaultProvider === undefined ? {} : { default_provider: data.defaultProvider }) },
    });
  });
  const [row] = await ctx.db.select({ defaultProvider: warRoomSettings.defaultProvider }).from(warRoomSettings).where(eq(warRoomSettings.orgId, ctx.actor.orgId));
  return { autoCreateSeverities: severities, endMeetingOnResolve: data.endMeetingOnResolve, defaultProvider: row?.defaultProvider ?? null };
}
