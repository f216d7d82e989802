import { and, count, desc, eq, like, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { auditLog } from '../../platform/db/schema.ts';
import { toNumber } from '../../platform/db/client.ts';
import { JsonObjectOrEmpty, parseInput } from '../../shared/validate.ts';
import { requirePermission } from '../access/roles.ts';
import type { Ctx } from '../context.ts';

export const AuditQuery = z.object({
  action: z
    .string()
    .trim()
    .max(100, 'must be at most 100 characters')
    .regex(/^[a-z_.]*$/, 'must look like entity.verb (lower case letters, dots and underscores)')
    .optional(),
  actor: z.string().trim().max(200, 'must be at most 200 characters').optional(),
  page: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 or more').default(1),
  perPage: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 or more').max(100, 'must be at most 100').default(50),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export interface AuditEntryView {
  id: string;
  action: string;
  actor: string;
  targetType: string;
  targetId: string | null;
  ip: string;
  userAgent: string;
  metadata: Record<string, unknown>;
  createdAt: string;
}

export async function listAudit({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx.actor, 'audit:view');
  const q = parseInput(AuditQuery, input);
  const where: SQL[] = [eq(auditLog.orgId, ctx.actor.orgId)];
  // A prefix match lets "incident." list every incident action.
  if (q.action) where.push(like(auditLog.action, `${q.action.replace(/[%_\\]/g, (c) => `\\${c}`)}%`));
  if (q.actor) where.push(like(auditLog.actorLabel, `%${q.actor.replace(/[%_\\]/g, (c) => `\\${c}`)}%`));
  const rows = await ctx.db
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.seq))
    .limit(q.perPage)
    .offset((q.page - 1) * q.perPage);
  const [total] = await ctx.db.select({ n: count() }).from(auditLog).where(and(...where));
  const entries: AuditEntryView[] = rows.map((r) => ({
    id: r.id,
    action: r.action,
    actor: r.actorLabel,
    targetType: r.targetType,
    targetId: r.targetId,
    ip: r.ip,
    userAgent: r.userAgent,
    metadata: JsonObjectOrEmpty.parse(r.metadata),
    createdAt: r.createdAt.toISOString(),
  }));
  return { entries, page: q.page, perPage: q.perPage, total: toNumber(total?.n) };
}
