import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { CallLog } from './call-log.ts';
import { trackingId } from './ids.ts';
import type { SandboxApp, SandboxTimers } from './types.ts';
import { hmacHex, signWebhook } from './webhook-signature.ts';

export interface DeliveryAttempt {
  at: string;
  status: number | null;
  error?: string;
}

export interface Delivery {
  id: number;
  clientId: string;
  event: string;
  url: string;
  body: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: DeliveryAttempt[];
  /** When the next retry is due (sandbox clock), while one is scheduled; null otherwise. */
  nextAttemptAt: string | null;
}

export interface WebhookDispatcher {
  send(app: SandboxApp, event: string, payload: Record<string, unknown>): Delivery | null;
  validateUrl(app: SandboxApp): Promise<void>;
  list(): Delivery[];
  clear(): void;
  /** How many retries are scheduled and not yet run. */
  pendingRetries(): number;
  close(): void;
}

interface Deps {
  now: () => Date;
  fetch: typeof fetch;
  retryDelaysMs: number[];
  responseTimeoutMs: number;
  timers: SandboxTimers;
  calls: CallLog;
  log: (msg: string, data?: Record<string, unknown>) => void;
}

const UrlValidationAnswer = z.object({ plainToken: z.string(), encryptedToken: z.string() });

/** Zoom's legacy verification token (§5.1): the app's own, or a stable value derived from its secret token. */
export function verificationToken(app: SandboxApp): string {
  return app.webhookVerificationToken ?? Buffer.from(hmacHex(app.webhookSecretToken ?? '', `verification-token:${app.clientId}`), 'hex').toString('base64url').slice(0, 22);
}

export function createWebhookDispatcher(deps: Deps): WebhookDispatcher {
  let deliveries: Delivery[] = [];
  let nextId = 1;
  let closed = false;
  const timers = new Set<unknown>();
  const inflight = new Set<AbortController>();

  async function post(app: SandboxApp, url: string, event: string, body: string): Promise<{ status: number | null; text: string; error?: string }> {
    const ts = Math.floor(deps.now().getTime() / 1000);
    const controller = new AbortController();
    inflight.add(controller);
    const timeoutMessage = `no answer within ${deps.responseTimeoutMs} ms`;
    const timer = deps.timers.setTimeout(() => controller.abort(new Error(timeoutMessage)), deps.responseTimeoutMs);
    const at = deps.now().toISOString();
    try {
      const res = await deps.fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Zoom Marketplace/1.0a',
          'x-zm-request-timestamp': String(ts),
          'x-zm-signature': signWebhook(app.webhookSecretToken ?? '', ts, body),
          'x-zm-trackingid': trackingId(),
          clientid: app.clientId,
          // The deprecated verification token, still sent alongside the signature (§5.1).
          authorization: verificationToken(app),
        },
        body,
        signal: controller.signal,
      });
      const text = await res.text();
      deps.calls.record({ method: 'POST', path: url, endpoint: `WEBHOOK ${event}`, status: res.status, at });
      return { status: res.status, text };
    } catch (err) {
      // An abort carries its reason: the answer timeout or the sandbox closing.
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : err;
      const error = reason instanceof Error ? reason.message : String(reason);
      deps.calls.record({ method: 'POST', path: url, endpoint: `WEBHOOK ${event}`, status: 0, at });
      return { status: null, text: '', error };
    } finally {
      deps.timers.clearTimeout(timer);
      inflight.delete(controller);
    }
  }

  async function attempt(app: SandboxApp, d: Delivery): Promise<void> {
    if (closed) return;
    const at = deps.now().toISOString();
    const r = await post(app, d.url, d.event, d.body);
    d.attempts.push({ at, status: r.status, ...(r.error ? { error: r.error } : {}) });
    if (r.status !== null && r.status >= 200 && r.status < 300) {
      d.state = 'delivered';
      return;
    }
    const delay = deps.retryDelaysMs[d.attempts.length - 1];
    if (delay === undefined || closed) {
      d.state = 'failed';
      deps.log('zoom-sandbox: webhook delivery gave up', { event: d.event, url: d.url, attempts: d.attempts.length });
      return;
    }
    d.nextAttemptAt = new Date(deps.now().getTime() + delay).toISOString();
    const timer = deps.timers.setTimeout(() => {
      timers.delete(timer);
      d.nextAttemptAt = null;
      void attempt(app, d);
    }, delay);
    timers.add(timer);
  }

  function record(app: SandboxApp, url: string, event: string, body: string): Delivery {
    const d: Delivery = { id: nextId++, clientId: app.clientId, event, url, body, state: 'pending', attempts: [], nextAttemptAt: null };
    deliveries.push(d);
    if (deliveries.length > 1000) deliveries = deliveries.slice(-1000);
    return d;
  }

  function envelope(event: string, payload: Record<string, unknown>): string {
    // Compact JSON, as Zoom sends, so receivers that re-stringify the parsed body still verify (§5.2).
    return JSON.stringify({ event, event_ts: deps.now().getTime(), payload });
  }

  return {
    send(app, event, payload) {
      if (!app.webhookUrl || !app.webhookSecretToken || closed) return null;
      const d = record(app, app.webhookUrl, event, envelope(event, payload));
      void attempt(app, d);
      return d;
    },
    async validateUrl(app) {
      if (!app.webhookUrl || !app.webhookSecretToken) return;
      const plainToken = randomBytes(16).toString('base64url');
      const body = envelope('endpoint.url_validation', { plainToken });
      const d = record(app, app.webhookUrl, 'endpoint.url_validation', body);
      const at = deps.now().toISOString();
      const r = await post(app, app.webhookUrl, 'endpoint.url_validation', body);
      d.attempts.push({ at, status: r.status, ...(r.error ? { error: r.error } : {}) });
      const fail = (why: string): never => {
        d.state = 'failed';
        throw new Error(`URL validation failed for ${app.webhookUrl}: ${why}`);
      };
      if (r.status !== 200) fail(r.error ?? `expected HTTP 200, got ${r.status}`);
      let json: unknown;
      try {
        json = JSON.parse(r.text);
      } catch {
        fail('the answer is not JSON');
      }
      const answer = UrlValidationAnswer.safeParse(json);
      if (!answer.success) return fail('the answer lacks plainToken/encryptedToken');
      if (answer.data.plainToken !== plainToken) fail('plainToken does not match the challenge');
      if (answer.data.encryptedToken !== hmacHex(app.webhookSecretToken, plainToken)) {
        fail('encryptedToken is not HMAC-SHA256(secret token, plainToken)');
      }
      d.state = 'delivered';
    },
    list() {
      return deliveries.map((d) => ({ ...d, attempts: [...d.attempts] }));
    },
    clear() {
      deliveries = [];
    },
    pendingRetries() {
      return timers.size;
    },
    close() {
      closed = true;
      for (const t of timers) deps.timers.clearTimeout(t);
      timers.clear();
      for (const d of deliveries) d.nextAttemptAt = null;
      for (const c of inflight) c.abort(new Error('sandbox closed'));
    },
  };
}
