/** Route table shared by the call log, fault matching and the 404/405 handler. */
const ROUTES: ReadonlyArray<readonly [method: string, pattern: string]> = [
  ['GET', '/'],
  ['GET', '/oauth/authorize'],
  ['POST', '/oauth/authorize/decision'],
  ['POST', '/oauth/token'],
  ['POST', '/oauth/revoke'],
  ['POST', '/oauth/data/compliance'],
  ['GET', '/v2/users/me'],
  ['GET', '/v2/users/:userId'],
  ['POST', '/v2/users/:userId/meetings'],
  ['GET', '/v2/users/:userId/meetings'],
  ['GET', '/v2/meetings/:meetingId'],
  ['PATCH', '/v2/meetings/:meetingId'],
  ['DELETE', '/v2/meetings/:meetingId'],
  ['PUT', '/v2/meetings/:meetingId/status'],
  ['GET', '/j/:meetingId'],
  ['POST', '/j/:meetingId/join'],
  ['POST', '/j/:meetingId/start'],
  ['POST', '/j/:meetingId/end'],
  ['GET', '/s/:meetingId'],
  ['GET', '/marketplace'],
  ['GET', '/marketplace/manage/added-apps'],
  ['GET', '/marketplace/manage/added-apps/:clientId/remove'],
  ['POST', '/marketplace/manage/added-apps/:clientId/remove'],
];

function matches(pattern: string, path: string): boolean {
  const a = pattern.split('/');
  const b = path.replace(/\/+$/, '').split('/');
  if (pattern === '/') return path === '/' || path === '';
  if (a.length !== b.length) return false;
  return a.every((seg, i) => seg.startsWith(':') ? (b[i] ?? '') !== '' : seg === b[i]);
}

/** 'POST /v2/users/:userId/meetings' for a request, or null when no route matches. */
export function endpointOf(method: string, path: string): string | null {
  const hit = ROUTES.find(([m, p]) => (m === method || (method === 'HEAD' && m === 'GET')) && matches(p, path));
  return hit ? `${hit[0]} ${hit[1]}` : null;
}

export function allowedMethods(path: string): string[] {
  return [...new Set(ROUTES.filter(([, p]) => matches(p, path)).map(([m]) => m))];
}
