// What the hub needs to list and check the Zoom provider; pure data plus one pure function.

export interface RequiredCapability {
  /** Human-readable name shown when the grant lacks it. */
  name: string;
  /** Any one of these satisfies it: granular, classic, then their :admin supersets (§2). */
  anyOf: readonly string[];
}

export const zoomManifest = {
  id: 'zoom',
  displayName: 'Zoom',
  section: 'Communication',
  description: 'Create a Zoom war room for an active incident in one click; responders join from the incident page.',
  requiredCapabilities: [
    { name: 'Create meetings', anyOf: ['meeting:write:meeting', 'meeting:write', 'meeting:write:meeting:admin', 'meeting:write:admin'] },
    { name: 'Read your Zoom user profile', anyOf: ['user:read:user', 'user:read', 'user:read:user:admin', 'user:read:admin'] },
  ] as const satisfies readonly RequiredCapability[],
  /**
   * Optional: ending a meeting for everyone (`PUT /meetings/{id}/status`), which the war-room setting
   * "end the meeting when the incident is resolved" needs. meeting:update:meeting does not cover it (§2).
   */
  endMeetingCapability: { name: 'End meetings', anyOf: ['meeting:update:status', 'meeting:write', 'meeting:update:status:admin', 'meeting:write:admin'] } as const satisfies RequiredCapability,
} as const;

/** Names of the required capabilities that `granted` does not cover; empty when all are there. */
export function missingScopes(granted: readonly string[]): string[] {
  const have = new Set(granted);
  return zoomManifest.requiredCapabilities.filter((c) => !c.anyOf.some((s) => have.has(s))).map((c) => c.name);
}

// Classic scopes are two words (`meeting:write`, `user:read`), with `:admin` for the admin variant (§2).
const CLASSIC = /^[a-z_]+:[a-z_]+(:admin)?$/;

/**
 * The scope to approve for each required capability `granted` does not cover, in the app's own
 * style: classic names when everything granted is classic, granular ones otherwise (§2).
 */
export function missingScopeNames(granted: readonly string[]): string[] {
  const have = new Set(granted);
  const classic = granted.length > 0 && granted.every((s) => CLASSIC.test(s));
  return zoomManifest.requiredCapabilities.filter((c) => !c.anyOf.some((s) => have.has(s))).map((c) => (classic ? c.anyOf[1] : c.anyOf[0]));
}

/** The scope to approve so meetings can be ended, in the app's own style; null when `granted` covers it. */
export function missingEndMeetingScope(granted: readonly string[]): string | null {
  const c = zoomManifest.endMeetingCapability;
  if (c.anyOf.some((s) => granted.includes(s))) return null;
  const classic = granted.length > 0 && granted.every((s) => CLASSIC.test(s));
  return classic ? c.anyOf[1] : c.anyOf[0];
}
