/**
 * Route table shared by the call log, fault matching and the 404/405 handler. Paths are Google's own on
 * each host (accounts.google.com, oauth2.googleapis.com, openidconnect.googleapis.com, meet.googleapis.com),
 * plus the sandbox's stand-ins for meet.google.com (`/meet/…`) and myaccount.google.com (`/myaccount/…`).
 */
const ROUTES: ReadonlyArray<readonly [method: string, pattern: string]> = [
  ['GET', '/'],
  ['GET', '/o/oauth2/v2/auth'],
  ['POST', '/o/oauth2/v2/auth/decision'],
  ['POST', '/token'],
  ['POST', '/revoke'],
  ['GET', '/v1/userinfo'],
  ['GET', '/oauth2/v3/userinfo'],
  ['POST', '/v2/spaces'],
  ['GET', '/v2/spaces/:space'],
  ['POST', '/v2/spaces/:space:endActiveConference'],
  ['GET', '/v2/conferenceRecords'],
  ['GET', '/v2/conferenceRecords/:record'],
  ['GET', '/v2/conferenceRecords/:record/participants'],
  ['GET', '/meet/:code'],
  ['POST', '/meet/:code/join'],
  ['POST', '/meet/:code/leave'],
  ['GET', '/myaccount/connections'],
  ['GET', '/myaccount/connections/:clientId/remove'],
  ['POST', '/myaccount/connections/:clientId/remove'],
];

function matchSegment(pattern: string, seg: string): boolean {
  if (!pattern.startsWith(':')) return pattern === seg;
  // `:space:endActiveConference` — a custom method after the resource id (Google's `{name}:verb`).
  const verb = pattern.slice(1).split(':')[1];
  if (verb === undefined) return seg !== '' && !seg.includes(':');
  return seg.endsWith(`:${verb}`) && seg.length > verb.length + 1;
}

function matches(pattern: string, path: string): boolean {
  if (pattern === '/') return path === '/' || path === '';
  const a = pattern.split('/');
  const b = path.replace(/\/+$/, '').split('/');
  if (a.length !== b.length) return false;
  return a.every((seg, i) => matchSegment(seg, b[i] ?? ''));
}

/** 'POST /v2/spaces' for a request, or null when no route matches. */
export function endpointOf(method: string, path: string): string | null {
  const hit = ROUTES.find(([m, p]) => (m === method || (method === 'HEAD' && m === 'GET')) && matches(p, path));
  return hit ? `${hit[0]} ${hit[1]}` : null;
}

export function allowedMethods(path: string): string[] {
  return [...new Set(ROUTES.filter(([, p]) => matches(p, path)).map(([m]) => m))];
}
