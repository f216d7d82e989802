import { z } from 'zod';

export const SandboxAppSchema = z.object({
  name: z.string().min(1),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  redirectUris: z.array(z.url()).min(1),
  publishingStatus: z.enum(['testing', 'production']).default('production'),
  projectNumber: z.string().regex(/^\d{1,20}$/).default('123456789012'),
  meetApiEnabled: z.boolean().default(true),
});
export type StoredApp = z.infer<typeof SandboxAppSchema>;

export const AccessTypeSchema = z.enum(['OPEN', 'TRUSTED', 'RESTRICTED']);
export type AccessType = z.infer<typeof AccessTypeSchema>;

export const AccountSchema = z.object({
  /** Google's stable account id: 21 digits. */
  sub: z.string(),
  email: z.string(),
  name: z.string(),
  givenName: z.string(),
  familyName: z.string(),
  kind: z.enum(['workspace', 'consumer']),
  /** Workspace domain (the `hd` claim); null for consumer accounts. */
  hd: z.string().nullable(),
  /** A Workspace admin can turn Meet off for the account's organizational unit. */
  meetEnabled: z.boolean(),
  /** What `accessType` a space gets when the create request leaves it out. */
  defaultAccessType: AccessTypeSchema,
  /** Workspace policy on OPEN spaces: allow, silently apply TRUSTED, or refuse (reference §3.3, UNCONFIRMED). */
  openPolicy: z.enum(['allow', 'downgrade', 'reject']),
  createdAt: z.string(),
});
export type Account = z.infer<typeof AccountSchema>;

/** One user+client connection: Google keeps one grant and many tokens under it. */
export const GrantSchema = z.object({
  id: z.string(),
  clientId: z.string(),
  sub: z.string(),
  scopes: z.array(z.string()),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  revokedReason: z.string().nullable(),
});
export type Grant = z.infer<typeof GrantSchema>;

export const AccessTokenSchema = z.object({
  token: z.string(),
  grantId: z.string(),
  scopes: z.array(z.string()),
  expiresAt: z.number(),
});
export type AccessToken = z.infer<typeof AccessTokenSchema>;

export const RefreshTokenSchema = z.object({
  token: z.string(),
  grantId: z.string(),
  scopes: z.array(z.string()),
  issuedAt: z.number(),
  lastUsedAt: z.number(),
  /** Testing-status or time-limited expiry; null = no fixed lifetime. */
  expiresAt: z.number().nullable(),
  revoked: z.boolean(),
  revokedReason: z.string().nullable(),
});
export type RefreshToken = z.infer<typeof RefreshTokenSchema>;

export const AuthCodeSchema = z.object({
  code: z.string(),
  clientId: z.string(),
  sub: z.string(),
  redirectUri: z.string(),
  scopes: z.array(z.string()),
  codeChallenge: z.string().nullable(),
  codeChallengeMethod: z.enum(['S256', 'plain']).nullable(),
  /** Decided at consent: access_type=offline and (prompt=consent or first consent). */
  issueRefreshToken: z.boolean(),
  /** include_granted_scopes=true: the tokens also cover scopes granted earlier to this client. */
  includeGrantedScopes: z.boolean(),
  /** Time-limited access chosen on the consent page, in ms; null = until revoked. */
  timeLimitMs: z.number().int().positive().nullable(),
  nonce: z.string().nullable(),
  expiresAt: z.number(),
  used: z.boolean(),
});
export type AuthCode = z.infer<typeof AuthCodeSchema>;

export const SpaceSchema = z.object({
  /** `spaces/{12 case-sensitive alphanumerics}`. */
  name: z.string(),
  meetingCode: z.string(),
  ownerSub: z.string(),
  /** Only the creating client (Cloud project) sees the space with `meetings.space.created`. */
  createdByClientId: z.string(),
  accessType: AccessTypeSchema,
  entryPointAccess: z.enum(['ALL', 'CREATOR_APP_ONLY']),
  createdAt: z.string(),
});
export type Space = z.infer<typeof SpaceSchema>;

export const ParticipantSchema = z.object({
  id: z.string(),
  displayName: z.string(),
  /** Set for a signed-in sandbox account; null for a guest (anonymousUser). */
  sub: z.string().nullable(),
  joinedAt: z.string(),
  leftAt: z.string().nullable(),
});
export type Participant = z.infer<typeof ParticipantSchema>;

export const ConferenceSchema = z.object({
  /** `conferenceRecords/{id}`; a new one each time people start using an idle space. */
  name: z.string(),
  space: z.string(),
  startTime: z.string(),
  endTime: z.string().nullable(),
  expireTime: z.string().nullable(),
  participants: z.array(ParticipantSchema),
});
export type Conference = z.infer<typeof ConferenceSchema>;

