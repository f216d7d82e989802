import { and, desc, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { sha256Hex } from '../../platform/crypto.ts';
import { countMetric } from '../../platform/metrics.ts';
import { auditLog, idempotencyKeys, incidents, timelineEntries, warRooms } from '../../platform/db/schema.ts';
import { preparedQuery } from '../../platform/db/prepared.ts';
import { namedRows, type Db, type DbOrTx, type Tx } from '../../platform/db/client.ts';
import { AppError, ERROR_CODES, conflict, validationError } from '../../shared/errors.ts';
import { newId } from '../../shared/ids.ts';
import { parseInput } from '../../shared/validate.ts';
import { requirePermission } from '../access/roles.ts';
import { auditRow, recordAudit } from '../audit/record-audit.ts';
import type { Ctx } from '../context.ts';
import { IdempotencyKey } from '../idempotency.ts';
import type { IncidentView } from '../incidents/model.ts';
import { requireIncident } from '../incidents/require-incident.ts';
import { actorLabel } from '../orgs/fields.ts';
import { addTimelineEntry } from '../timeline/add-timeline-entry.ts';
import { warRoomRows } from './list-war-rooms.ts';
import { attemptMarker, toWarRoomView, type WarRoomRow, type WarRoomView } from './model.ts';
import { trackCreate, whileCreatingRow } from './in-flight.ts';
import { ENDING_MEETING_NOTE, expireWarRooms, recordMeeting } from './end-war-rooms.ts';
import { MeetingError, creatingWaitEndsAt, meetingLabel, stopRetryingMs, type MadeMeeting, type MeetingPort, type WarRoomTiming } from './port.ts';
import { isStaleCreating, resolveStaleWarRoom } from './resolve-stale-war-rooms.ts';
import { readWarRoomSettings } from './settings.ts';

export const CreateWarRoomInput = z.object({
  provider: z
    .string()
    .trim()
    .max(40, 'must be at most 40 characters')
    .regex(/^[a-z0-9_-]*$/, 'must be a provider id')
    .optional(),
});

const TOPIC_MAX = 200;
const AGENDA_MAX = 2000;

export const meetingTopic = (i: IncidentView): string => `[${i.severity}] ${i.reference} ${i.title}`.slice(0, TOPIC_MAX);

/** The marker goes first: list views may shorten agendas, and it must survive. */
export function meetingAgenda(marker: string, i: IncidentView, link: string): string {
  const head = `${marker}\nWar room for ${i.reference} (${i.severity}). Incident page: ${link}\n`;
  return (head + (i.summary ? `\n${i.summary}` : '')).slice(0, AGENDA_MAX);
}

/** Failures runCreate already wrote to the incident's timeline (the automation adds nothing then). */
const onTimeline = new WeakSet<object>();
export const isOnTimeline = (err: unknown): boolean => typeof err === 'object' && err !== null && onTimeline.has(err);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface CreateWarRoomArgs {
  ctx: Ctx;
  meetings: MeetingPort;
  timing: WarRoomTiming;
  incidentRef: string;
  /** The incident `incidentRef` names, when the request already read it (with its API token). */
  incident?: IncidentView | undefined;
  input: unknown;
  idempotencyKey?: string | undefined;
  /** Started by the organization's automation rather than a click: the timeline says so. */
  automatic?: boolean;
}

/**
 * Create War Room: one operation behind the page, the API and the automation. It claims the
 * incident's single creating-or-active slot (a partial unique index settles every race: clicks,
 * responders, retries), calls the provider outside any transaction, and records the outcome with a
 * timeline entry and an audit row. Whoever loses the race gets the winner's war room.
 */
export function createWarRoom(args: CreateWarRoomArgs): Promise<{ warRoom: WarRoomView; created: boolean }> {
  // Tracked from the first moment, so a graceful shutdown waits for it (drainWarRoomCreates).
  const WAR_ROOMS = 'runframe_war_rooms_total';
  const help = 'Create War Room by outcome: created, existing (joined a war room made or being made), failed (by error code).';
  return trackCreate(
    createWarRoomNow(args).then(
      (r) => (countMetric(WAR_ROOMS, help, { outcome: r.created ? 'created' : 'existing' }), r),
      (err: unknown) => {
        countMetric(WAR_ROOMS, help, { outcome: 'failed', code: err instanceof AppError ? err.code : 'internal' });
        throw err;
      },
    ),
  );
}

async function createWarRoomNow(args: CreateWarRoomArgs): Promise<{ warRoom: WarRoomView; created: boolean }> {
  const { ctx, meetings } = args;
  // A caller who joins another create waits counting from here, the click, not from when it joined.
  const clicked = { at: ctx.clock.now().getTime(), realAt: Date.now() };
  requirePermission(ctx.actor, 'incident:edit');
  const input = parseInput(CreateWarRoomInput, args.input);
  const key = args.idempotencyKey === undefined ? undefined : parseKey(args.idempotencyKey);
  // An unknown provider is bad input (400, with the field), whatever the incident's state.
  const available = meetings.availableProviders();
  if (input.provider && !available.some((p) => p.id === input.provider)) {
    throw validationError([{ field: 'provider', reason: `must be one of: ${available.map((p) => p.id).join(', ')}` }]);
  }
  // Side by side: everything before the provider call waits for the slowest read, not their sum.
  const [incident, connected] = await Promise.all([args.incident ?? requireIncident(ctx.db, ctx.actor.orgId, args.incidentRef), meetings.connectedProviders(ctx.actor.orgId)]);
  if (!incident.active) {
    throw conflict(`${incident.reference} is ${incident.status}: war rooms are for active incidents.`, 'Reopen the incident first if it needs a live call.');
  }
  // No choice made: the organization's default provider when it is connected, else the first connected
  // one. The default is read only when there is a choice to make (one query fewer in the usual case).
  const defaultProvider = !input.provider && connected.length > 1 ? (await readWarRoomSettings(ctx.db, ctx.actor.orgId)).defaultProvider : undefined;
  const providerId = input.provider || (connected.some((p) => p.id === defaultProvider) ? defaultProvider : connected[0]?.id);
  if (!providerId || !connected.some((p) => p.id === providerId)) {
    const name = input.provider ? meetings.displayName(input.provider) : (meetings.availableProviders()[0]?.displayName ?? 'The video provider');
    throw new AppError('needs_reconnect', `${name} is not connected — an Owner or Admin can connect it in Integrations Hub.`, {
      hint: 'Organization › Integrations Hub › Communication.',
      fields: input.provider ? [{ field: 'provider', reason: 'is not connected' }] : [],
    });
  }
  // The token is read while the slot is claimed, not after.
  meetings.prepareCreate?.(ctx.actor.orgId, providerId);
  const first = key === undefined ? await claimFreeSlot(ctx.db, args, incident, providerId) : null;
  let claim = first ?? (await ctx.db.transaction((tx) => claimSlot(tx, args, incident, providerId, key)));
  if (claim.kind === 'existing' && isStaleCreating(claim.row, ctx.clock.now(), args.timing)) {
    // Its process stopped before the provider answered: settle it by its marker, then claim again.
    // Concurrent clicks may all search; the conditional update lets one settle, the new claim one create.
    await resolveStaleWarRoom({ deps: ctx, meetings, meta: ctx.meta, row: claim.row });
    claim = await ctx.db.transaction((tx) => claimSlot(tx, args, incident, providerId, key));
  }
  if (claim.kind === 'existing') return { warRoom: await settled(args, incident, claim.row, clicked), created: false };
  const row = claim.row;
  return { warRoom: await whileCreatingRow(row.id, () => runCreate(args, incident, row, row.nothingToAdopt === true)), created: true };
}

function parseKey(raw: string): string {
  const r = IdempotencyKey.safeParse(raw);
  if (!r.success) throw validationError([{ field: 'Idempotency-Key', reason: r.error.issues[0]?.message ?? 'is not valid' }]);
  return r.data;
}

async function claimSlot(tx: Tx, args: CreateWarRoomArgs, incident: IncidentView, providerId: string, key: string | undefined): Promise<{ kind: 'existing' | 'claimed'; row: WarRoomRow & { nothingToAdopt?: boolean } }> {
  const { ctx } = args;
  const now = ctx.clock.now();
  const id = newId();
  if (key !== undefined) {
    const requestHash = sha256Hex(`${incident.id}:${providerId}`);
    const inserted = await tx
      .insert(idempotencyKeys)
      .values({ orgId: ctx.actor.orgId, userId: ctx.actor.userId, scope: 'war_room.create', key, requestHash, resourceId: id, createdAt: now })
      .onConflictDoNothing()
      .returning({ id: idempotencyKeys.resourceId });
    if (inserted.length === 0) {
      const [prior] = await tx
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.orgId, ctx.actor.orgId), eq(idempotencyKeys.userId, ctx.actor.userId), eq(idempotencyKeys.scope, 'war_room.create'), eq(idempotencyKeys.key, key)));
      if (prior && prior.requestHash !== requestHash) throw conflict(`The Idempotency-Key "${key}" was already used for another incident's war room.`, 'Use a new key for a new request.');
      const [row] = prior ? await tx.select().from(warRooms).where(eq(warRooms.id, prior.resourceId)) : [];
      // A retry of a request whose attempt failed is a new attempt; anything else gets the same war room.
      if (row && row.state !== 'failed') return { kind: 'existing', row };
      await tx
        .update(idempotencyKeys)
        .set({ resourceId: id })
        .where(and(eq(idempotencyKeys.orgId, ctx.actor.orgId), eq(idempotencyKeys.userId, ctx.actor.userId), eq(idempotencyKeys.scope, 'war_room.create'), eq(idempotencyKeys.key, key)));
    }
  }
  let claimed = await insertCreatingRow(tx, args, incident, providerId, id);
  // An active war room past its time is expired now, which frees the slot.
  if (!claimed && (await expireWarRooms(tx, ctx.clock, { incidentId: incident.id })) > 0) claimed = await insertCreatingRow(tx, args, incident, providerId, id);
  if (claimed) return { kind: 'claimed', row: claimed };
  const [open] = await tx.select().from(warRooms).where(and(eq(warRooms.incidentId, incident.id), inArray(warRooms.state, ['creating', 'active'])));
  if (!open) throw new AppError('conflict', 'Another war room was being set up at the same moment. Try again.');
  if (key !== undefined) {
    await tx
      .update(idempotencyKeys)
      .set({ resourceId: open.id })
      .where(and(eq(idempotencyKeys.orgId, ctx.actor.orgId), eq(idempotencyKeys.userId, ctx.actor.userId), eq(idempotencyKeys.scope, 'war_room.create'), eq(idempotencyKeys.key, key)));
  }
  return { kind: 'existing', row: open };
}

