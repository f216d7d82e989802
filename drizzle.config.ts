import { defineConfig } from 'drizzle-kit';

// Migrations are generated offline (`npm run db:generate`) and committed; they are applied at start-up.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/platform/db/schema.ts',
  out: './drizzle',
});
