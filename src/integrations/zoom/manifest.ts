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
  requiredCapabilities: [
    { name: 'Create meetings', anyOf: ['meeting:write:meeting', 'meeting:write', 'meeting:write:meeting:admin', 'meeting:write:admin'] },
    { name: 'Read your Zoom user profile', anyOf: ['user:read:user', 'user:read', 'user:read:user:admin', 'user:read:admin'] },
  ] as const satisfies readonly RequiredCapability[],
} as const;

/** Names of the required capabilities that `granted` does not cover; empty when all are there. */
export function missingScopes(granted: readonly string[]): string[] {
  const have = new Set(granted);
  return zoomManifest.requiredCapabilities.filter((c) => !c.anyOf.some((s) => have.has(s))).map((c) => c.name);
}