/**
 * The partial unique index (one creating-or-active war room per incident) decides the race. The
 * answer also says whether the incident has other attempts whose meeting this one might have to
 * adopt (failed with the outcome unknown) or that were still creating as this statement saw them
 * (which may have failed since): without either, runCreate need not read the war rooms again.
 */
async function insertCreatingRow(db: DbOrTx, args: CreateWarRoomArgs, incident: IncidentView, providerId: string, id: string): Promise<(WarRoomRow & { nothingToAdopt: boolean }) | undefined> {
  const { ctx, timing } = args;
  const now = ctx.clock.now();
  const p = (name: string) => sql.placeholder(name);
  const [claimed] = await preparedQuery(db, 'rf_war_room_claim', (d) =>
    d
      .insert(warRooms)
      .values({
        id: p('id'),
        orgId: p('orgId'),
        incidentId: p('incidentId'),
        provider: p('provider'),
        state: 'creating',
        attemptMarker: p('attemptMarker'),
        createdBy: p('createdBy'),
        createdByLabel: p('createdByLabel'),
        createdAt: p('createdAt'),
        expiresAt: p('expiresAt'),
      })
      .onConflictDoNothing()
      .returning({
        ...getTableColumns(warRooms),
        others: sql<number>`(select count(*) from ${warRooms} as o where o.incident_id = ${p('incidentId')} and o.id <> ${p('id')} and (o.state = 'creating' or (o.state = 'failed' and o.outcome_unknown)))`.mapWith(Number),
      }),
  ).execute({
    id,
    orgId: ctx.actor.orgId,
    incidentId: incident.id,
    provider: providerId,
    attemptMarker: attemptMarker(id),
    createdBy: ctx.actor.userId,
    createdByLabel: ctx.actor.name,
    createdAt: now,
    expiresAt: new Date(now.getTime() + timing.ttlMs),
  });
  if (!claimed) return undefined;
  const { others, ...row } = claimed;
  return { ...row, nothingToAdopt: others === 0 };
}

