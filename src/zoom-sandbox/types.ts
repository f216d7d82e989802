export interface SandboxOptions {
  basePath: string;
  publicUrl: string;
  stateFile?: string;
  clock?: () => Date;
  webhookRetryDelaysMs?: number[];
  fetch?: typeof fetch;
  log?: (msg: string, data?: Record<string, unknown>) => void;
  /**
   * The `/_control` API: `true` (default) serves it without authentication (standalone, tests); `false`
   * does not serve it; `{ token }` serves it only to requests carrying `X-Zoom-Sandbox-Control-Token`.
   */
  control?: boolean | { token: string };
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
}
