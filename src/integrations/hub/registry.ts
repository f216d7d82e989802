import type { GoogleConfig, ZoomConfig } from '../../config/index.ts';
import { googleMeetAdapter } from './google-meet-adapter.ts';
import {
  buildAuthorizeUrl,
  createZoomClient,
  exchangeCode,
  isZoomError,
  missingScopeNames,
  missingEndMeetingScope,
  parseZoomWebhookEvent,
  refreshTokens,
  revokeToken,
  urlValidationResponse,
  verifyZoomSignature,
  dedupeKey,
  zoomManifest,
  type TokenSet,
  type FetchLike,
} from '../zoom/index.ts';
import { ProviderError, type Credentials, type ProviderAdapter, type ProviderFailure } from './provider.ts';

export type ProviderRegistry = ReadonlyMap<string, ProviderAdapter>;

const toCredentials = (t: TokenSet): Credentials => ({ accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: t.expiresAt, scopes: t.scopes });

/** Runs a Zoom call and turns its failures into provider-neutral ones. */
async function zoomCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isZoomError(err)) {
      const f = err.failure;
      const failure: ProviderFailure =
        f.kind === 'rejected' ? { kind: 'rejected', status: f.status, message: f.message } : f.kind === 'rate_limited' ? { kind: 'rate_limited', daily: f.daily, retryAt: f.retryAt } : f;
      throw new ProviderError('zoom', failure, err.trackingId);
    }
    throw err;
  }
}

function zoomAdapter(config: ZoomConfig, fetchImpl: FetchLike | undefined, now: () => Date): ProviderAdapter {
  const oauth = { oauthBaseUrl: config.oauthBaseUrl, clientId: config.clientId, clientSecret: config.clientSecret, now, ...(fetchImpl ? { fetch: fetchImpl } : {}) };
  const client = createZoomClient({ apiBaseUrl: config.apiBaseUrl, now, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  return {
    id: zoomManifest.id,
    displayName: zoomManifest.displayName,
    section: zoomManifest.section,
    description: zoomManifest.description,
    // Zoom scope names, e.g. meeting:write:meeting or meeting:write.
    singleGrantPerUser: true,
    isScopeName: (value) => /^[a-z][a-z_]*(:[a-z_]+){0,3}$/.test(value),
    authorizeUrl: (state, codeChallenge) => buildAuthorizeUrl({ oauthBaseUrl: config.oauthBaseUrl, clientId: config.clientId, redirectUri: config.redirectUri, state, codeChallenge }),
    exchangeCode: (code, codeVerifier) => zoomCall(async () => toCredentials(await exchangeCode({ ...oauth, code, codeVerifier, redirectUri: config.redirectUri }))),
    refresh: (refreshToken) => zoomCall(async () => toCredentials(await refreshTokens({ ...oauth, refreshToken }))),
    revoke: (token) => zoomCall(() => revokeToken({ ...oauth, token })),
    identify: (accessToken) =>
      zoomCall(async () => {
        const u = await client.getMe(accessToken);
        const name = u.displayName || [u.firstName, u.lastName].filter(Boolean).join(' ') || (u.email ?? u.id);
        return { userId: u.id, accountId: u.accountId ?? '', email: u.email ?? '', name, canHost: u.canHost ?? null };
      }),
    missingScopes: (scopes) => missingScopeNames(scopes),
    missingEndMeetingScope: (scopes) => missingEndMeetingScope(scopes),
    createMeeting: (accessToken, r) =>
      zoomCall(async () => {
        const m = await client.createMeeting(accessToken, { topic: r.topic, agenda: r.agenda, startTime: r.startTime, durationMinutes: r.durationMinutes });
        return { meetingId: m.meetingId, joinUrl: m.joinUrl };
      }),
    listMeetings: (accessToken) => zoomCall(async () => (await client.listMeetings(accessToken, 'scheduled')).map((m) => ({ meetingId: m.meetingId, topic: m.topic, agenda: m.agenda }))),
    getMeeting: (accessToken, meetingId) =>
      zoomCall(async () => {
        const m = await client.getMeeting(accessToken, meetingId);
        return { meetingId: m.meetingId, joinUrl: m.joinUrl };
      }),
    endMeeting: (accessToken, meetingId) => zoomCall(async () => void (await client.endMeeting(accessToken, meetingId))),
    webhooks: {
      verify: (rawBody, headers, at) =>
        verifyZoomSignature({ secretToken: config.webhookSecretToken, rawBody, timestampHeader: headers.get('x-zm-request-timestamp'), signatureHeader: headers.get('x-zm-signature'), now: at }),
      parse: (rawBody) => {
        const e = parseZoomWebhookEvent(rawBody);
        if (!e) return null;
        const key = dedupeKey(e);
        switch (e.event) {
          case 'endpoint.url_validation':
            return { type: 'url_validation', plainToken: e.payload.plainToken, dedupeKey: key };
          case 'app_deauthorized': {
            // Every app of the account may share one endpoint: a removal of another app is not ours (§5.5).
            if (e.payload.client_id !== config.clientId) return { type: 'other', dedupeKey: key };
            const at = new Date(e.payload.deauthorization_time);
            return {
              type: 'deauthorized',
              userId: e.payload.user_id,
              accountId: e.payload.account_id,
              at: Number.isNaN(at.getTime()) ? null : at,
              // `false` asks the app to delete the user's data now (§5.5); absent means no request.
              deleteUserData: e.payload.user_data_retention === false,
              dedupeKey: key,
            };
          }
          case 'meeting.started':
            return { type: 'meeting_started', meetingId: e.payload.object.id, at: new Date(e.event_ts), dedupeKey: key };
          case 'meeting.ended':
            return { type: 'meeting_ended', meetingId: e.payload.object.id, at: new Date(e.event_ts), dedupeKey: key };
          case 'meeting.deleted':
            return { type: 'meeting_deleted', meetingId: e.payload.object.id, at: new Date(e.event_ts), dedupeKey: key };
          default:
            return { type: 'other', dedupeKey: key };
        }
      },
      challengeResponse: (plainToken) => urlValidationResponse(config.webhookSecretToken, plainToken),
    },
  };
}

/** A second provider is one more folder and one more line here. */
export function createProviderRegistry(opts: { zoom: ZoomConfig; google?: GoogleConfig | undefined; fetch?: FetchLike; now: () => Date }): ProviderRegistry {
  const adapters: ProviderAdapter[] = [zoomAdapter(opts.zoom, opts.fetch, opts.now)];
  if (opts.google && opts.google.mode !== 'off') adapters.push(googleMeetAdapter(opts.google, opts.fetch, opts.now));
  return new Map(adapters.map((a) => [a.id, a]));
}
