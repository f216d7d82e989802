// The work of bin/runframe once its input is checked (src/cli/main.ts): opening the database and
// everything that needs it. Kept apart so that main.ts loads it only then (~1.5 s of CPU to load).
import { eq } from 'drizzle-orm';
import { loadConfig } from '../config/index.ts';
import { openConfiguredDatabase } from '../server.ts';
import { migrateDatabase } from '../platform/db/client.ts';
import { users } from '../platform/db/schema.ts';
import { signUp, type parseSignUp } from '../domain/orgs/sign-up.ts';
import { createApiToken } from '../domain/orgs/create-api-token.ts';
import { findMembership } from '../domain/orgs/memberships.ts';
import { systemMeta, type Deps } from '../domain/context.ts';
import { silentLog } from '../platform/log.ts';
import { createPasswordHasher } from '../platform/crypto.ts';
import { systemClock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';

export { ConfigError } from '../config/index.ts';
export { DataDirInUseError } from '../platform/data-dir-lock.ts';

export type Command =
  | { kind: 'bootstrap'; input: ReturnType<typeof parseSignUp> }
  | { kind: 'create-api-token'; email: string; org: string; name: string | undefined };

const ANNOUNCING_LEVELS = new Set(['info', 'debug', 'trace']);

export async function runCommand(command: Command): Promise<number> {
  const config = loadConfig(process.env);
  // Like the server's start-up log (info level), but on stderr: stdout carries the command's output.
  if (ANNOUNCING_LEVELS.has(config.logLevel)) for (const notice of config.notices) process.stderr.write(`runframe: ${notice}\n`);
  const { database, release } = await openConfiguredDatabase(config);
  try {
    await migrateDatabase(database);
    const deps: Deps = {
      db: database.db,
      clock: systemClock,
      log: silentLog(),
      settings: { publicUrl: config.publicUrl, sessionTtlHours: config.sessionTtlHours, signIn: config.signIn },
      passwords: createPasswordHasher(config.passwordHashing),
    };
    const meta = { ...systemMeta('cli'), userAgent: 'bin/runframe' };
    if (command.kind === 'bootstrap') {
      const r = await signUp({ deps, meta, input: command.input });
      const { name, email } = command.input;
      // The operator at the console may know: sign-up itself answers a taken email like a new one.
      if (!r.created) throw new AppError('conflict', `An account with the email ${email} already exists.`);
      const { userId, orgId } = r;
      const token = await createApiToken({ ctx: { ...deps, meta, actor: { userId, orgId, name, email, role: 'owner', via: 'cli' } }, input: { name: 'bootstrap' } });
      process.stdout.write(`${JSON.stringify({ orgId, userId, apiToken: token.token })}\n`);
      return 0;
    }
    const [user] = await database.db.select().from(users).where(eq(users.email, command.email.trim().toLowerCase()));
    const role = user ? await findMembership(database.db, command.org, user.id).catch(() => null) : null;
    if (!user || !role) throw new AppError('not_found', `No member ${command.email} in organization ${command.org}.`);
    const token = await createApiToken({
      ctx: { ...deps, meta, actor: { userId: user.id, orgId: command.org, name: user.name, email: user.email, role, via: 'cli' } },
      input: { name: command.name ?? 'cli' },
    });
    process.stdout.write(`${token.token}\n`);
    return 0;
  } finally {
    await database.close();
    release();
  }
}
