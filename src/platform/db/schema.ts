import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const users = pgTable('users', {
  id: uuid('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  createdAt: ts('created_at').notNull(),
});

export const organizations = pgTable('organizations', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  // Incremented under the row lock of the declaring transaction: INC numbers never repeat.
  incidentSeq: integer('incident_seq').notNull().default(0),
  createdAt: ts('created_at').notNull(),
});

export const memberships = pgTable(
  'memberships',
  {
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.userId] }),
    index('memberships_user_idx').on(t.userId),
    check('memberships_role_check', sql`${t.role} in ('owner','admin','responder','viewer')`),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    // sha256 of the cookie value: a database leak does not hand out sessions.
    idHash: text('id_hash').primaryKey(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    activeOrgId: uuid('active_org_id').references(() => organizations.id, { onDelete: 'set null' }),
    csrfToken: text('csrf_token').notNull(),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId), index('sessions_expires_idx').on(t.expiresAt)],
);

export const invites = pgTable(
  'invites',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    role: text('role').notNull(),
    createdBy: uuid('created_by').notNull().references(() => users.id),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    acceptedAt: ts('accepted_at'),
    acceptedBy: uuid('accepted_by').references(() => users.id),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('invites_org_idx').on(t.orgId)],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    tokenPrefix: text('token_prefix').notNull(),
    createdAt: ts('created_at').notNull(),
    lastUsedAt: ts('last_used_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('api_tokens_user_idx').on(t.userId, t.orgId)],
);

/**
 * Sign-in attempt counters, one row per key (`account:<email>|<address>`, `address:<address>`, …) and
 * fixed window: an atomic upsert counts each attempt, so parallel attempts never check past the limit.
 */
export const signInThrottle = pgTable(
  'sign_in_throttle',
  {
    key: text('key').primaryKey(),
    windowStartedAt: ts('window_started_at').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [index('sign_in_throttle_window_idx').on(t.windowStartedAt)],
);

export const incidents = pgTable(
  'incidents',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    title: text('title').notNull(),
    summary: text('summary').notNull().default(''),
    severity: text('severity').notNull(),
    status: text('status').notNull(),
    leadUserId: uuid('lead_user_id').references(() => users.id, { onDelete: 'set null' }),
    declaredBy: uuid('declared_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    resolvedAt: ts('resolved_at'),
    // The list's order in one number (active first, then newest): one index serves the order, the
    // active/inactive filters (a range) and the keyset cursor (docs/decisions/0006).
    listKey: bigint('list_key', { mode: 'number' })
      .notNull()
      .generatedAlwaysAs(sql`(case when status in ('resolved','closed') then 0 else 10000000000 end) + number`),
    // Goes up by one with every change to the row (fields, notes): the API's ETag / If-Match.
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('incidents_org_number_idx').on(t.orgId, t.number),
    index('incidents_org_list_idx').on(t.orgId, t.listKey.desc().nullsFirst()),
    index('incidents_org_status_list_idx').on(t.orgId, t.status, t.listKey.desc().nullsFirst()),
    index('incidents_org_severity_list_idx').on(t.orgId, t.severity, t.listKey.desc().nullsFirst()),
    check('incidents_severity_check', sql`${t.severity} in ('SEV0','SEV1','SEV2','SEV3','SEV4')`),
    check(
      'incidents_status_check',
      sql`${t.status} in ('investigating','fixing','monitoring','resolved','closed')`,
    ),
  ],
);

export const timelineEntries = pgTable(
  'timeline_entries',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    id: uuid('id').notNull().unique(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    incidentId: uuid('incident_id').notNull().references(() => incidents.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    actorUserId: uuid('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    actorLabel: text('actor_label').notNull(),
    body: text('body').notNull(),
    data: jsonb('data').notNull().default({}),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('timeline_incident_idx').on(t.incidentId, t.seq)],
);

export const auditLog = pgTable(
  'audit_log',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    id: uuid('id').notNull().unique(),
    orgId: uuid('org_id').references(() => organizations.id, { onDelete: 'cascade' }),
    actorUserId: uuid('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    actorLabel: text('actor_label').notNull(),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    ip: text('ip').notNull().default(''),
    userAgent: text('user_agent').notNull().default(''),
    metadata: jsonb('metadata').notNull().default({}),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('audit_org_idx').on(t.orgId, t.seq), index('audit_org_action_idx').on(t.orgId, t.action)],
);

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    resourceId: text('resource_id').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.userId, t.scope, t.key] }), index('idempotency_keys_created_idx').on(t.createdAt)],
);

export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind').notNull(),
    payload: jsonb('payload').notNull().default({}),
    // A job that must exist at most once while pending (e.g. one health check per connection).
    dedupeKey: text('dedupe_key'),
    runAt: ts('run_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(5),
    lockedUntil: ts('locked_until'),
    lastError: text('last_error'),
    createdAt: ts('created_at').notNull(),
    doneAt: ts('done_at'),
  },
  (t) => [
    index('jobs_due_idx').on(t.runAt).where(sql`${t.doneAt} is null`),
    uniqueIndex('jobs_dedupe_idx').on(t.dedupeKey).where(sql`${t.doneAt} is null`),
  ],
);

/**
 * One connection per organization and provider. The tokens live only in `sealedCredentials`
 * (AES-256-GCM, key version beside it); every other column is safe to show.
 */
