import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { SandboxApp } from './types.ts';

const DEFAULT_SCOPES = [
  'user:read:user',
  'meeting:write:meeting',
  'meeting:read:meeting',
  'meeting:read:list_meetings',
  'meeting:update:meeting',
  'meeting:update:status',
  'meeting:delete:meeting',
];

const list = (v: string | undefined): string[] | undefined => (v ? v.split(/[\s,]+/).filter(Boolean) : undefined);

const Config = z
  .object({
    port: z.coerce.number().int().min(0).max(65535),
    host: z.string().min(1),
    publicUrl: z.url().optional(),
    stateFile: z.string().min(1).optional(),
    appName: z.string().min(1),
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    redirectUris: z.array(z.url()),
    scopes: z.array(z.string().min(1)),
    // Zoom delivers webhooks over HTTP(S) only; the receiver is checked by the URL-validation challenge at start-up.
    webhookUrl: z.url({ protocol: /^https?$/, error: '--webhook-url must be an http(s) URL' }).optional(),
    webhookSecret: z.string().min(1).optional(),
  })
  .superRefine((c, issue) => {
    if (c.clientId && (!c.clientSecret || c.redirectUris.length === 0)) {
      issue.addIssue({ code: 'custom', message: '--client-id needs --client-secret and at least one --redirect-uri' });
    }
    if (c.webhookUrl && !c.webhookSecret) issue.addIssue({ code: 'custom', message: '--webhook-url needs --webhook-secret' });
  });
export type StandaloneConfig = z.infer<typeof Config>;

/** Flags win over ZOOM_SANDBOX_* environment variables. */
export function readStandaloneConfig(argv: string[], env: NodeJS.ProcessEnv): StandaloneConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'public-url': { type: 'string' },
      'state-file': { type: 'string' },
      'app-name': { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      scope: { type: 'string', multiple: true },
      'webhook-url': { type: 'string' },
      'webhook-secret': { type: 'string' },
    },
    strict: true,
  });
  const parsed = Config.safeParse({
    port: values.port ?? env.ZOOM_SANDBOX_PORT ?? '4010',
    host: values.host ?? env.ZOOM_SANDBOX_HOST ?? '127.0.0.1',
    publicUrl: values['public-url'] ?? env.ZOOM_SANDBOX_PUBLIC_URL,
    stateFile: values['state-file'] ?? env.ZOOM_SANDBOX_STATE_FILE,
    appName: values['app-name'] ?? env.ZOOM_SANDBOX_APP_NAME ?? 'Runframe',
    clientId: values['client-id'] ?? env.ZOOM_SANDBOX_CLIENT_ID,
    clientSecret: values['client-secret'] ?? env.ZOOM_SANDBOX_CLIENT_SECRET,
    redirectUris: values['redirect-uri'] ?? list(env.ZOOM_SANDBOX_REDIRECT_URIS) ?? [],
    scopes: values.scope ?? list(env.ZOOM_SANDBOX_SCOPES) ?? DEFAULT_SCOPES,
    webhookUrl: values['webhook-url'] ?? env.ZOOM_SANDBOX_WEBHOOK_URL,
    webhookSecret: values['webhook-secret'] ?? env.ZOOM_SANDBOX_WEBHOOK_SECRET,
  });
  if (!parsed.success) throw new Error(`Invalid Zoom sandbox options:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export function appFromConfig(c: StandaloneConfig): SandboxApp | null {
  if (!c.clientId || !c.clientSecret) return null;
  return {
    name: c.appName,
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    redirectUris: c.redirectUris,
    scopes: c.scopes,
    ...(c.webhookUrl ? { webhookUrl: c.webhookUrl } : {}),
    ...(c.webhookSecret ? { webhookSecretToken: c.webhookSecret } : {}),
  };
}
