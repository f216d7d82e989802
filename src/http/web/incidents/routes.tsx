import { Hono } from 'hono';
import { can, requirePermission } from '../../../domain/access/roles.ts';
import { addIncidentNote } from '../../../domain/incidents/add-incident-note.ts';
import { changeIncidentLead } from '../../../domain/incidents/change-incident-lead.ts';
import { changeIncidentSeverity } from '../../../domain/incidents/change-incident-severity.ts';
import { changeIncidentStatus } from '../../../domain/incidents/change-incident-status.ts';
import { declareIncident } from '../../../domain/incidents/declare-incident.ts';
import { listIncidents } from '../../../domain/incidents/list-incidents.ts';
import { getIncident } from '../../../domain/incidents/get-incident.ts';
import { listLeadCandidates } from '../../../domain/incidents/list-lead-candidates.ts';
import { timelinePage } from '../../../domain/timeline/list-timeline.ts';
import type { IncidentView } from '../../../domain/incidents/model.ts';
import { z } from 'zod';
import type { AppError } from '../../../shared/errors.ts';
import type { AppEnv } from '../../env.ts';
import { attempt, formOf, html, pageCtx, sessionOf, shell, signedIn, statusOf, type C } from '../helpers.tsx';
import { IncidentBody } from './incident-page.tsx';
import { Layout } from '../layout.tsx';
import { raw } from 'hono/html';
import { incidentPageStamp, TIMELINE_WINDOW } from '../../../domain/incidents/page-stamp.ts';
import { incidentNumberOf } from '../../../domain/incidents/require-incident.ts';
import { countMetric } from '../../../platform/metrics.ts';
import { pageCache, type PageCache } from './page-cache.ts';
import { getWarRooms } from '../../../domain/war-rooms/list-war-rooms.ts';
import { createWarRoom } from '../../../domain/war-rooms/create-war-room.ts';
import { readWarRoomSettings } from '../../../domain/war-rooms/settings.ts';
import { meetingPort } from '../../../integrations/hub/meetings.ts';
import { listConnectionViews } from '../../../integrations/hub/connections.ts';
import { WarRoomSection } from '../war-rooms/section.tsx';
import { TimelineList } from './timeline.tsx';
import { IncidentListPage } from './list-page.tsx';
import { NewIncidentPage } from './new-page.tsx';
import { mountLiveUpdates } from './live.ts';

/** The war-room place of an incident page, for whoever is looking. */
async function warRoomSection(c: C, ref: string, incident?: IncidentView, csrfToken: string = c.get('csrfToken')) {
  const ctx = pageCtx(c);
  const meetings = meetingPort(c.get('hub'));
  const preferred = meetings.availableProviders()[0];
  // The organization's connections read once: which providers are connected, and the preferred one's card state.
  const [data, connections] = await Promise.all([getWarRooms({ ctx, meetings, incidentRef: ref, ...(incident ? { incident } : {}) }), listConnectionViews(ctx.db, ctx.actor.orgId)]);
  const connected = meetings.availableProviders().filter((p) => connections.some((v) => v.provider === p.id && v.status === 'connected'));
  // The organization's default provider only matters when there is a choice to offer.
  const settings = connected.length > 1 ? await readWarRoomSettings(ctx.db, ctx.actor.orgId) : { defaultProvider: null };
  const connection = preferred ? connections.find((v) => v.provider === preferred.id) : undefined;
  return (
    <WarRoomSection
      incident={data.incident}
      current={data.current}
      lastFailure={data.lastFailure}
      history={data.history}
      canEdit={can(ctx.actor.role, 'incident:edit')}
      connected={connected}
      defaultProvider={settings.defaultProvider}
      preferredName={preferred?.displayName ?? 'A video provider'}
      canManageIntegrations={can(ctx.actor.role, 'integration:manage')}
      reconnectRequired={connection?.status === 'reconnect_required'}
      csrfToken={csrfToken}
    />
  );
}

const Before = z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().positive().optional()).catch(undefined);

