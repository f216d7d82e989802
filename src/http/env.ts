import type { Deps, Actor, RequestMeta } from '../domain/context.ts';
import type { HubDeps } from '../integrations/hub/context.ts';
import type { SessionView } from '../domain/orgs/sessions.ts';
import type { IncidentPageStamp } from '../domain/incidents/page-stamp.ts';
import type { IncidentView } from '../domain/incidents/model.ts';
import type { ConnectionRow } from '../integrations/hub/connections.ts';
import type { LiveHub } from '../platform/live.ts';
import type { TrustedProxies } from '../platform/proxies.ts';

export interface WebOptions {
  secureCookies: boolean;
  /** Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed; none when absent. */
  trustedProxies?: TrustedProxies;
}

export type Auth =
  | { kind: 'session'; session: SessionView; actor: Actor | null }
  | { kind: 'token'; actor: Actor }
  | null;

/** Variables every request carries through the Hono context. */
export interface AppEnv {
  Variables: {
    deps: Deps;
    hub: HubDeps;
    web: WebOptions;
    /** Live updates for open incident pages; null where the app runs without them (some tests). */
    live: LiveHub | null;
    requestId: string;
    meta: RequestMeta;
    auth: Auth;
    /** The CSRF token the current page must embed in its forms. */
    csrfToken: string;
    /**
     * Set on a view of an incident page: its stamp, read with the session in one statement, and the
     * live-update position taken before that statement (what a page served from the cache is as of).
     */
    incidentPage?: { number: number; position: string | undefined; stamp: IncidentPageStamp | null };
    /** Reads an API request's body straight from the Node request (api-body.ts); once, however often called. */
    readApiBody?: () => Promise<string>;
    /**
     * Set on GET /api/v1/incidents/{id} and POST …/war-room: the incident `ref` names, read with the API
     * token in one statement (null: none such), and for the war room the organization's connection rows.
     */
    incidentRead?: { ref: string; incident: IncidentView | null; connections: ConnectionRow[] | null };
  };
}
