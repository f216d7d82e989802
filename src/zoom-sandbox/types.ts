export interface SandboxOptions {
  basePath: string;
  publicUrl: string;
  stateFile?: string;
  clock?: () => Date;
  /** Delays between webhook attempts; default Zoom's 5, 20 and 60 minutes (§5.4). */
  webhookRetryDelaysMs?: number[];
  /** How long a webhook receiver has to answer 2xx before the attempt counts as failed; default 3000 (§5.4). */
  webhookResponseTimeoutMs?: number;
  /** Timer functions for webhook retries and answer timeouts (default the global ones); tests inject fakes to run them without waiting. */
  timers?: SandboxTimers;
  fetch?: typeof fetch;
  log?: (msg: string, data?: Record<string, unknown>) => void;
  /**
   * The `/_control` API: `true` (default) serves it without authentication (standalone, tests); `false`
   * does not serve it; `{ token }` serves it only to requests carrying `X-Zoom-Sandbox-Control-Token`.
   */
  control?: boolean | { token: string };
}

export interface SandboxTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SandboxApp {
  name: string;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  scopes: string[];
  optionalScopes?: string[];
  webhookUrl?: string;
  webhookSecretToken?: string;
  /** The deprecated verification token Zoom still sends in the `authorization` header (§5.1); derived from the secret token when absent. */
  webhookVerificationToken?: string;
}