/**
 * The common case in one statement, without a transaction around it: no Idempotency-Key and a free
 * slot. Anything else (the slot taken, an expired war room to clear first) goes through claimSlot.
 */
async function claimFreeSlot(db: Db, args: CreateWarRoomArgs, incident: IncidentView, providerId: string): Promise<{ kind: 'claimed'; row: WarRoomRow & { nothingToAdopt?: boolean } } | null> {
  const claimed = await insertCreatingRow(db, args, incident, providerId, newId());
  return claimed ? { kind: 'claimed', row: claimed } : null;
}

/**
 * A second caller waits for the create in progress, at most WAIT_FOR_OTHER_CREATE_MS, then sees the
 * same war room, or the same error the first caller got; if it is still `creating` then, the caller
 * gets it in that state (the API answers 202 with Retry-After, the page shows progress). A row still
 * `creating` past the stale threshold was abandoned: it is settled by its marker, as a click would.
 * The wait runs on the injected clock, and never longer in real time than the budget it started with;
 * both count from the click, so a caller slow to reach the wait does not wait longer.
 */
async function settled(args: CreateWarRoomArgs, incident: IncidentView, row: WarRoomRow, clicked: { at: number; realAt: number }): Promise<WarRoomView> {
  const { ctx, meetings, timing } = args;
  const endsAt = Math.min(creatingWaitEndsAt(row, timing), clicked.at + WAIT_FOR_OTHER_CREATE_MS);
  const realDeadline = clicked.realAt + Math.max(0, endsAt - clicked.at);
  const reread = async () => (await ctx.db.select().from(warRooms).where(eq(warRooms.id, row.id)))[0];
  let current = row;
  while (current.state === 'creating' && ctx.clock.now().getTime() < endsAt && Date.now() < realDeadline) {
    await sleep(WAIT_POLL_MS);
    const fresh = await reread();
    if (!fresh) break;
    current = fresh;
  }
  if (current.state === 'creating' && isStaleCreating(current, ctx.clock.now(), timing)) {
    await resolveStaleWarRoom({ deps: ctx, meetings, meta: ctx.meta, row: current });
    current = (await reread()) ?? current;
  }
  if (current.state === 'failed') throw await failureOf(args, incident, current);
  return toWarRoomView(current, meetings.displayName(current.provider), ctx.clock.now());
}

