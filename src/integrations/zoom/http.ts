import type { ZodType } from 'zod';
import { plainRequest, type PlainResponse } from '../../platform/http-request.ts';
import { countMetric } from '../../platform/metrics.ts';
import { ZoomError, classifyResponse, classifyThrown } from './errors.ts';

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface SendOptions {
  /** A caller's own fetch (tests that watch or fake Zoom); without one, `node:http` (plainRequest). */
  fetch?: FetchLike | undefined;
  url: string;
  init: { method: string; headers: Record<string, string>; body?: string };
  timeoutMs: number;
  operation: string;
  endpoint: 'oauth' | 'api';
  now: () => Date;
  /** Values we sent that must never survive into an error (tokens, codes, secrets). */
  secrets: readonly string[];
}

export interface SentResponse {
  status: number;
  text: string;
  trackingId: string | undefined;
}

/** The exchange through a caller's fetch, read whole under the same signal. */
async function viaFetch(fetchFn: FetchLike, url: string, init: SendOptions['init'], signal: AbortSignal): Promise<PlainResponse> {
  const res = await fetchFn(url, { ...init, signal, redirect: 'manual' });
  // The signal also bounds the body read, so a stalled body is a timeout, not a hang.
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** One HTTP exchange with a deadline covering headers and body; non-2xx becomes a ZoomError. */
export async function send(o: SendOptions): Promise<SentResponse> {
  let res: PlainResponse;
  // A timer of our own rather than AbortSignal.timeout(): combined with another signal (AbortSignal.any,
  // as a caller's fetch wrapper may do) that timeout is collected by the GC and never fires, which
  // leaves the call with no deadline. A timer held here fires whatever the caller does with the signal.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new DOMException(`no answer within ${o.timeoutMs} ms`, 'TimeoutError')), o.timeoutMs);
  try {
    res = await (o.fetch ? viaFetch(o.fetch, o.url, o.init, deadline.signal) : plainRequest(o.url, { ...o.init, signal: deadline.signal }));
  } catch (err) {
    countMetric('runframe_zoom_calls_total', 'Calls to Zoom by operation and HTTP status (no_answer: no response).', { operation: o.operation, status: 'no_answer' });
    throw new ZoomError(o.operation, classifyThrown(err));
  } finally {
    clearTimeout(timer);
  }
  countMetric('runframe_zoom_calls_total', 'Calls to Zoom by operation and HTTP status (no_answer: no response).', { operation: o.operation, status: String(res.status) });
  const trackingId = res.headers.get('x-zm-trackingid') ?? undefined;
  if (res.status < 200 || res.status > 299) {
    const failure = classifyResponse({ status: res.status, text: res.text, headers: res.headers, endpoint: o.endpoint, now: o.now(), secrets: o.secrets });
    throw new ZoomError(o.operation, failure, trackingId);
  }
  return { status: res.status, text: res.text, trackingId };
}

/**
 * Parses a 2xx body with its schema. A body that breaks the contract is `rejected`, not
 * `unavailable`: retrying a create whose answer we cannot read could make a second meeting.
 */
export function parseBody<T>(operation: string, r: SentResponse, schema: ZodType<T>): T {
  let raw: unknown = null;
  try {
    raw = r.text ? (JSON.parse(r.text) as unknown) : null;
  } catch {
    // handled below as a schema failure
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ZoomError(operation, { kind: 'rejected', status: r.status, message: 'Zoom answered with an unexpected body.' }, r.trackingId);
  return parsed.data;
}
