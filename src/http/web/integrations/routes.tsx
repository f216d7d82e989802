import { Hono } from 'hono';
import { can } from '../../../domain/access/roles.ts';
import { listMembers } from '../../../domain/orgs/list-members.ts';
import { ROLE_LABEL } from '../../../domain/access/roles.ts';
import { completeConnect, ConnectNotAllowed, OUTCOME_MESSAGES, startConnect } from '../../../integrations/hub/connect.ts';
import { findAbandonedConnect, findConnectionView } from '../../../integrations/hub/connections.ts';
import { requireProvider } from '../../../integrations/hub/context.ts';
import { disconnectIntegration } from '../../../integrations/hub/disconnect.ts';
import { testConnection } from '../../../integrations/hub/health-check.ts';
import { AppError } from '../../../shared/errors.ts';
import { readWarRoomSettings } from '../../../domain/war-rooms/settings.ts';
import { updateWarRoomSettings } from '../../../domain/war-rooms/update-war-room-settings.ts';
import type { AppEnv } from '../../env.ts';
import { readForm } from '../../form.ts';
import { attempt, html, pageCtx, sessionOf, shell, signedIn, statusOf, type C } from '../helpers.tsx';
import { DisconnectPage, IntegrationsHubPage, type ProviderCard } from './hub-page.tsx';

async function renderHub(c: C, message: { kind: 'ok' | 'error'; text: string; hint?: string | undefined } | null, error: AppError | null = null) {
  const ctx = pageCtx(c);
  const hub = c.get('hub');
  const cards: ProviderCard[] = [];
  for (const p of hub.providers.values()) {
    const connection = await findConnectionView(hub.db, ctx.actor.orgId, p.id);
    const abandoned = await findAbandonedConnect(hub.db, ctx.actor.orgId, p.id, connection ? new Date(connection.connectedAt) : null);
    const endMeetingScope = connection?.status === 'connected' ? p.missingEndMeetingScope(connection.scopes) : null;
    cards.push({ id: p.id, displayName: p.displayName, section: p.section, description: p.description, connection, abandoned, endMeetingScope, cannotHostText: p.cannotHostMessage, reconnectNote: p.reconnectNote });
  }
  const settings = await readWarRoomSettings(hub.db, ctx.actor.orgId);
  const managers = (await listMembers(ctx)).filter((m) => can(m.role, 'integration:manage')).map((m) => `${m.name} (${ROLE_LABEL[m.role]})`);
  return html(
    c,
    <IntegrationsHubPage shell={shell(c, 'Integrations Hub', 'integrations')} settings={settings} saved={c.req.query('saved') === 'war-room-settings'} cards={cards} canManage={can(ctx.actor.role, 'integration:manage')} managers={managers} message={message} error={error} now={hub.clock.now()} />,
    error ? statusOf(c, error) : 200,
  );
}

export function integrationPages(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('/integrations/*', signedIn);

  app.get('/organization/integrations', signedIn, (c) => {
    const hub = c.get('hub');
    const provider = c.req.query('provider');
    const result = c.req.query('result');
    const p = provider ? hub.providers.get(provider) : undefined;
    const messages = p ? OUTCOME_MESSAGES(p.displayName) : null;
    const key = result as keyof ReturnType<typeof OUTCOME_MESSAGES> | undefined;
    const message = messages && key && key in messages ? messages[key] : null;
    // Only scope names are ever shown from the address: a crafted link cannot put words in Runframe's mouth.
    const missing = (c.req.query('missing') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    const scopes = key === 'missing_scope' && missing.length > 0 && missing.length <= 10 && p !== undefined && missing.every((s) => p.isScopeName(s)) ? missing : [];
    return renderHub(c, message && scopes.length > 0 ? { ...message, hint: `${message.hint ?? ''} Missing: ${scopes.join(', ')}.`.trim() } : message);
  });

  app.post('/integrations/:provider/connect', async (c) => {
    const ctx = pageCtx(c);
    const session = sessionOf(c);
    const r = await attempt(() => startConnect(c.get('hub'), ctx.actor, session?.idHash ?? '', c.req.param('provider')));
    if (!r.ok) return renderHub(c, null, r.error);
    return c.redirect(r.value, 303);
  });

  app.get('/integrations/:provider/callback', async (c) => {
    const hub = c.get('hub');
    const providerId = c.req.param('provider');
    requireProvider(hub, providerId);
    const session = sessionOf(c);
    const back = (result: string, missing?: string) =>
      c.redirect(`/organization/integrations?provider=${encodeURIComponent(providerId)}&result=${result}${missing ? `&missing=${encodeURIComponent(missing)}` : ''}`, 303);
    if (!session) return back('state');
    const r = await attempt(() =>
      completeConnect(hub, c.get('meta'), { userId: session.user.id, name: session.user.name, email: session.user.email, sessionHash: session.idHash }, providerId, {
        state: c.req.query('state'),
        code: c.req.query('code'),
        error: c.req.query('error'),
      }),
    );
    if (!r.ok) return r.error instanceof ConnectNotAllowed ? renderHub(c, null, r.error) : back('state');
    return back(r.value.outcome, r.value.outcome === 'missing_scope' ? r.value.detail : undefined);
  });

  app.post('/integrations/:provider/test', async (c) => {
    const ctx = pageCtx(c);
    const providerId = c.req.param('provider');
    const r = await attempt(() => testConnection(c.get('hub'), ctx.actor, ctx.meta, providerId));
    if (!r.ok) return renderHub(c, null, r.error);
    const ok = r.value?.status === 'connected' && r.value.health?.ok === true;
    return c.redirect(`/organization/integrations?provider=${encodeURIComponent(providerId)}&result=${ok ? 'checked' : 'check_failed'}`, 303);
  });

  app.get('/organization/integrations/:provider/disconnect', signedIn, (c) => {
    const ctx = pageCtx(c);
    const p = requireProvider(c.get('hub'), c.req.param('provider'));
    if (!can(ctx.actor.role, 'integration:manage')) return c.redirect('/organization/integrations', 303);
    return html(c, <DisconnectPage shell={shell(c, `Disconnect ${p.displayName}`, 'integrations')} id={p.id} displayName={p.displayName} />);
  });

  app.post('/integrations/:provider/disconnect', async (c) => {
    const ctx = pageCtx(c);
    const providerId = c.req.param('provider');
    const r = await attempt(() => disconnectIntegration(c.get('hub'), ctx.actor, ctx.meta, providerId));
    if (!r.ok) return renderHub(c, null, r.error);
    return c.redirect(`/organization/integrations?provider=${encodeURIComponent(providerId)}&result=disconnected`, 303);
  });
  app.post('/organization/war-room-settings', signedIn, async (c) => {
    const body = await readForm(c);
    const raw = body['autoCreateSeverities'];
    const severities = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((v): v is string => typeof v === 'string');
    const chosen = typeof body['defaultProvider'] === 'string' && body['defaultProvider'] !== '' ? { defaultProvider: body['defaultProvider'] } : {};
    const providers = [...c.get('hub').providers.keys()];
    const r = await attempt(() => updateWarRoomSettings({ ctx: pageCtx(c), input: { autoCreateSeverities: severities, endMeetingOnResolve: body['endMeetingOnResolve'] === 'on', ...chosen }, providers }));
    if (!r.ok) return renderHub(c, null, r.error);
    return c.redirect('/organization/integrations?saved=war-room-settings', 303);
  });
  return app;
}
