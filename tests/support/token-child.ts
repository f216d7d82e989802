// A second Runframe process for the cross-process refresh test: it asks for the same connection's
// token several times at once, against the same PostgreSQL database, and prints what it got.
import { z } from 'zod';
import { openPostgres } from '../../src/platform/db/client.ts';
import { createProviderRegistry } from '../../src/integrations/hub/registry.ts';
import { getAccessToken } from '../../src/integrations/hub/token-getter.ts';
import { createPasswordHasher } from '../../src/platform/crypto.ts';
import { silentLog } from '../../src/platform/log.ts';

const Input = z.object({
  url: z.string(),
  key: z.string(),
  secretKey: z.string(),
  orgId: z.string(),
  nowMs: z.number(),
  count: z.number(),
  zoom: z.record(z.string(), z.string()),
  /** Which connection to ask for (default zoom); with google_meet, `google` holds Runframe's Google settings. */
  provider: z.string().default('zoom'),
  google: z.record(z.string(), z.string()).optional(),
});
const input = Input.parse(JSON.parse(process.argv[2] ?? '{}'));
const database = await openPostgres(input.url);
const clock = { now: () => new Date(input.nowMs) };
const hub = {
  db: database.db,
  clock,
  log: silentLog(),
  settings: { publicUrl: 'http://runframe.test', sessionTtlHours: 72, signIn: { maxFailures: 10, maxFailuresPerAddress: 30, windowMinutes: 15 } },
  passwords: createPasswordHasher({ cost: 14, concurrency: 2 }),
  keyRing: { current: 1, keys: new Map([[1, Buffer.from(input.key, 'base64')]]) },
  secretKey: input.secretKey,
  providers: createProviderRegistry({
    zoom: { mode: 'zoom' as const, clientId: '', clientSecret: '', webhookSecretToken: '', oauthBaseUrl: '', apiBaseUrl: '', redirectUri: '', webhookUrl: '', ...input.zoom },
    google: input.google ? { clientId: '', clientSecret: '', authBaseUrl: '', tokenBaseUrl: '', userinfoBaseUrl: '', meetApiBaseUrl: '', redirectUri: '', ...input.google, mode: 'google' as const } : undefined,
    now: clock.now,
  }),
  healthCheckIntervalMs: 3_600_000,
  warRoomTiming: { ttlMs: 86_400_000, retryDelaysMs: [] },
};
const tokens = await Promise.all(Array.from({ length: input.count }, () => getAccessToken(hub, input.orgId, input.provider)));
await database.close();
process.stdout.write(JSON.stringify({ tokens }));
