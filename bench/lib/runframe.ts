// Drives a running Runframe the way people do: sign in with the form, connect Zoom through the consent
// page, then call the API with a token and open pages with the session cookie.
import http from 'node:http';
import { BENCH_PUBLIC_URL, PASSWORD } from './processes.ts';
import { request } from './load.ts';

const cookieOf = (headers: http.IncomingHttpHeaders, name: string): string | undefined => {
  for (const c of headers['set-cookie'] ?? []) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(c);
    if (m) return m[1];
  }
  return undefined;
};
const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1]?.replace(/&amp;/g, '&') ?? '';

export interface Member {
  base: string;
  token: string;
  cookie: string;
  csrf: string;
}

export async function signIn(base: string, email: string, token: string): Promise<Member> {
  const page = await request(`${base}/sign-in`);
  const anon = cookieOf(page.headers, 'rf_csrf') ?? '';
  const body = new URLSearchParams({ email, password: PASSWORD, _csrf: hidden(page.body, '_csrf') }).toString();
  const r = await request(`${base}/sign-in`, { method: 'POST', body, headers: { cookie: `rf_csrf=${anon}`, 'content-type': 'application/x-www-form-urlencoded' } });
  const session = cookieOf(r.headers, 'rf_session');
  if (r.status !== 303 || !session) throw new Error(`sign-in answered ${r.status}`);
  const cookie = `rf_session=${session}`;
  const incidents = await request(`${base}/incidents`, { headers: { cookie } });
  return { base, token, cookie, csrf: hidden(incidents.body, '_csrf') };
}

/** Integrations Hub › Zoom › Connect, Allow on the sandbox's consent page, back to the callback. */
export async function connectZoom(m: Member): Promise<void> {
  const start = await request(`${m.base}/integrations/zoom/connect`, { method: 'POST', body: `_csrf=${encodeURIComponent(m.csrf)}`, headers: { cookie: m.cookie, 'content-type': 'application/x-www-form-urlencoded' } });
  const consentUrl = String(start.headers.location ?? '');
  if (start.status !== 303) throw new Error(`Connect answered ${start.status}: ${start.body.slice(0, 300)}`);
  const consent = await request(consentUrl);
  const form = new URLSearchParams();
  for (const x of consent.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.append(x[1] ?? '', (x[2] ?? '').replace(/&amp;/g, '&'));
  for (const x of consent.body.matchAll(/name="scope" value="([^"]+)"/g)) form.append('scope', x[1] ?? '');
  form.set('user_id', 'sandboxHostUser0000001');
  form.set('decision', 'allow');
  const decided = await request(new URL('/oauth/authorize/decision', consentUrl).toString(), { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const callback = String(decided.headers.location ?? '').replace(BENCH_PUBLIC_URL, m.base);
  const done = await request(callback, { headers: { cookie: m.cookie } });
  if (!String(done.headers.location ?? '').includes('result=connected')) throw new Error(`could not connect Zoom: ${done.status} ${done.headers.location}`);
}

export function api(m: Member, method: string, path: string, body?: unknown, agent?: http.Agent) {
  return request(`${m.base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${m.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(agent ? { agent } : {}),
  });
}

export async function declare(m: Member, title: string): Promise<{ id: string; number: number }> {
  const r = await api(m, 'POST', '/incidents', { title, severity: 'SEV1' });
  if (r.status !== 201) throw new Error(`declare answered ${r.status}: ${r.body}`);
  return (JSON.parse(r.body) as { incident: { id: string; number: number } }).incident;
}
