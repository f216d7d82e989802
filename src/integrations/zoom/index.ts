// Public surface of the Zoom provider folder; the hub imports only from here.
export { zoomManifest, missingScopes, missingScopeNames, missingEndMeetingScope, type RequiredCapability } from './manifest.ts';
export { buildAuthorizeUrl, exchangeCode, refreshTokens, revokeToken, type AuthorizeUrlInput, type OAuthClientOptions, type TokenSet } from './oauth.ts';
export {
  createZoomClient,
  zoomUtc,
  TOPIC_MAX,
  AGENDA_MAX,
  type ZoomClient,
  type ZoomClientOptions,
  type ZoomUser,
  type CreateMeetingInput,
  type ZoomMeeting,
  type ZoomMeetingSummary,
  type ZoomListType,
} from './client.ts';
export { ZoomError, isZoomError, classifyResponse, type ZoomFailure, type ZoomFailureKind } from './errors.ts';
export { verifyZoomSignature, urlValidationResponse, parseZoomWebhookEvent, dedupeKey, type ZoomWebhookEvent, type VerifySignatureInput } from './webhooks.ts';
export type { FetchLike } from './http.ts';
