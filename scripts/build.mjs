// `npm run build`: the server as one JavaScript file (dist/runframe.mjs), dependencies left as imports.
// `npm start` runs it: loading ~150 TypeScript files through tsx's module hooks took most of a
// start-up (docs/decisions/0006); development and the tests still run the sources through tsx.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
await build({
  absWorkingDir: root,
  entryPoints: ['src/main.ts'],
  outfile: 'dist/runframe.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
