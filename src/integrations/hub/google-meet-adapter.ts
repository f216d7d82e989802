import type { GoogleConfig } from '../../config/index.ts';
import {
  buildAuthorizeUrl,
  createMeetClient,
  exchangeCode,
  getUserInfo,
  googleMeetManifest,
  isGoogleError,
  isGoogleScopeName,
  missingScopes,
  refreshTokens,
  revokeToken,
  type FetchLike,
  type GoogleOAuthOptions,
  type GoogleTokenSet,
} from '../google-meet/index.ts';
import { ProviderError, type Credentials, type ProviderAdapter, type ProviderFailure } from './provider.ts';

/** Runs a Google call and turns its failures into provider-neutral ones. */
async function googleCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isGoogleError(err)) {
      const f = err.failure;
      const failure: ProviderFailure = f.kind === 'unavailable' ? { kind: 'unavailable', reason: f.reason } : f.kind === 'rejected' ? { kind: 'rejected', status: f.status, message: f.message } : f;
      throw new ProviderError(googleMeetManifest.id, failure);
    }
    throw err;
  }
}

const toCredentials = (t: GoogleTokenSet & { refreshToken: string }): Credentials => ({ accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: t.expiresAt, scopes: t.scopes });

/**
 * Google Meet behind the hub's ProviderAdapter: OAuth 2.0 with PKCE and offline access, userinfo for
 * the account, and Meet spaces as war rooms. No webhooks (the badge is polled: liveStatus) and no
 * list of spaces (a lost create answer cannot be searched for: decision 0011).
 */
export function googleMeetAdapter(config: GoogleConfig, fetchImpl: FetchLike | undefined, now: () => Date): ProviderAdapter {
  const oauth: GoogleOAuthOptions = {
    authBaseUrl: config.authBaseUrl,
    tokenBaseUrl: config.tokenBaseUrl,
    userinfoBaseUrl: config.userinfoBaseUrl,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    redirectUri: config.redirectUri,
    now,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  };
  const meet = createMeetClient({ apiBaseUrl: config.meetApiBaseUrl, now, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  const name = googleMeetManifest.displayName;
  return {
    id: googleMeetManifest.id,
    displayName: name,
    section: googleMeetManifest.section,
    description: googleMeetManifest.description,
    isScopeName: isGoogleScopeName,
    singleGrantPerUser: false,
    invalidGrantReason:
      'Google no longer accepts Runframe’s authorization: it was removed in the Google account (Third-party apps with account access), revoked by a Workspace admin, unused for six months, or it expired — authorizations of an OAuth app still in Google’s “Testing” publishing status expire after 7 days.',
    cannotHostMessage: 'The connected Google account cannot create meetings: Google Meet is turned off for it, or its Workspace admin does not allow meetings anyone with the link can join.',
    reconnectNote:
      'If this happens about a week after connecting, Runframe’s OAuth app is still in Google’s “Testing” publishing status, whose authorizations expire after 7 days: publish the app (Google Auth Platform › Audience), then reconnect.',
    authorizeUrl: (state, codeChallenge) => buildAuthorizeUrl({ authBaseUrl: config.authBaseUrl, clientId: config.clientId, redirectUri: config.redirectUri, state, codeChallenge }),
    exchangeCode: (code, codeVerifier) => googleCall(async () => toCredentials(await exchangeCode({ ...oauth, code, codeVerifier }))),
    refresh: (refreshToken) => googleCall(async () => toCredentials(await refreshTokens({ ...oauth, refreshToken }))),
    revoke: (token) => googleCall(() => revokeToken({ ...oauth, token })),
    identify: (accessToken) =>
      googleCall(async () => {
        const u = await getUserInfo(oauth, accessToken);
        // Google cannot say up front whether the account may create meetings: a create tells (403).
        return { userId: u.sub, accountId: u.hd ?? '', email: u.email ?? '', name: u.name ?? u.email ?? u.sub, canHost: null };
      }),
    missingScopes: (scopes) => missingScopes(scopes),
    // Ending the live call needs the same Meet scope that creating does.
    missingEndMeetingScope: () => null,
    createMeeting: (accessToken) =>
      googleCall(async () => {
        const s = await meet.createSpace(accessToken);
        return { meetingId: s.name, joinUrl: s.meetingUri, meetingCode: s.meetingCode };
      }),
    getMeeting: (accessToken, meetingId) =>
      googleCall(async () => {
        const s = await meet.getSpace(accessToken, meetingId);
        return { meetingId: s.name, joinUrl: s.meetingUri, meetingCode: s.meetingCode };
      }),
    endMeeting: (accessToken, meetingId) => googleCall(() => meet.endActiveConference(accessToken, meetingId)),
    liveStatus: (accessToken, meetingId) =>
      googleCall(async () => {
        const latest = await meet.latestConference(accessToken, meetingId);
        if (!latest) return { status: 'not_started' as const, at: null };
        return latest.endTime === undefined ? { status: 'live' as const, at: new Date(latest.startTime) } : { status: 'empty' as const, at: new Date(latest.endTime) };
      }),
  };
}
