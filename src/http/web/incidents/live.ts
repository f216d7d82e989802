import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { getIncident } from '../../../domain/incidents/get-incident.ts';
import { notFound } from '../../../shared/errors.ts';
import type { AppEnv } from '../../env.ts';
import { pageCtx } from '../helpers.tsx';

/** A comment line now and then keeps proxies from closing a quiet stream; it costs no query. */
export const HEARTBEAT_MS = 25_000;

/**
 * GET /incidents/:ref/live — server-sent events for an open incident page: `change` whenever the
 * incident, its timeline or its war rooms change (on any process), carrying only a position; the
 * page then fetches what it shows. A stream opened with a position (Last-Event-ID on reconnect, or
 * ?since= from the page's render) first gets a `change` if anything happened since, so no update
 * is lost between the render and the stream, or while reconnecting.
 */
export function mountLiveUpdates(app: Hono<AppEnv>): void {
  app.get('/incidents/:ref/live', async (c) => {
    const live = c.get('live');
    if (!live) throw notFound('Live updates');
    const incident = await getIncident({ ctx: pageCtx(c), incidentRef: c.req.param('ref') });
    const since = c.req.header('last-event-id') ?? c.req.query('since');
    c.header('cache-control', 'no-store');
    // nginx and similar proxies would otherwise buffer the stream.
    c.header('x-accel-buffering', 'no');
    return streamSSE(c, async (stream) => {
      // Without a position the caller has nothing to catch up on: it reads what it needs now.
      let pending = since !== undefined && live.changedSince(incident.id, since);
      let wake: (() => void) | null = null;
      const stop = live.watch(incident.id, () => {
        pending = true;
        wake?.();
      });
      stream.onAbort(() => {
        stop();
        wake?.();
      });
      try {
        await stream.writeSSE({ event: pending ? 'change' : 'ready', id: live.position(), data: String(incident.number), retry: 2000 });
        pending = false;
        while (!stream.aborted && !stream.closed) {
          let timer: NodeJS.Timeout | undefined;
          const beat = await new Promise<boolean>((resolve) => {
            wake = () => resolve(false);
            timer = setTimeout(() => resolve(true), HEARTBEAT_MS);
            if (pending) resolve(false);
          });
          clearTimeout(timer);
          wake = null;
          if (stream.aborted || stream.closed) break;
          // Changes that arrive together go out as one event.
          if (pending) {
            pending = false;
            await stream.writeSSE({ event: 'change', id: live.position(), data: String(incident.number) });
          } else if (beat) await stream.write(': still here\n\n');
        }
      } finally {
        stop();
      }
    });
  });
}
