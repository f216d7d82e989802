import { z } from 'zod';

export const SandboxAppSchema = z.object({
  name: z.string().min(1),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  redirectUris: z.array(z.url()).min(1),
  scopes: z.array(z.string().min(1)),
  optionalScopes: z.array(z.string().min(1)).optional(),
  webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
  webhookSecretToken: z.string().min(1).optional(),
  webhookVerificationToken: z.string().min(1).optional(),
});

export const SandboxUserSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  accountNumber: z.number().int(),
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  type: z.number().int(),
  canHost: z.boolean(),
  status: z.enum(['active', 'inactive', 'pending']),
  roleName: z.string(),
  timezone: z.string(),
  language: z.string(),
  pmi: z.number().int(),
  dept: z.string(),
  createdAt: z.string(),
});
export type SandboxUser = z.infer<typeof SandboxUserSchema>;

export const GrantSchema = z.object({
  id: z.string(),
  clientId: z.string(),
  userId: z.string(),
  scopes: z.array(z.string()),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  revokedReason: z.string().nullable(),
});
export type Grant = z.infer<typeof GrantSchema>;

export const AccessTokenSchema = z.object({
  token: z.string(),
  grantId: z.string(),
  expiresAt: z.number(),
  revoked: z.boolean(),
});
export type AccessToken = z.infer<typeof AccessTokenSchema>;

export const RefreshTokenSchema = z.object({
  token: z.string(),
  grantId: z.string(),
  expiresAt: z.number(),
  used: z.boolean(),
});
export type RefreshToken = z.infer<typeof RefreshTokenSchema>;

export const AuthCodeSchema = z.object({
  code: z.string(),
  clientId: z.string(),
  userId: z.string(),
  redirectUri: z.string(),
  scopes: z.array(z.string()),
  codeChallenge: z.string().nullable(),
  codeChallengeMethod: z.enum(['S256', 'plain']).nullable(),
  expiresAt: z.number(),
  used: z.boolean(),
});
export type AuthCode = z.infer<typeof AuthCodeSchema>;

export const MeetingSchema = z.object({
  id: z.number().int(),
  uuid: z.string(),
  hostId: z.string(),
  topic: z.string(),
  type: z.number().int(),
  startTime: z.string().nullable(),
  duration: z.number().int(),
  timezone: z.string(),
  agenda: z.string(),
  password: z.string(),
  encryptedPassword: z.string(),
  h323Password: z.string(),
  createdAt: z.string(),
  settings: z.record(z.string(), z.unknown()),
  recurrence: z.unknown().optional(),
  status: z.enum(['waiting', 'started']),
  startedAt: z.string().nullable(),
  /** Who is in the call now. The last one leaving ends the meeting (meeting.ended); the link starts it again (§5.7). */
  participants: z.array(z.object({ id: z.string(), name: z.string(), joinedAt: z.string() })).default([]),
  deleted: z.boolean(),
  createdByClientId: z.string().nullable(),
});
export type Meeting = z.infer<typeof MeetingSchema>;

export const SettingsSchema = z.object({
  invalidateAccessTokenOnRefresh: z.boolean(),
  accessTokenLifetimeMs: z.number().int().positive(),
  refreshTokenLifetimeMs: z.number().int().positive(),
  codeLifetimeMs: z.number().int().positive(),
  dailyLimit: z.number().int().positive(),
  /** How the daily limit is answered: the observed 429, or the documented HTTP 300 "A maximum of {n} meetings…" (§4.2). */
  dailyLimitStatus: z.union([z.literal(429), z.literal(300)]).default(429),
  qpsLight: z.number().int().positive().nullable(),
  qpsMedium: z.number().int().positive().nullable(),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const StateSchema = z.object({
  version: z.literal(1),
  apps: z.record(z.string(), SandboxAppSchema),
  users: z.array(SandboxUserSchema),
  grants: z.array(GrantSchema),
  accessTokens: z.array(AccessTokenSchema),
  refreshTokens: z.array(RefreshTokenSchema),
  codes: z.array(AuthCodeSchema),
  meetings: z.array(MeetingSchema),
  daily: z.record(z.string(), z.number().int()),
  settings: SettingsSchema,
});
export type State = z.infer<typeof StateSchema>;

export const DEFAULT_SETTINGS: Settings = {
  invalidateAccessTokenOnRefresh: true,
  accessTokenLifetimeMs: 60 * 60_000,
  // Zoom support says 15 years; some guides claim ~90 days (reference §1.5), so it is a knob.
  refreshTokenLifetimeMs: 15 * 365 * 24 * 60 * 60_000,
  codeLifetimeMs: 5 * 60_000,
  dailyLimit: 100,
  dailyLimitStatus: 429,
  qpsLight: null,
  qpsMedium: null,
};

export const HOST_USER_ID = 'sandboxHostUser0000001';
export const BASIC_USER_ID = 'sandboxBasicUser000002';

export function defaultUsers(createdAt: string): SandboxUser[] {
  return [
    {
      id: HOST_USER_ID,
      accountId: 'sandboxAccount00000001',
      accountNumber: 55501001,
      email: 'host@sandbox.zoom.test',
      firstName: 'Sandy',
      lastName: 'Host',
      type: 2,
      canHost: true,
      status: 'active',
      roleName: 'Owner',
      timezone: 'UTC',
      language: 'en-US',
      pmi: 5550100001,
      dept: '',
      createdAt,
    },
    {
      id: BASIC_USER_ID,
      accountId: 'sandboxAccount00000002',
      accountNumber: 55501002,
      email: 'basic@sandbox.zoom.test',
      firstName: 'Bailey',
      lastName: 'Basic',
      type: 1,
      canHost: false,
      status: 'active',
      roleName: 'Member',
      timezone: 'UTC',
      language: 'en-US',
      pmi: 5550100002,
      dept: '',
      createdAt,
    },
  ];
}

export function initialState(createdAt: string, apps: State['apps'] = {}): State {
  return {
    version: 1,
    apps,
    users: defaultUsers(createdAt),
    grants: [],
    accessTokens: [],
    refreshTokens: [],
    codes: [],
    meetings: [],
    daily: {},
    settings: { ...DEFAULT_SETTINGS },
  };
}
