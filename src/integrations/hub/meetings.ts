import { and, eq, isNotNull } from 'drizzle-orm';
import { integrationConnections } from '../../platform/db/schema.ts';
import { systemMeta } from '../../domain/context.ts';
import { MeetingError, type MeetingPort } from '../../domain/war-rooms/port.ts';
import { AppError } from '../../shared/errors.ts';
import { requireProvider, type HubDeps } from './context.ts';
import { findConnectionRows, markReconnectRequired, providerSource } from './connections.ts';
import { revokeBeforeDropping } from './revoke-before-dropping.ts';
import { cannotHostFor, endScopeMissingMessage, ProviderError, providerAppError } from './provider.ts';
import { accessTokenAndRow, withAccessToken } from './token-getter.ts';
import type { ConnectionRow } from './connections.ts';

/**
 * War rooms reach providers only through this port, always with the one token getter. `known`: the
 * organization's connection rows as the request already read them (with its API token): the first
 * connectedProviders for that organization takes them instead of reading them again.
 */
export function meetingPort(hub: HubDeps, known?: { orgId: string; rows: ConnectionRow[] }): MeetingPort {
  /**
   * Turns a provider failure into a MeetingError. `mayHaveHappened`: the call creates something, so a
   * lost or unreadable answer leaves the outcome unknown (decision 0001). `scopeIsRequired`: a missing
   * scope here means the connection cannot do its job (create), so the grant is revoked and the card
   * asks for a reconnect; for optional scopes (search, end) it only fails this call.
   */
  const explain = async (orgId: string, providerId: string, err: unknown, { mayHaveHappened, scopeIsRequired }: { mayHaveHappened: boolean; scopeIsRequired: boolean }): Promise<never> => {
    const provider = requireProvider(hub, providerId);
    if (err instanceof AppError) throw new MeetingError(err, err.code === 'provider_unavailable', false);
    if (!(err instanceof ProviderError)) throw err;
    const f = err.failure;
    hub.log.warn({ provider: providerId, failure: f.kind, trackingId: err.trackingId }, 'meeting call failed at the provider');
    if (f.kind === 'missing_scope' && scopeIsRequired) {
      // The grant still works, just not for meetings: revoke it before forgetting it.
      const source = providerSource(provider.displayName);
      const row = await revokeBeforeDropping(hub, systemMeta('war-room'), provider, orgId, source);
      if (row) {
        await hub.db.transaction((tx) =>
          markReconnectRequired(tx, hub.clock, systemMeta('war-room'), row, `${provider.displayName} did not grant the meeting scope: connect again and approve it.`, source),
        );
      }
    }
    if (f.kind === 'cannot_host') await recordCanHost(orgId, providerId, false);
    // An outage after the request went out, or a success answer Runframe cannot read, may still have
    // created the meeting: the caller searches for it before anything else.
    const unreadableSuccess = f.kind === 'rejected' && f.status >= 200 && f.status < 300;
    throw new MeetingError(providerAppError(provider, f, hub.clock.now()), f.kind === 'unavailable', mayHaveHappened && (f.kind === 'unavailable' || unreadableSuccess));
  };

  /**
   * What a create learned about hosting rights, on the card until the next create or a check says
   * otherwise: a refused create (3161) shows "can't host"; a made meeting clears it (decision 0004).
   */
  const recordCanHost = async (orgId: string, providerId: string, canHost: boolean): Promise<void> => {
    const provider = requireProvider(hub, providerId);
    const now = hub.clock.now();
    await hub.db
      .update(integrationConnections)
      .set(
        canHost
          ? { canHost: true, hostRefusedAt: null, healthOk: true, healthMessage: 'Ready for war rooms', healthCheckedAt: now }
          : { canHost: false, hostRefusedAt: now, healthOk: false, healthMessage: cannotHostFor(provider), healthCheckedAt: now },
      )
      .where(and(eq(integrationConnections.orgId, orgId), eq(integrationConnections.provider, providerId), eq(integrationConnections.status, 'connected'), canHost ? isNotNull(integrationConnections.hostRefusedAt) : undefined))
      // The card is news, not the outcome: a meeting already made must still be recorded.
      .catch((err: unknown) => hub.log.warn({ err, provider: providerId }, 'could not record hosting rights on the connection'));
  };

  // prepareCreate's token read, used by the next create on the same organization and provider.
  let prepared: { key: string; read: Promise<{ token: string; row: ConnectionRow }> } | null = null;
  // The organization's connection rows as connectedProviders just read them: prepareCreate opens the
  // token from the chosen one instead of reading it again (one query fewer per Create War Room).
  let lastRead: { orgId: string; rows: ConnectionRow[] } | null = null;

  return {
    prepareCreate(orgId, providerId) {
      const rows = lastRead?.orgId === orgId ? lastRead.rows : undefined;
      lastRead = null;
      const read = accessTokenAndRow(hub, orgId, providerId, undefined, rows === undefined ? undefined : (rows.find((r) => r.provider === providerId) ?? null));
      // Nobody may ever ask (the slot was taken): a failure then is not an unhandled rejection.
      read.catch(() => undefined);
      prepared = { key: `${orgId}/${providerId}`, read };
    },
    availableProviders: () => [...hub.providers.values()].map((p) => ({ id: p.id, displayName: p.displayName })),
    async connectedProviders(orgId) {
      // The whole rows (one per provider): a create that follows takes its token from them.
      const given = known?.orgId === orgId ? known.rows.filter((r) => r.orgId === orgId) : undefined;
      known = undefined;
      const rows = given ?? (await findConnectionRows(hub.db, orgId));
      lastRead = { orgId, rows };
      const connected = new Set(rows.filter((r) => r.status === 'connected').map((r) => r.provider));
      return [...hub.providers.values()].filter((p) => connected.has(p.id)).map((p) => ({ id: p.id, displayName: p.displayName }));
    },
    displayName: (id) => hub.providers.get(id)?.displayName ?? id,
    canFindLostMeetings: (id) => hub.providers.get(id)?.listMeetings !== undefined,
    polledProviders: () => [...hub.providers.values()].filter((p) => p.liveStatus !== undefined).map((p) => p.id),
    async liveStatus(orgId, providerId, meetingId) {
      const provider = requireProvider(hub, providerId);
      const ask = provider.liveStatus;
      if (!ask) return { status: 'not_started', at: null };
      try {
        return await withAccessToken(hub, orgId, providerId, (token) => ask(token, meetingId));
      } catch (err) {
        return explain(orgId, providerId, err, { mayHaveHappened: false, scopeIsRequired: false });
      }
    },
    async createMeeting(orgId, providerId, request) {
      const provider = requireProvider(hub, providerId);
      try {
        let hostRefused = false;
        const started = prepared?.key === `${orgId}/${providerId}` ? prepared.read : undefined;
        prepared = null;
        const made = await withAccessToken(
          hub,
          orgId,
          providerId,
          (token, connection) => {
            hostRefused = connection.hostRefusedAt !== null;
            return provider.createMeeting(token, request);
          },
          started,
        );
        // Only a card that says "can't host" has anything to clear (as read just before the call).
        if (hostRefused) await recordCanHost(orgId, providerId, true);
        return made;
      } catch (err) {
        return explain(orgId, providerId, err, { mayHaveHappened: true, scopeIsRequired: true });
      }
    },
    async findMeetingByMarker(orgId, providerId, marker) {
      const provider = requireProvider(hub, providerId);
      const listMeetings = provider.listMeetings;
      // A provider that cannot list meetings cannot be searched: nothing to adopt (its decision record says why that is safe).
      if (!listMeetings) return null;
      try {
        const list = await withAccessToken(hub, orgId, providerId, (token) => listMeetings(token));
        const match = list.find((m) => m.agenda?.includes(marker));
        if (!match) return null;
        const meeting = await withAccessToken(hub, orgId, providerId, (token) => provider.getMeeting(token, match.meetingId));
        return { meetingId: meeting.meetingId, joinUrl: meeting.joinUrl, meetingCode: meeting.meetingCode };
      } catch (err) {
        return explain(orgId, providerId, err, { mayHaveHappened: false, scopeIsRequired: false });
      }
    },
    async endMeeting(orgId, providerId, meetingId) {
      const provider = requireProvider(hub, providerId);
      try {
        await withAccessToken(hub, orgId, providerId, (token) => provider.endMeeting(token, meetingId));
      } catch (err) {
        if (err instanceof ProviderError && err.failure.kind === 'missing_scope') {
          // Ending has its own scope (meeting:update:status): say which, not "the meeting scope".
          const scope = err.failure.scopes[0] ?? provider.missingEndMeetingScope([]) ?? 'the end-meeting scope';
          throw new MeetingError(
            new AppError('needs_reconnect', endScopeMissingMessage(provider.displayName, scope), {
              hint: `End it in ${provider.displayName} if people are still in it. An Owner or Admin can reconnect ${provider.displayName} in Integrations Hub and approve ${scope}.`,
            }),
            false,
            false,
          );
        }
        await explain(orgId, providerId, err, { mayHaveHappened: false, scopeIsRequired: false });
      }
    },
  };
}