export const SettingsSchema = z.object({
  accessTokenLifetimeMs: z.number().int().positive(),
  codeLifetimeMs: z.number().int().positive(),
  /** Refresh tokens of an app in "Testing" status (reference §1.8: 7 days). */
  testingRefreshTokenLifetimeMs: z.number().int().positive(),
  /** Apps asking only for openid/email/profile are exempt from the Testing expiry (UNCONFIRMED). */
  testingExemptsIdentityOnly: z.boolean(),
  /** A refresh token unused this long dies (six months). */
  refreshTokenIdleMs: z.number().int().positive(),
  /** Live refresh tokens per user+client; past it the oldest dies silently (UNCONFIRMED: 50). */
  maxRefreshTokensPerGrant: z.number().int().positive(),
  /** Wording of `invalid_grant` for a reused code: newer "Bad Request" or older "Code was already redeemed.". */
  reusedCodeDescription: z.enum(['Bad Request', 'Code was already redeemed.']),
  /** Whether a refresh answer carries a new id_token when openid was granted (UNCONFIRMED). */
  idTokenOnRefresh: z.boolean(),
  /** Report `email` as `https://www.googleapis.com/auth/userinfo.email` in `scope` (UNCONFIRMED). */
  longFormIdentityScopes: z.boolean(),
  /** Add `authuser`, `prompt` and `hd` to the callback (UNCONFIRMED) so clients learn to ignore extras. */
  callbackExtras: z.boolean(),
  /** Whether the consent page's checkboxes start ticked (UNCONFIRMED). */
  consentPreticked: z.boolean(),
  /** endActiveConference with no live call: 200 `{}`, 400 FAILED_PRECONDITION or 404 NOT_FOUND (UNCONFIRMED). */
  endWhenIdle: z.enum(['ok', 'failed_precondition', 'not_found']),
  /** Consumer (non-Workspace) accounts may create spaces (UNCONFIRMED); `false` answers 403. */
  consumerCanCreate: z.boolean(),
  /** Per-minute quotas of reference §3.10 (per user per project). */
  quotas: z.boolean(),
  /** Output-only fields of newer API revisions (phoneAccess, config.moderation, …) that clients must ignore. */
  newerSpaceFields: z.boolean(),
  /** An empty list answers `{}` (proto3 JSON) rather than `{"conferenceRecords":[]}` (UNCONFIRMED). */
  emptyListAsEmptyObject: z.boolean(),
  /** How long after a start or an end the API shows it: conference records lag the call (UNCONFIRMED, reference §3.7). */
  recordLagMs: z.number().int().min(0),
  /** A meeting code stops working this long after the space was last used (reference §3.2: about 365 days). */
  meetingCodeLifetimeMs: z.number().int().positive(),
  /** Status of `invalid_client` at the token endpoint (UNCONFIRMED: 401). */
  invalidClientStatus: z.union([z.literal(400), z.literal(401)]),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const StateSchema = z.object({
  version: z.literal(1),
  apps: z.record(z.string(), SandboxAppSchema),
  accounts: z.array(AccountSchema),
  grants: z.array(GrantSchema),
  accessTokens: z.array(AccessTokenSchema),
  refreshTokens: z.array(RefreshTokenSchema),
  codes: z.array(AuthCodeSchema),
  spaces: z.array(SpaceSchema),
  conferences: z.array(ConferenceSchema),
  settings: SettingsSchema,
});
export type State = z.infer<typeof StateSchema>;

const DAY_MS = 24 * 60 * 60_000;

export const DEFAULT_SETTINGS: Settings = {
  accessTokenLifetimeMs: 60 * 60_000,
  codeLifetimeMs: 10 * 60_000,
  testingRefreshTokenLifetimeMs: 7 * DAY_MS,
  testingExemptsIdentityOnly: true,
  refreshTokenIdleMs: 183 * DAY_MS,
  maxRefreshTokensPerGrant: 50,
  reusedCodeDescription: 'Bad Request',
  idTokenOnRefresh: true,
  longFormIdentityScopes: true,
  callbackExtras: true,
  consentPreticked: true,
  endWhenIdle: 'failed_precondition',
  consumerCanCreate: true,
  quotas: true,
  newerSpaceFields: true,
  emptyListAsEmptyObject: true,
  recordLagMs: 0,
  meetingCodeLifetimeMs: 365 * DAY_MS,
  invalidClientStatus: 401,
};

export const WORKSPACE_SUB = '100000000000000000001';
export const CONSUMER_SUB = '100000000000000000002';
export const NO_MEET_SUB = '100000000000000000003';
export const SANDBOX_DOMAIN = 'workspace.sandbox.google.test';

export function defaultAccounts(createdAt: string): Account[] {
  const base = { meetEnabled: true, openPolicy: 'allow' as const, createdAt };
  return [
    { ...base, sub: WORKSPACE_SUB, email: `oncall@${SANDBOX_DOMAIN}`, name: 'Alex Oncall', givenName: 'Alex', familyName: 'Oncall', kind: 'workspace', hd: SANDBOX_DOMAIN, defaultAccessType: 'TRUSTED' },
    { ...base, sub: CONSUMER_SUB, email: 'casey@gmail.sandbox.google.test', name: 'Casey Personal', givenName: 'Casey', familyName: 'Personal', kind: 'consumer', hd: null, defaultAccessType: 'RESTRICTED' },
    { ...base, sub: NO_MEET_SUB, email: `nomeet@${SANDBOX_DOMAIN}`, name: 'Morgan NoMeet', givenName: 'Morgan', familyName: 'NoMeet', kind: 'workspace', hd: SANDBOX_DOMAIN, defaultAccessType: 'TRUSTED', meetEnabled: false },
  ];
}

export function initialState(createdAt: string, apps: State['apps'] = {}): State {
  return {
    version: 1,
    apps,
    accounts: defaultAccounts(createdAt),
    grants: [],
    accessTokens: [],
    refreshTokens: [],
    codes: [],
    spaces: [],
    conferences: [],
    settings: { ...DEFAULT_SETTINGS },
  };
}
