import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import { ConfigError, loadConfig } from '../config/index.ts';
import { openConfiguredDatabase } from '../server.ts';
import { migrateDatabase } from '../platform/db/client.ts';
import { users } from '../platform/db/schema.ts';
import { parseSignUp, signUp } from '../domain/orgs/sign-up.ts';
import { createApiToken } from '../domain/orgs/create-api-token.ts';
import { findMembership } from '../domain/orgs/memberships.ts';
import { systemMeta, type Deps } from '../domain/context.ts';
import { silentLog } from '../platform/log.ts';
import { createPasswordHasher } from '../platform/crypto.ts';
import { systemClock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import { DataDirInUseError } from '../platform/data-dir-lock.ts';

const USAGE = `Usage:
  bin/runframe bootstrap --org NAME --email EMAIL --password PW [--name NAME]
      Creates an organization with that Owner; prints {"orgId","userId","apiToken"}.
  bin/runframe create-api-token --email EMAIL --org ORG_ID [--name NAME]
      Prints a new personal API token for that member.
Uses the same DATA_DIR / DATABASE_URL as the server. In embedded mode (no DATABASE_URL) the server must be stopped.`;

const ANNOUNCING_LEVELS = new Set(['info', 'debug', 'trace']);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: { org: { type: 'string' }, email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
    strict: true,
  });
  if (command !== 'bootstrap' && command !== 'create-api-token') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  // The input is checked before the database is opened: a typo is answered at once.
  let signUpInput: ReturnType<typeof parseSignUp> | null = null;
  if (command === 'bootstrap') {
    if (!values.org || !values.email || !values.password) throw new AppError('validation', 'bootstrap needs --org, --email and --password.');
    signUpInput = parseSignUp({ name: values.name ?? values.email.split('@')[0] ?? 'Owner', email: values.email, password: values.password, organizationName: values.org });
  } else if (!values.email || !values.org) throw new AppError('validation', 'create-api-token needs --email and --org.');
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
    if (signUpInput) {
      const r = await signUp({ deps, meta, input: signUpInput });
      const { name, email } = signUpInput;
      // The operator at the console may know: sign-up itself answers a taken email like a new one.
      if (!r.created) throw new AppError('conflict', `An account with the email ${email} already exists.`);
      const { userId, orgId } = r;
      const token = await createApiToken({ ctx: { ...deps, meta, actor: { userId, orgId, name, email, role: 'owner', via: 'cli' } }, input: { name: 'bootstrap' } });
      process.stdout.write(`${JSON.stringify({ orgId, userId, apiToken: token.token })}\n`);
      return 0;
    }
    if (!values.email || !values.org) throw new AppError('validation', 'create-api-token needs --email and --org.');
    const [user] = await database.db.select().from(users).where(eq(users.email, values.email.trim().toLowerCase()));
    const role = user ? await findMembership(database.db, values.org, user.id).catch(() => null) : null;
    if (!user || !role) throw new AppError('not_found', `No member ${values.email} in organization ${values.org}.`);
    const token = await createApiToken({
      ctx: { ...deps, meta, actor: { userId: user.id, orgId: values.org, name: user.name, email: user.email, role, via: 'cli' } },
      input: { name: values.name ?? 'cli' },
    });
    process.stdout.write(`${token.token}\n`);
    return 0;
  } finally {
    await database.close();
    release();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof DataDirInUseError) process.stderr.write(`${err.message}\n`);
    else if (err instanceof AppError) {
      // A validation message already names its fields; other errors may add them.
      const fields = err.fields.map((f) => `${f.field}: ${f.reason}`).filter((f) => !err.message.includes(f));
      process.stderr.write(`${[err.message, ...fields].join(' ')}\n`);
    }
    else process.stderr.write(`runframe: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    process.exit(1);
  },
);