/** The incident's page under the shell, and its title: what `renderIncident` serves and the page cache keeps. */
async function incidentBody(c: C, ref: string, opts: { before: number | undefined; csrfToken: string; position: string | undefined; noteDraft?: string }) {
  const ctx = pageCtx(c);
  // The incident is loaded once; everything else on the page reads by its id, side by side.
  const incident = await getIncident({ ctx, incidentRef: ref });
  const { before } = opts;
  const [timeline, members, warRoom] = await Promise.all([
    timelinePage(ctx.db, ctx.actor.orgId, incident.id, before === undefined ? { latest: true, limit: TIMELINE_WINDOW } : { before, limit: TIMELINE_WINDOW }),
    listLeadCandidates(ctx),
    warRoomSection(c, incident.id, incident, opts.csrfToken),
  ]);
  const body = (
    <IncidentBody
      csrfToken={opts.csrfToken}
      incident={incident}
      timeline={timeline.entries}
      earlierCursor={timeline.prevCursor}
      showingEarlier={before !== undefined}
      liveUrl={opts.position === undefined ? null : `/incidents/${incident.number}/live?since=${encodeURIComponent(opts.position)}`}
      members={members}
      canEdit={can(ctx.actor.role, 'incident:edit')}
      warRoom={warRoom}
      {...(opts.noteDraft === undefined ? {} : { noteDraft: opts.noteDraft })}
    />
  );
  return { title: `${incident.reference} ${incident.title}`, body };
}

async function renderIncident(c: C, ref: string, cache: PageCache, extra: { error?: AppError; notice?: string; noteDraft?: string } = {}) {
  const ctx = pageCtx(c);
  const before = Before.parse(c.req.query('before'));
  const csrfToken = c.get('csrfToken');
  // The latest view of an incident, with nothing to say but the page, is served from the page cache
  // while the incident's stamp (read before anything else) is the one it was rendered at. A view by
  // number has it from the session's statement already (middleware.ts).
  const read = c.req.method === 'GET' ? c.get('incidentPage') : undefined;
  const pending = read !== undefined && read.number === incidentNumberOf(ref) ? read : undefined;
  // Taken before reading: a change made while the page renders still reaches it through the stream.
  const position = pending ? pending.position : c.get('live')?.position();
  if (before === undefined && extra.error === undefined && extra.notice === undefined && extra.noteDraft === undefined) {
    requirePermission(ctx.actor, 'incident:view');
    const stamp = pending ? pending.stamp : await incidentPageStamp({ ctx, incidentRef: ref });
    if (stamp) {
      const key = `${ctx.actor.orgId}/${stamp.incidentId}/${ctx.actor.role}`;
      const now = ctx.clock.now();
      const hit = cache.get(key, stamp.stamp, now);
      const renderToKeep = async () => {
        const { title, body } = await incidentBody(c, ref, { before, csrfToken: cache.markers.csrf, position: position === undefined ? undefined : cache.markers.live });
        const until = stamp.changesAt !== null && stamp.changesAt > now ? stamp.changesAt : null;
        return cache.keep(key, cache.page({ stamp: stamp.stamp, title, body: String(body), until }));
      };
      countMetric('runframe_incident_page_cache_total', 'Incident page views by whether the kept page was still current', { outcome: hit ? 'hit' : 'miss' });
      const page = hit ?? (await renderToKeep());
      // The shell (who is signed in, their organizations, navigation) is the session's, kept per title.
      const session = sessionOf(c);
      const frame = cache.shell(JSON.stringify([session?.user, session?.memberships, ctx.actor.orgId, ctx.actor.role, page.title]), () =>
        String(
          <Layout {...shell(c, page.title, 'incidents')} csrfToken={cache.markers.csrf}>
            {raw(cache.markers.body)}
          </Layout>,
        ),
      );
      return html(c, cache.fill(frame, { csrf: csrfToken, body: cache.fill(page.pieces, { csrf: csrfToken, live: position ?? '' }) }));
    }
  }
  const { title, body } = await incidentBody(c, ref, { before, csrfToken, position, ...(extra.noteDraft === undefined ? {} : { noteDraft: extra.noteDraft }) });
  return html(
    c,
    <Layout {...shell(c, title, 'incidents')} error={extra.error ?? null} notice={extra.notice ?? null}>
      {body}
    </Layout>,
    extra.error ? statusOf(c, extra.error) : 200,
  );
}

