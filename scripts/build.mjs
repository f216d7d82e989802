// `npm run build`: the server as one JavaScript file (dist/runframe.mjs), dependencies left as imports.
// `npm start` runs it: loading ~150 TypeScript files through tsx's module hooks took most of a
// start-up (docs/decisions/0006); development and the tests still run the sources through tsx.
import { build } from 'esbuild';
import { nodeBundle } from './node-bundle.mjs';

await build({ ...nodeBundle, entryPoints: ['src/main.ts'], outfile: 'dist/runframe.mjs', sourcemap: true, logLevel: 'warning' });
