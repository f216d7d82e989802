import { parseArgs } from 'node:util';
import { AppError } from '../shared/errors.ts';
import type { Command } from './commands.ts';

// Only what checking the input needs is loaded up front; the database, the domain and the server's
// modules (src/cli/commands.ts) come after it, so usage and a typo are answered in a fraction of a second.

const USAGE = `Usage:
  bin/runframe bootstrap --org NAME --email EMAIL --password PW [--name NAME]
      Creates an organization with that Owner; prints {"orgId","userId","apiToken"}.
  bin/runframe create-api-token --email EMAIL --org ORG_ID [--name NAME]
      Prints a new personal API token for that member.
Uses the same DATA_DIR / DATABASE_URL as the server. In embedded mode (no DATABASE_URL) the server must be stopped.`;

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
  let checked: Command;
  if (command === 'bootstrap') {
    if (!values.org || !values.email || !values.password) throw new AppError('validation', 'bootstrap needs --org, --email and --password.');
    const { parseSignUp } = await import('../domain/orgs/sign-up.ts');
    checked = { kind: 'bootstrap', input: parseSignUp({ name: values.name ?? values.email.split('@')[0] ?? 'Owner', email: values.email, password: values.password, organizationName: values.org }) };
  } else {
    if (!values.email || !values.org) throw new AppError('validation', 'create-api-token needs --email and --org.');
    checked = { kind: 'create-api-token', email: values.email, org: values.org, name: values.name };
  }
  const { runCommand } = await import('./commands.ts');
  return runCommand(checked);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  async (err: unknown) => {
    // A configuration or data-directory error can only come from commands.ts, loaded by then.
    const known = err instanceof AppError ? null : await import('./commands.ts');
    if (known && (err instanceof known.ConfigError || err instanceof known.DataDirInUseError)) process.stderr.write(`${err.message}\n`);
    else if (err instanceof AppError) {
      // A validation message already names its fields; other errors may add them.
      const fields = err.fields.map((f) => `${f.field}: ${f.reason}`).filter((f) => !err.message.includes(f));
      process.stderr.write(`${[err.message, ...fields].join(' ')}\n`);
    }
    else process.stderr.write(`runframe: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    process.exit(1);
  },
);
