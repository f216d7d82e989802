import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const root = path.resolve(import.meta.dirname, '..', '..');
const Manifest = z.record(z.string(), z.string());

/** Source file (relative to the package) → its bundle, from the manifest scripts/test.mjs wrote, if any. */
function bundles(): Record<string, string> {
  const file = process.env['RUNFRAME_TEST_CHILDREN'];
  if (!file) return {};
  try {
    return Manifest.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return {};
  }
}

/**
 * Node's arguments to run `source` (a path from the package root, e.g. `src/main.ts`) as a child process:
 * its bundle when `npm test` made one (~0.5 s of CPU to load instead of ~2 s through tsx's module hooks,
 * decision 0005), else the source through tsx, as when a file runs alone.
 */
export function childArgs(source: string): string[] {
  const bundle = bundles()[source];
  return bundle ? [bundle] : ['--import', 'tsx', path.join(root, source)];
}
