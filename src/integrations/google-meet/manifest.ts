// What the hub needs to list and check the Google Meet provider; pure data plus pure functions.

/** The Meet scope for spaces the app creates: create, get, end and conference records of those (§2). */
export const MEET_SCOPE = 'https://www.googleapis.com/auth/meetings.space.created';
/** Identity: which Google account is connected (§1.10). */
export const IDENTITY_SCOPES = ['openid', 'email'] as const;

export const googleMeetManifest = {
  id: 'google_meet',
  displayName: 'Google Meet',
  section: 'Communication',
  description: 'Create a Google Meet war room for an active incident; responders with the link join without waiting for a host.',
  scopes: [...IDENTITY_SCOPES, MEET_SCOPE],
} as const;

/** The scopes to approve that `granted` lacks (the person may untick the Meet scope: §1.12). */
export function missingScopes(granted: readonly string[]): string[] {
  return granted.includes(MEET_SCOPE) ? [] : [MEET_SCOPE];
}

/** Google scope names as they appear in a token's `scope` string: short identity names or googleapis URLs. */
export const isGoogleScopeName = (value: string): boolean => /^(openid|email|profile)$/.test(value) || /^https:\/\/www\.googleapis\.com\/auth\/[a-z][a-z.]{0,60}$/.test(value);