export function incidentPages(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const cache = pageCache();
  app.use('/incidents', signedIn);
  app.use('/incidents/*', signedIn);

  app.get('/incidents', async (c) => {
    const ctx = pageCtx(c);
    const r = await attempt(() => listIncidents({ ctx, input: c.req.query() }));
    const canEdit = can(ctx.actor.role, 'incident:edit');
    if (!r.ok) {
      return html(c, <IncidentListPage shell={shell(c, 'Incidents', 'incidents')} canEdit={canEdit} list={null} error={r.error} />, statusOf(c, r.error));
    }
    return html(c, <IncidentListPage shell={shell(c, 'Incidents', 'incidents')} canEdit={canEdit} list={r.value} />);
  });

  app.get('/incidents/new', async (c) => {
    const ctx = pageCtx(c);
    requirePermission(ctx.actor, 'incident:edit');
    return html(c, <NewIncidentPage shell={shell(c, 'Declare an incident', 'incidents')} members={await listLeadCandidates(ctx)} values={{}} />);
  });

  app.post('/incidents', async (c) => {
    const ctx = pageCtx(c);
    const form = await formOf(c);
    const input = { ...form, leadUserId: form['leadUserId'] || null };
    const r = await attempt(() => declareIncident({ ctx, input }));
    if (!r.ok) {
      return html(c, <NewIncidentPage shell={shell(c, 'Declare an incident', 'incidents')} members={await listLeadCandidates(ctx)} values={form} error={r.error} />, statusOf(c, r.error));
    }
    return c.redirect(`/incidents/${r.value.incident.number}`, 303);
  });

  app.get('/incidents/:ref', (c) => renderIncident(c, c.req.param('ref'), cache));
  mountLiveUpdates(app);
  app.get('/incidents/:ref/war-room/fragment', async (c) => html(c, await warRoomSection(c, c.req.param('ref'))));
  app.get('/incidents/:ref/timeline/fragment', async (c) => {
    const ctx = pageCtx(c);
    const incident = await getIncident({ ctx, incidentRef: c.req.param('ref') });
    const latest = await timelinePage(ctx.db, ctx.actor.orgId, incident.id, { latest: true, limit: TIMELINE_WINDOW });
    return html(c, <TimelineList incidentNumber={incident.number} timeline={latest.entries} />);
  });
  app.post('/incidents/:ref/war-room', async (c) => {
    const ref = c.req.param('ref');
    const form = await formOf(c);
    const hub = c.get('hub');
    const r = await attempt(() => createWarRoom({ ctx: pageCtx(c), meetings: meetingPort(hub), timing: hub.warRoomTiming, incidentRef: ref, input: { provider: form['provider'] || undefined } }));
    if (!r.ok) {
      // A failure at the provider is recorded on the incident and explained in its War room section:
      // go there (no re-posting on reload, one alert). Anything refused before that is shown in place.
      const data = await getWarRooms({ ctx: pageCtx(c), meetings: meetingPort(hub), incidentRef: ref }).catch(() => null);
      if (data && !data.current && data.lastFailure?.failure?.message === r.error.message) {
        if (r.error.retryAfterSeconds !== undefined) c.header('retry-after', String(r.error.retryAfterSeconds));
        return c.redirect(`/incidents/${data.incident.number}#war-room`, 303);
      }
      return renderIncident(c, ref, cache, { error: r.error });
    }
    return c.redirect(`/incidents/${ref}#war-room`, 303);
  });

  const action = (path: string, run: (c: C, ref: string, form: Record<string, string>) => Promise<unknown>) =>
    app.post(`/incidents/:ref/${path}`, async (c) => {
      const ref = c.req.param('ref');
      const form = await formOf(c);
      const r = await attempt(() => run(c, ref, form));
      if (!r.ok) return renderIncident(c, ref, cache, { error: r.error, ...(path === 'notes' ? { noteDraft: form['body'] ?? '' } : {}) });
      return c.redirect(`/incidents/${ref}`, 303);
    });
  action('status', (c, ref, form) => changeIncidentStatus({ ctx: pageCtx(c), incidentRef: ref, input: form }));
  action('severity', (c, ref, form) => changeIncidentSeverity({ ctx: pageCtx(c), incidentRef: ref, input: form }));
  action('lead', (c, ref, form) => changeIncidentLead({ ctx: pageCtx(c), incidentRef: ref, input: { leadUserId: form['leadUserId'] || null } }));
  action('notes', (c, ref, form) => addIncidentNote({ ctx: pageCtx(c), incidentRef: ref, input: form }));
  return app;
}
