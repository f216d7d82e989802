import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The directory holding Runframe's package.json, found by walking up from this module: the same
 * answer whether the sources run through tsx (src/platform/) or from the bundle `npm run build`
 * writes (dist/). Committed files outside src/ (migrations, assets) are located from here.
 */
function findPackageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'drizzle'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`Runframe's package directory (with package.json and drizzle/) was not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

export const PACKAGE_ROOT = findPackageRoot();