/** Well inside a reverse proxy's timeout (often 30–60 s); a create may take up to two minutes. */
export const WAIT_FOR_OTHER_CREATE_MS = 10_000;
const WAIT_POLL_MS = 250;

/**
 * The error the attempt's own caller got, for the callers who waited on it: message and hint from
 * the row, kind (hence HTTP status) and Retry-After from the attempt's timeline entry. An attempt
 * settled without an answer (a stopped process) reads as the provider being unavailable.
 */
async function failureOf(args: CreateWarRoomArgs, incident: IncidentView, row: WarRoomRow): Promise<AppError> {
  const { ctx, meetings } = args;
  const [entry] = await ctx.db
    .select({ data: timelineEntries.data })
    .from(timelineEntries)
    .where(and(eq(timelineEntries.incidentId, incident.id), eq(timelineEntries.kind, 'war_room'), sql`${timelineEntries.data}->>'warRoomId' = ${row.id}`))
    .orderBy(desc(timelineEntries.seq))
    .limit(1);
  const recorded = FailureData.safeParse(entry?.data);
  const code = recorded.success ? recorded.data.code : 'provider_unavailable';
  const retryAfterSeconds = recorded.success ? recorded.data.retryAfterSeconds : undefined;
  const err = new AppError(code, row.failureMessage ?? `The ${meetings.displayName(row.provider)} meeting could not be created.`, {
    ...(row.failureHint ? { hint: row.failureHint } : {}),
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
  onTimeline.add(err);
  return err;
}

const FailureData = z.object({ code: z.enum(ERROR_CODES), retryAfterSeconds: z.number().int().nonnegative().optional() });

async function runCreate(args: CreateWarRoomArgs, incident: IncidentView, row: WarRoomRow, nothingToAdopt: boolean): Promise<WarRoomView> {
  const { ctx, meetings, timing } = args;
  const name = meetings.displayName(row.provider);
  const link = `${ctx.settings.publicUrl}/incidents/${incident.number}`;
  const request = { topic: meetingTopic(incident), agenda: meetingAgenda(row.attemptMarker, incident, link), startTime: ctx.clock.now(), durationMinutes: 60 };
  let outcome: MadeMeeting | MeetingError | null = null;
  // The earlier attempt whose meeting this one adopts: its "outcome unknown" flag is cleared only in the
  // same transaction that records the meeting here, so the meeting is never linked to nothing.
  let adoptedFrom: string | null = null;
  // Retries stop well before the row would look abandoned to the stale-war-room sweep.
  const retryUntil = row.createdAt.getTime() + stopRetryingMs(timing);
  try {
    // Read after the claim (an attempt still creating before it may have failed meanwhile), unless
    // the claim itself saw no earlier attempt that could matter.
    const adopted = nothingToAdopt ? null : await adoptEarlierUncertainAttempt(args, incident, row.provider);
    if (adopted) {
      outcome = adopted.meeting;
      adoptedFrom = adopted.rowId;
    }
    for (let attempt = 0; outcome === null; attempt++) {
      try {
        outcome = await meetings.createMeeting(ctx.actor.orgId, row.provider, request);
      } catch (err) {
        if (!(err instanceof MeetingError)) throw err;
        const retry = err.retryable && attempt < timing.retryDelaysMs.length && ctx.clock.now().getTime() < retryUntil;
        // Back off first, last attempt included: a request that timed out may still be making its
        // meeting, and searching after the pause finds it where searching at once would not.
        const pause = timing.retryDelaysMs[Math.min(attempt, timing.retryDelaysMs.length - 1)] ?? 0;
        if (retry || err.outcomeUnknown) await sleep(pause);
        // The answer may have been lost after the meeting was made: look for it before trying again.
        const found = err.outcomeUnknown ? await meetings.findMeetingByMarker(ctx.actor.orgId, row.provider, row.attemptMarker).catch(() => null) : null;
        if (found) outcome = found;
        else if (!retry) outcome = err;
      }
    }
  } catch (err) {
    outcome = new MeetingError(new AppError('internal', `Something went wrong while creating the ${name} meeting.`, { hint: 'Try again.' }), false, true);
    ctx.log.error({ err, warRoomId: row.id }, 'war room creation failed unexpectedly');
  }
  const now = ctx.clock.now();
  const lead = args.automatic ? `Automatic ${name} war room` : `${name} war room`;
  // The usual outcome in one statement: the meeting made, the incident still active, nothing adopted.
  if (!(outcome instanceof MeetingError) && outcome !== null && adoptedFrom === null) {
    const recorded = await recordActiveAtOnce(args, incident, row, outcome, lead, now);
    if (recorded) return toWarRoomView(recorded, name, ctx.clock.now());
    // The incident was resolved meanwhile, or the row was settled by someone else: the full path decides.
  }
  const final = await ctx.db.transaction(async (tx) => {
    if (outcome instanceof MeetingError) {
      const e = outcome.appError;
      const [failed] = await tx
        .update(warRooms)
        .set({ state: 'failed', failureMessage: e.message, failureHint: e.hint ?? null, outcomeUnknown: outcome.outcomeUnknown, endedAt: now })
        .where(and(eq(warRooms.id, row.id), eq(warRooms.state, 'creating')))
        .returning();
      if (!failed) return null; // the stale-war-room sweep settled it already, with its own entry
      await addTimelineEntry(tx, ctx.clock, {
        orgId: ctx.actor.orgId,
        incidentId: incident.id,
        kind: 'war_room',
        actorUserId: ctx.actor.userId,
        actorLabel: ctx.actor.name,
        body: `${lead} could not be created: ${e.message}`,
        // The error's kind, so callers who waited on this attempt get the same answer (failureOf).
        data: {
          provider: row.provider,
          state: 'failed',
          automatic: args.automatic === true,
          warRoomId: row.id,
          code: e.code,
          ...(e.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: e.retryAfterSeconds }),
        },
      });
      await audit(tx, args, incident, 'war_room.failed', { provider: row.provider, reason: e.message });
      return failed;
    }
    const made = outcome!;
    const r = await recordMeeting(tx, ctx.clock, row, made, now);
    if (!r) return null;
    const { recorded, stillActive, status, endMeeting } = r;
    if (adoptedFrom !== null) await tx.update(warRooms).set({ outcomeUnknown: false }).where(eq(warRooms.id, adoptedFrom));
    await addTimelineEntry(tx, ctx.clock, {
      orgId: ctx.actor.orgId,
      incidentId: incident.id,
      kind: 'war_room',
      actorUserId: ctx.actor.userId,
      actorLabel: ctx.actor.name,
      body: stillActive
        ? `${lead} created (${meetingLabel(made)}). Join from the incident page.`
        : `${lead} created (${meetingLabel(made)}) after ${incident.reference} was ${status}, so it is ended.${endMeeting ? ENDING_MEETING_NOTE : ''}`,
      data: { provider: row.provider, state: recorded.state, meetingId: made.meetingId, automatic: args.automatic === true, warRoomId: row.id },
    });
    await audit(tx, args, incident, 'war_room.created', { provider: row.provider, meeting_id: made.meetingId, ...(stillActive ? {} : { ended: `incident ${status}` }) });
    return recorded;
  });
  if (final === null) return lateAnswer(args, row, outcome);
  const view = toWarRoomView(final, name, ctx.clock.now());
  if (outcome instanceof MeetingError) {
    onTimeline.add(outcome.appError);
    throw outcome.appError;
  }
  return view;
}

/**
 * Records a made meeting on a still-`creating` war room of a still-active incident, with its timeline
 * entry and audit row, in one statement (one round trip, one commit; by name, so PostgreSQL parses and
 * plans it once per connection) instead of a six-step transaction. Same rules as recordMeeting: the
 * incident's row is locked first (`FOR UPDATE`), so a resolve either committed before (then the
 * incident is not active here, nothing is written, and the caller takes the full path, which records
 * the war room ended) or waits for this commit and then ends what it recorded. Null when nothing was
 * written.
 */
async function recordActiveAtOnce(
  args: CreateWarRoomArgs,
  incident: IncidentView,
  row: WarRoomRow,
  made: MadeMeeting,
  lead: string,
  now: Date,
): Promise<WarRoomRow | null> {
  const { ctx } = args;
  const entry = {
    id: newId(),
    body: `${lead} created (${meetingLabel(made)}). Join from the incident page.`,
    data: { provider: row.provider, state: 'active', meetingId: made.meetingId, automatic: args.automatic === true, warRoomId: row.id },
  };
  const a = auditRow(ctx.clock, ctx.meta, {
    orgId: ctx.actor.orgId,
    actorUserId: ctx.actor.userId,
    actorLabel: ctx.actor.via === 'system' ? `${actorLabel(ctx.actor)} via automation` : actorLabel(ctx.actor),
    action: 'war_room.created',
    targetType: 'incident',
    targetId: incident.id,
    metadata: { incident: incident.reference, provider: row.provider, meeting_id: made.meetingId },
  });
  const at = now.toISOString();
  const rows = await namedRows(
    ctx.db,
    'rf_war_room_record',
    sql`with inc as (
          select ${incidents.id} from ${incidents}
          where ${incidents.id} = ${incident.id}::uuid and ${incidents.status} not in ('resolved', 'closed')
          for update
        ), upd as (
          update ${warRooms} set state = 'active', provider_meeting_id = ${made.meetingId}, meeting_code = ${made.meetingCode ?? null}, join_url = ${made.joinUrl}, activated_at = ${at}::timestamptz, outcome_unknown = false
          where id = ${row.id}::uuid and state = 'creating' and exists (select 1 from inc)
          returning id
        ), entry as (
          insert into ${timelineEntries} (id, org_id, incident_id, kind, actor_user_id, actor_label, body, data, created_at)
          select ${entry.id}::uuid, ${ctx.actor.orgId}::uuid, ${incident.id}::uuid, 'war_room', ${ctx.actor.userId}::uuid, ${ctx.actor.name}, ${entry.body}, ${JSON.stringify(entry.data)}::jsonb, ${at}::timestamptz from upd
        ), audit as (
          insert into ${auditLog} (id, org_id, actor_user_id, actor_label, action, target_type, target_id, ip, user_agent, metadata, created_at)
          select ${a.id}::uuid, ${a.orgId}::uuid, ${a.actorUserId}::uuid, ${a.actorLabel}, ${a.action}, ${a.targetType}, ${a.targetId}, ${a.ip}, ${a.userAgent}, ${JSON.stringify(a.metadata)}::jsonb, ${a.createdAt.toISOString()}::timestamptz from upd
        )
        select id from upd`,
  );
  if (rows.length === 0) return null;
  return { ...row, state: 'active', providerMeetingId: made.meetingId, meetingCode: made.meetingCode ?? null, joinUrl: made.joinUrl, activatedAt: now, outcomeUnknown: false };
}

/**
 * This attempt outlived the stale threshold and the sweep settled its row first. If the sweep
 * adopted our meeting, fine; if it gave up while we made one, flag the row so the next Create War
 * Room adopts that meeting by its marker instead of making a second.
 */
async function lateAnswer(args: CreateWarRoomArgs, row: WarRoomRow, outcome: MadeMeeting | MeetingError | null): Promise<WarRoomView> {
  const { ctx, meetings } = args;
  const name = meetings.displayName(row.provider);
  // The sweep wrote the timeline entry for this row: the automation must not add another.
  if (outcome instanceof MeetingError) {
    onTimeline.add(outcome.appError);
    throw outcome.appError;
  }
  const [fresh] = await ctx.db.select().from(warRooms).where(eq(warRooms.id, row.id));
  if (fresh && fresh.providerMeetingId === outcome?.meetingId) return toWarRoomView(fresh, name, ctx.clock.now());
  await ctx.db.update(warRooms).set({ outcomeUnknown: true }).where(and(eq(warRooms.id, row.id), eq(warRooms.state, 'failed')));
  ctx.log.warn({ warRoomId: row.id }, 'a war room meeting was made after its attempt had been given up');
  const late = new AppError('provider_unavailable', `${name} answered after Runframe had given up waiting for it.`, { hint: `Click Create War Room again: Runframe will use the meeting ${name} made.` });
  onTimeline.add(late);
  throw late;
}

/**
 * A previous attempt whose answer never came may have made a meeting after all: find it by its
 * marker and use it rather than creating a second one (docs/decisions/0001-lost-create-answers.md).
 */
async function adoptEarlierUncertainAttempt(args: CreateWarRoomArgs, incident: IncidentView, providerId: string) {
  const { ctx, meetings } = args;
  const rows = await warRoomRows(ctx.db, ctx.actor.orgId, incident.id);
  const uncertain = rows.filter((r) => r.state === 'failed' && r.outcomeUnknown && r.provider === providerId).slice(0, 3);
  for (const r of uncertain) {
    const found = await meetings.findMeetingByMarker(ctx.actor.orgId, providerId, r.attemptMarker).catch(() => null);
    if (found) return { meeting: found, rowId: r.id };
  }
  return null;
}

async function audit(tx: Tx, args: CreateWarRoomArgs, incident: IncidentView, action: 'war_room.created' | 'war_room.failed', metadata: Record<string, string>) {
  const { ctx } = args;
  await recordAudit(tx, ctx.clock, ctx.meta, {
    orgId: ctx.actor.orgId,
    actorUserId: ctx.actor.userId,
    actorLabel: ctx.actor.via === 'system' ? `${actorLabel(ctx.actor)} via automation` : actorLabel(ctx.actor),
    action,
    targetType: 'incident',
    targetId: incident.id,
    metadata: { incident: incident.reference, ...metadata },
  });
}
