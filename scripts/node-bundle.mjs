// How Runframe's TypeScript is bundled to run on plain Node, for `npm run build` (scripts/build.mjs) and
// for the child programs `npm test` starts (scripts/test.mjs): one ESM output for Node 20, its
// dependencies left as imports that resolve to the package's node_modules.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const nodeBundle = { absWorkingDir: root, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external' };
