import { writeFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { MIGRATIONS_DIR } from '../src/platform/db/client.ts';

/**
 * Creates a migrated PGlite data directory that test servers copy instead of initialising their own,
 * and `<dir>.tar`, the same database as one file, which tests load into memory (tests/support/database.ts).
 */
const dir = process.argv[2];
if (!dir) throw new Error('usage: make-pglite-template.ts <dir>');
const client = new PGlite(dir);
await client.waitReady;
await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_DIR });
const tar = await client.dumpDataDir('none');
writeFileSync(`${dir}.tar`, Buffer.from(await tar.arrayBuffer()));
await client.close();
