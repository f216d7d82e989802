// A small closed-loop load generator on node:http with keep-alive: `connections` loops, each sending
// its next request when the previous answer is read. The same client measures Runframe and the yardstick.
import http from 'node:http';

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  latencies: number[];
}

export function request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string; agent?: http.Agent } = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: opts.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export async function load(url: string, opts: { connections: number; seconds: number; headers?: Record<string, string>; expect?: number }): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const latencies: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  const until = t0 + opts.seconds * 1000;
  const loop = async () => {
    while (performance.now() < until) {
      const s = performance.now();
      try {
        const r = await request(url, { headers: opts.headers ?? {}, agent });
        if (r.status !== (opts.expect ?? 200)) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - s);
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, loop));
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return { requests: latencies.length, errors, seconds, perSecond: latencies.length / seconds, latencies };
}

export const quantile = (xs: number[], q: number): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? 0;
};
export const median = (xs: number[]): number => quantile(xs, 0.5);
export const p99 = (xs: number[]): number => quantile(xs, 0.99);
