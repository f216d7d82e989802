/** Scope strings and the per-method matrix of reference §2. */
export const SCOPE = {
  created: 'https://www.googleapis.com/auth/meetings.space.created',
  readonly: 'https://www.googleapis.com/auth/meetings.space.readonly',
  settings: 'https://www.googleapis.com/auth/meetings.space.settings',
  email: 'https://www.googleapis.com/auth/userinfo.email',
  profile: 'https://www.googleapis.com/auth/userinfo.profile',
} as const;

export type MeetMethod = 'spaces.create' | 'spaces.get' | 'spaces.endActiveConference' | 'conferenceRecords.list' | 'conferenceRecords.get' | 'participants.list';

export const ACCEPTED: Record<MeetMethod, string[]> = {
  'spaces.create': [SCOPE.created],
  // Newer docs also list meetings.space.settings for get (UNCONFIRMED); accepted.
  'spaces.get': [SCOPE.created, SCOPE.readonly, SCOPE.settings],
  'spaces.endActiveConference': [SCOPE.created],
  'conferenceRecords.list': [SCOPE.created, SCOPE.readonly],
  'conferenceRecords.get': [SCOPE.created, SCOPE.readonly],
  'participants.list': [SCOPE.created, SCOPE.readonly],
};

/** Identity scopes Google grants without a checkbox; the rest can be unticked (granular consent). */
const IDENTITY: Record<string, string> = {
  openid: 'openid',
  email: SCOPE.email,
  profile: SCOPE.profile,
  [SCOPE.email]: SCOPE.email,
  [SCOPE.profile]: SCOPE.profile,
};

export function isIdentityScope(scope: string): boolean {
  return scope in IDENTITY;
}

/** `email` → `…/auth/userinfo.email` in the token's `scope` (long-form mapping UNCONFIRMED, a setting). */
export function grantedForm(scope: string, longForm: boolean): string {
  return longForm ? (IDENTITY[scope] ?? scope) : scope;
}

export function hasScope(granted: string[], wanted: 'openid' | 'email' | 'profile'): boolean {
  const long = wanted === 'email' ? SCOPE.email : wanted === 'profile' ? SCOPE.profile : 'openid';
  return granted.includes(wanted) || granted.includes(long);
}

const DESCRIPTIONS: Record<string, string> = {
  openid: 'Associate you with your personal info on Google',
  email: 'See your primary Google Account email address',
  [SCOPE.email]: 'See your primary Google Account email address',
  profile: 'See your personal info, including any personal info you\u2019ve made publicly available',
  [SCOPE.profile]: 'See your personal info, including any personal info you\u2019ve made publicly available',
  [SCOPE.created]: 'Create, edit, and see information about your Google Meet conferences created by the app.',
  [SCOPE.readonly]: 'Read information about any of your Google Meet conferences',
  [SCOPE.settings]: 'Edit, and see settings for all of your Google Meet calls.',
};

export function describeScope(scope: string): string {
  return DESCRIPTIONS[scope] ?? 'Access described by this scope';
}
