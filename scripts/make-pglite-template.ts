import { migrateDatabase, openPglite } from '../src/platform/db/client.ts';

/** Creates a migrated PGlite data directory that each test file copies instead of initialising its own. */
const dir = process.argv[2];
if (!dir) throw new Error('usage: make-pglite-template.ts <dir>');
const database = await openPglite(dir);
await migrateDatabase(database);
await database.close();
