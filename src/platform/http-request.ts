import http from 'node:http';
import https from 'node:https';

/** Reads one response header, case-insensitively, as `Headers.get` does. */
export interface HeaderReader {
  get(name: string): string | null;
}

/** A whole answer: status, headers and the body as text. */
export interface PlainResponse {
  status: number;
  headers: HeaderReader;
  text: string;
}

export interface PlainRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** Aborts the exchange at any point, body read included; the error is the signal's reason. */
  signal: AbortSignal;
}

/**
 * Idle kept-alive sockets close after 4 s (as `fetch`'s own pool does), before a server's usual 5 s,
 * so a request is seldom sent on a socket the server is closing.
 */
const AGENT_OPTIONS = { keepAlive: true, timeout: 4_000 };
const agents = { 'http:': new http.Agent(AGENT_OPTIONS), 'https:': new https.Agent(AGENT_OPTIONS) };

/**
 * One HTTP exchange on `node:http` / `node:https` with kept-alive connections: the request, and the
 * answer read whole. A provider call made this way costs a fraction of `fetch`'s CPU (no web streams,
 * no WebAssembly parser; docs/decisions/0006): in a burst of war rooms that is Runframe's CPU per call.
 * Redirects are not followed (a 3xx is returned like any status).
 */
export function plainRequest(url: string, init: PlainRequest): Promise<PlainResponse> {
  return new Promise<PlainResponse>((resolve, reject) => {
    const target = new URL(url);
    const isHttps = target.protocol === 'https:';
    if (!isHttps && target.protocol !== 'http:') return reject(new TypeError(`not an http(s) URL: ${target.protocol}`));
    const { signal } = init;
    if (signal.aborted) return reject(abortReason(signal));
    const headers: Record<string, string | number> = { ...init.headers };
    if (init.body !== undefined) headers['content-length'] = Buffer.byteLength(init.body);
    const options = { method: init.method, headers, agent: isHttps ? agents['https:'] : agents['http:'] };
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      req.destroy();
      reject(err);
    };
    const onAbort = () => fail(abortReason(signal));
    const onResponse = (res: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', fail);
      res.on('aborted', () => fail(new Error('the connection closed before the answer was complete')));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        const raw = res.headers;
        resolve({
          status: res.statusCode ?? 0,
          headers: { get: (name) => joinHeader(raw[name.toLowerCase()]) },
          text: Buffer.concat(chunks).toString('utf8'),
        });
      });
    };
    const req = isHttps ? https.request(target, options, onResponse) : http.request(target, options, onResponse);
    req.on('error', fail);
    signal.addEventListener('abort', onAbort, { once: true });
    req.end(init.body);
  });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

function joinHeader(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}
