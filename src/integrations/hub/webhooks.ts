import { webhookEvents } from '../../platform/db/schema.ts';
import { requireProvider, type HubDeps } from './context.ts';
import { applyDeauthorization } from './deauthorize.ts';
import type { WebhookEvent } from './provider.ts';

/**
 * Applies a meeting event. `hub.db` is the transaction that records the delivery as seen: write
 * through it, so a failure also forgets the delivery and the provider's retry applies it.
 */
export type MeetingEventHandler = (hub: HubDeps, event: Extract<WebhookEvent, { type: 'meeting_started' | 'meeting_ended' | 'meeting_deleted' }>, providerId: string) => Promise<void>;

/**
 * A provider webhook: verified over the raw body before anything else, answered fast, and applied
 * once however often the provider retries it.
 */
export async function handleWebhook(
  hub: HubDeps,
  providerId: string,
  rawBody: string,
  headers: Headers,
  onMeetingEvent?: MeetingEventHandler,
): Promise<{ status: 200 | 400 | 401 | 404; body: Record<string, string> }> {
  const provider = requireProvider(hub, providerId);
  const webhooks = provider.webhooks;
  // A provider without webhooks has no endpoint: its war rooms are polled instead.
  if (!webhooks) return { status: 404, body: { error: 'this integration takes no webhooks' } };
  if (!webhooks.verify(rawBody, headers, hub.clock.now())) return { status: 401, body: { error: 'invalid signature or timestamp' } };
  const event = webhooks.parse(rawBody);
  if (!event) return { status: 400, body: { error: 'unrecognised event body' } };
  if (event.type === 'url_validation') return { status: 200, body: webhooks.challengeResponse(event.plainToken) };
  const first = await hub.db.transaction(async (tx) => {
    const inserted = await tx
      .insert(webhookEvents)
      .values({ dedupeKey: `${provider.id}:${event.dedupeKey}`, provider: provider.id, event: event.type, receivedAt: hub.clock.now() })
      .onConflictDoNothing()
      .returning({ key: webhookEvents.dedupeKey });
    if (inserted.length === 0) return false;
    if (event.type === 'deauthorized') await applyDeauthorization(hub, tx, provider, event);
    // Same transaction as the dedupe row: a crash or failure in between must not record the
    // delivery as done without its effect (the provider retries only what was not acknowledged).
    if ((event.type === 'meeting_started' || event.type === 'meeting_ended' || event.type === 'meeting_deleted') && onMeetingEvent) await onMeetingEvent({ ...hub, db: tx }, event, provider.id);
    return true;
  });
  return { status: 200, body: { status: first ? 'processed' : 'duplicate' } };
}