export const integrationConnections = pgTable(
  'integration_connections',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    provider: text('provider').notNull(),
    status: text('status').notNull(),
    reconnectReason: text('reconnect_reason'),
    externalUserId: text('external_user_id').notNull(),
    externalAccountId: text('external_account_id').notNull(),
    accountEmail: text('account_email').notNull(),
    accountName: text('account_name').notNull(),
    canHost: boolean('can_host'),
    /** When the provider last refused to create a meeting because the user may not host (3161); cleared by a successful create. */
    hostRefusedAt: ts('host_refused_at'),
    scopes: jsonb('scopes').notNull().default([]),
    sealedCredentials: text('sealed_credentials'),
    keyVersion: integer('key_version'),
    credentialFingerprint: text('credential_fingerprint'),
    accessExpiresAt: ts('access_expires_at'),
    // A refresh in flight: who holds it and until when. The provider call runs outside any
    // transaction, so this lease (not a row lock) keeps refreshes to one at a time.
    refreshLeaseId: text('refresh_lease_id'),
    refreshLeaseUntil: ts('refresh_lease_until'),
    connectedBy: uuid('connected_by').references(() => users.id, { onDelete: 'set null' }),
    connectedAt: ts('connected_at').notNull(),
    healthCheckedAt: ts('health_checked_at'),
    healthOk: boolean('health_ok'),
    healthMessage: text('health_message'),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('integration_connections_org_provider_idx').on(t.orgId, t.provider),
    index('integration_connections_external_idx').on(t.provider, t.externalUserId),
    check('integration_connections_status_check', sql`${t.status} in ('connected','reconnect_required')`),
  ],
);

/** Signed, single-use OAuth state bound to a browser session, an organization and a user. */
export const oauthStates = pgTable('oauth_states', {
  id: text('id').primaryKey(),
  orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  sessionHash: text('session_hash').notNull(),
  provider: text('provider').notNull(),
  sealedVerifier: text('sealed_verifier').notNull(),
  keyVersion: integer('key_version').notNull(),
  createdAt: ts('created_at').notNull(),
  expiresAt: ts('expires_at').notNull(),
  usedAt: ts('used_at'),
});

/** Webhook deliveries already handled: providers retry, and a retry must have no second effect. */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    dedupeKey: text('dedupe_key').primaryKey(),
    provider: text('provider').notNull(),
    event: text('event').notNull(),
    receivedAt: ts('received_at').notNull(),
  },
  // The daily retention job deletes by age.
  (t) => [index('webhook_events_received_idx').on(t.receivedAt)],
);

/**
 * A war room is its own record, provider-neutral: a new provider adds rows, not columns.
 * At most one creating-or-active war room per incident, enforced by a partial unique index.
 */
export const warRooms = pgTable(
  'war_rooms',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    incidentId: uuid('incident_id').notNull().references(() => incidents.id, { onDelete: 'cascade' }),
    provider: text('provider').notNull(),
    providerMeetingId: text('provider_meeting_id'),
    joinUrl: text('join_url'),
    /** What people type to join, when the provider has one apart from its key (a Meet meeting code). */
    meetingCode: text('meeting_code'),
    state: text('state').notNull(),
    /** The call as the provider last reported it: not started, live, or empty (everyone left; the link still works). */
    liveStatus: text('live_status').notNull().default('not_started'),
    /** When the provider's event behind `live_status` happened: an older, late or retried event never overrides a newer one. */
    liveStatusAt: ts('live_status_at'),
    /** When Runframe last asked a provider without webhooks about the call (the poll's rate bound). */
    liveCheckedAt: ts('live_checked_at'),
    /** Written into the meeting's agenda so a lost answer can be found instead of creating twice. */
    attemptMarker: text('attempt_marker').notNull(),
    /** The provider may have created the meeting even though the answer never arrived. */
    outcomeUnknown: boolean('outcome_unknown').notNull().default(false),
    failureMessage: text('failure_message'),
    failureHint: text('failure_hint'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdByLabel: text('created_by_label').notNull(),
    createdAt: ts('created_at').notNull(),
    activatedAt: ts('activated_at'),
    endedAt: ts('ended_at'),
    endedReason: text('ended_reason'),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [
    uniqueIndex('war_rooms_one_open_per_incident_idx').on(t.incidentId).where(sql`${t.state} in ('creating','active')`),
    index('war_rooms_incident_idx').on(t.incidentId, t.createdAt),
    index('war_rooms_meeting_idx').on(t.provider, t.providerMeetingId),
    check('war_rooms_state_check', sql`${t.state} in ('creating','active','ended','expired','failed')`),
    check('war_rooms_live_check', sql`${t.liveStatus} in ('not_started','live','empty')`),
  ],
);

/** Organization-level choices about war rooms; absent means the defaults (everything off). */
export const warRoomSettings = pgTable('war_room_settings', {
  orgId: uuid('org_id').primaryKey().references(() => organizations.id, { onDelete: 'cascade' }),
  autoCreateSeverities: jsonb('auto_create_severities').notNull().default([]),
  endMeetingOnResolve: boolean('end_meeting_on_resolve').notNull().default(false),
  /** The provider Create War Room and the automation use when none is chosen; null: the first connected one. */
  defaultProvider: text('default_provider'),
  updatedAt: ts('updated_at').notNull(),
});
