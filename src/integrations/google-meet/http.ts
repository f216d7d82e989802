import type { ZodType } from 'zod';
import { countMetric } from '../../platform/metrics.ts';
import { GoogleError, classifyResponse, classifyThrown, type Endpoint, type ForbiddenMeans } from './errors.ts';
import { MEET_SCOPE } from './manifest.ts';

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface SendOptions {
  fetch: FetchLike;
  url: string;
  init: RequestInit;
  timeoutMs: number;
  operation: string;
  endpoint: Endpoint;
  /** What a bare 403 PERMISSION_DENIED means for this call (default: not_found). */
  forbidden?: ForbiddenMeans;
  now: () => Date;
}

export interface SentResponse {
  status: number;
  text: string;
}

const METRIC = 'runframe_google_calls_total';
const HELP = 'Calls to Google by operation and HTTP status (no_answer: no response).';

/** One HTTP exchange with a deadline covering headers and body; non-2xx becomes a GoogleError. */
export async function send(o: SendOptions): Promise<SentResponse> {
  let res: Response;
  let text: string;
  // A timer of our own (as the Zoom client): it fires whatever a caller's fetch does with the signal.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new DOMException(`no answer within ${o.timeoutMs} ms`, 'TimeoutError')), o.timeoutMs);
  try {
    res = await o.fetch(o.url, { ...o.init, signal: deadline.signal, redirect: 'manual' }).catch((err: unknown) => {
      countMetric(METRIC, HELP, { operation: o.operation, status: 'no_answer' });
      throw err;
    });
    countMetric(METRIC, HELP, { operation: o.operation, status: String(res.status) });
    text = await res.text();
  } catch (err) {
    throw new GoogleError(o.operation, classifyThrown(err));
  } finally {
    clearTimeout(timer);
  }
  if (res.status < 200 || res.status > 299) {
    throw new GoogleError(o.operation, classifyResponse({ status: res.status, text, endpoint: o.endpoint, forbidden: o.forbidden ?? 'not_found', now: o.now(), meetScope: MEET_SCOPE }));
  }
  return { status: res.status, text };
}

/** Parses a 2xx body with its schema; a body that breaks the contract is `rejected`, never retried as an outage. */
export function parseBody<T>(operation: string, r: SentResponse, schema: ZodType<T>): T {
  let raw: unknown = null;
  try {
    raw = r.text ? (JSON.parse(r.text) as unknown) : {};
  } catch {
    // handled below as a schema failure
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new GoogleError(operation, { kind: 'rejected', status: r.status, message: 'Google answered with an unexpected body.' });
  return parsed.data;
}
