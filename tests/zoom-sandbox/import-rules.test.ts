import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const sandboxDir = join(root, 'src/zoom-sandbox');
const kitDir = join(root, 'src/sandbox-kit');

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(name) ? [p] : [];
  });
}

function specifiers(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g)) out.push(m[1] ?? '');
  for (const m of source.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)) out.push(m[1] ?? '');
  for (const m of source.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1] ?? '');
  return out;
}

const ALLOWED_PACKAGES = [/^node:/, /^hono$/, /^hono\//, /^@hono\/node-server$/, /^zod$/];

describe('Zoom sandbox import rules', () => {
  const sources = files(sandboxDir);

  it('finds the sandbox sources', () => {
    assert.ok(sources.length > 10);
  });

  it('imports only node builtins, hono, @hono/node-server, zod, its own files and the sandbox kit', () => {
    const violations: string[] = [];
    for (const file of sources) {
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        if (spec.startsWith('.')) {
          const target = resolve(dirname(file), spec);
          // Its own files, and the kit both sandboxes share (which imports nothing of Runframe).
          if (!target.startsWith(`${sandboxDir}/`) && !target.startsWith(`${kitDir}/`)) violations.push(`${relative(root, file)} → ${spec}`);
          if (!/\.ts$/.test(spec)) violations.push(`${relative(root, file)} → ${spec} (local imports carry .ts)`);
        } else if (!ALLOWED_PACKAGES.some((re) => re.test(spec))) {
          violations.push(`${relative(root, file)} → ${spec}`);
        }
      }
    }
    assert.deepEqual(violations, []);
  });

  it('the Zoom client never imports the sandbox', () => {
    const offenders = files(join(root, 'src/integrations')).filter((f) => specifiers(readFileSync(f, 'utf8')).some((s) => s.includes('zoom-sandbox')));
    assert.deepEqual(offenders.map((f) => relative(root, f)), []);
  });

  it('file names are kebab-case', () => {
    const bad = sources.map((f) => relative(sandboxDir, f)).filter((f) => !/^([a-z0-9]+(-[a-z0-9]+)*\/)*[a-z0-9]+(-[a-z0-9]+)*\.tsx?$/.test(f));
    assert.deepEqual(bad, []);
  });

  it('no `any` in the sandbox sources', () => {
    const bad = sources.filter((f) => /:\s*any\b|as any\b|<any>/.test(readFileSync(f, 'utf8'))).map((f) => relative(root, f));
    assert.deepEqual(bad, []);
  });
});
