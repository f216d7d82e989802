export interface SandboxOptions {
  basePath: string;
  publicUrl: string;
  stateFile?: string;
  clock?: () => Date;
  webhookRetryDelaysMs?: number[];
  fetch?: typeof fetch;
  log?: (msg: string, data?: Record<string, unknown>) => void;
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
