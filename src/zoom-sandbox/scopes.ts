/** Acceptable scopes per operation, granular first, then classic (reference §2). */
export type Operation = 'readUser' | 'createMeeting' | 'listMeetings' | 'readMeeting' | 'updateMeeting' | 'deleteMeeting' | 'updateStatus';

const RULES: Record<Operation, { granular: string[]; classic: string[] }> = {
  readUser: { granular: ['user:read:user', 'user:read:user:admin'], classic: ['user:read', 'user:read:admin'] },
  createMeeting: { granular: ['meeting:write:meeting', 'meeting:write:meeting:admin'], classic: ['meeting:write', 'meeting:write:admin'] },
  listMeetings: {
    granular: ['meeting:read:list_meetings', 'meeting:read:list_meetings:admin'],
    classic: ['meeting:read', 'meeting:read:admin'],
  },
  readMeeting: { granular: ['meeting:read:meeting', 'meeting:read:meeting:admin'], classic: ['meeting:read', 'meeting:read:admin'] },
  updateMeeting: { granular: ['meeting:update:meeting', 'meeting:update:meeting:admin'], classic: ['meeting:write', 'meeting:write:admin'] },
  deleteMeeting: { granular: ['meeting:delete:meeting', 'meeting:delete:meeting:admin'], classic: ['meeting:write', 'meeting:write:admin'] },
  // Ending a meeting is its own granular scope: meeting:update:meeting does not cover it (§2, 4711).
  updateStatus: { granular: ['meeting:update:status', 'meeting:update:status:admin'], classic: ['meeting:write', 'meeting:write:admin'] },
};

/** Classic scopes have one colon (`meeting:write`); granular ones have at least two. */
export function isClassicApp(appScopes: string[]): boolean {
  return appScopes.length > 0 && appScopes.every((s) => s.split(':').length === 2 || s === 'user_info:read');
}

/** Returns the scope list for the 4711 message, or null when the grant is sufficient. */
export function missingScopes(op: Operation, granted: string[], appScopes: string[], isMe = false): string[] | null {
  const rule = RULES[op];
  const accepted = [...rule.granular, ...rule.classic, ...(op === 'readUser' && isMe ? ['user_info:read'] : [])];
  if (granted.some((s) => accepted.includes(s))) return null;
  return isClassicApp(appScopes) ? rule.classic : rule.granular;
}

const DESCRIPTIONS: Record<string, string> = {
  'user:read:user': 'View your user information',
  'meeting:write:meeting': 'Create meetings for you',
  'meeting:read:meeting': 'View your meetings',
  'meeting:read:list_meetings': 'List your meetings',
  'meeting:update:meeting': 'Update your meetings',
  'meeting:update:status': 'End your meetings',
  'meeting:delete:meeting': 'Delete your meetings',
  'user:read': 'View your user information',
  'meeting:write': 'View and manage your meetings',
  'meeting:read': 'View your meetings',
};

export function describeScope(scope: string): string {
  return DESCRIPTIONS[scope] ?? 'Access described by this scope';
}
