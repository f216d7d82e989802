// Public surface of the Google Meet provider folder; the hub imports only from here.
export { googleMeetManifest, missingScopes, isGoogleScopeName, MEET_SCOPE } from './manifest.ts';
export { buildAuthorizeUrl, exchangeCode, refreshTokens, revokeToken, getUserInfo, type GoogleOAuthOptions, type GoogleTokenSet, type GoogleUserInfo } from './oauth.ts';
export { createMeetClient, WAR_ROOM_ACCESS_TYPE, type MeetClient, type MeetSpace, type ConferenceRecord } from './client.ts';
export { GoogleError, isGoogleError, classifyResponse, type GoogleFailure } from './errors.ts';
export type { FetchLike } from './http.ts';
