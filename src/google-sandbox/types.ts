export interface SandboxOptions {
  basePath: string;
  /** Absolute URL of `basePath`; every Google host the client uses maps onto it (docs/google-sandbox.md). */
  publicUrl: string;
  stateFile?: string;
  clock?: () => Date;
  log?: (msg: string, data?: Record<string, unknown>) => void;
  /**
   * The `/_control` API: `true` (default) serves it without authentication (standalone, tests); `false`
   * does not serve it; `{ token }` serves it only to requests carrying `X-Google-Sandbox-Control-Token`.
   */
  control?: boolean | { token: string };
}

/** An OAuth client ("Web application") of a Cloud project, as registered with the sandbox. */
export interface SandboxApp {
  name: string;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** `testing`: External app in "Testing" status, refresh tokens die after 7 days (reference §1.8). */
  publishingStatus?: 'testing' | 'production';
  /** The Cloud project number shown in SERVICE_DISABLED errors. */
  projectNumber?: string;
  /** `false` answers every Meet call with 403 SERVICE_DISABLED (reference §3.9). */
  meetApiEnabled?: boolean;
}
