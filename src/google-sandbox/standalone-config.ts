import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { SandboxApp } from './types.ts';

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
    publishingStatus: z.enum(['testing', 'production']),
  })
  .superRefine((c, issue) => {
    if (c.clientId && (!c.clientSecret || c.redirectUris.length === 0)) {
      issue.addIssue({ code: 'custom', message: '--client-id needs --client-secret and at least one --redirect-uri' });
    }
  });
export type StandaloneConfig = z.infer<typeof Config>;

/** Flags win over GOOGLE_SANDBOX_* environment variables. */
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
      'publishing-status': { type: 'string' },
    },
    strict: true,
  });
  const parsed = Config.safeParse({
    port: values.port ?? env.GOOGLE_SANDBOX_PORT ?? '4020',
    host: values.host ?? env.GOOGLE_SANDBOX_HOST ?? '127.0.0.1',
    publicUrl: values['public-url'] ?? env.GOOGLE_SANDBOX_PUBLIC_URL,
    stateFile: values['state-file'] ?? env.GOOGLE_SANDBOX_STATE_FILE,
    appName: values['app-name'] ?? env.GOOGLE_SANDBOX_APP_NAME ?? 'Runframe',
    clientId: values['client-id'] ?? env.GOOGLE_SANDBOX_CLIENT_ID,
    clientSecret: values['client-secret'] ?? env.GOOGLE_SANDBOX_CLIENT_SECRET,
    redirectUris: values['redirect-uri'] ?? list(env.GOOGLE_SANDBOX_REDIRECT_URIS) ?? [],
    publishingStatus: values['publishing-status'] ?? env.GOOGLE_SANDBOX_PUBLISHING_STATUS ?? 'production',
  });
  if (!parsed.success) throw new Error(`Invalid Google sandbox options:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export function appFromConfig(c: StandaloneConfig): SandboxApp | null {
  if (!c.clientId || !c.clientSecret) return null;
  return { name: c.appName, clientId: c.clientId, clientSecret: c.clientSecret, redirectUris: c.redirectUris, publishingStatus: c.publishingStatus };
}
