import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

// The import rules of docs/architecture.md, checked on every source file.
const root = path.resolve(import.meta.dirname, '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(n) ? [p] : [];
  });
}

const files = sources(root);
const rel = (p: string) => path.relative(root, p).split(path.sep).join('/');
// `import x from '…'`, `export … from '…'`, bare `import '…'` and `import('…')`.
const specsOf = (text: string): string[] =>
  [...text.matchAll(/(?:import|export)\s[^'";]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
const importsOf = (file: string): string[] =>
  specsOf(readFileSync(file, 'utf8'))
    .filter((s) => s.startsWith('.'))
    .map((s) => rel(path.resolve(path.dirname(file), s)));
const graph = new Map(files.map((f) => [rel(f), importsOf(f)]));
const under = (p: string, dir: string) => p === dir || p.startsWith(`${dir}/`);

const rules: { name: string; from: string; forbidden: string[]; except?: string[] }[] = [
  { name: 'http/ never touches the database directly', from: 'http', forbidden: ['platform/db'] },
  { name: 'http/ calls domain/ and integrations/hub/, never a provider folder, the sandbox or the jobs', from: 'http', forbidden: ['integrations/zoom', 'integrations/google-meet', 'zoom-sandbox', 'google-sandbox', 'jobs', 'config', 'cli'] },
  { name: 'domain/ never imports http/', from: 'domain', forbidden: ['http', 'integrations/zoom', 'integrations/google-meet', 'zoom-sandbox', 'google-sandbox', 'config'] },
  // The job queue is infrastructure (platform/jobs); jobs/ holds handlers that compose domain/ and integrations/.
  { name: 'domain/ and integrations/ enqueue through platform/jobs, never the job handlers above them', from: 'domain', forbidden: ['jobs', 'server.ts', 'main.ts', 'cli'] },
  { name: 'integrations/ never imports the job handlers or the server above it', from: 'integrations', forbidden: ['jobs', 'http', 'server.ts', 'main.ts', 'cli'] },
  { name: 'a provider folder is pure request/response code', from: 'integrations/zoom', forbidden: ['platform/db', 'platform/crypto.ts', 'domain', 'integrations/hub', 'http', 'zoom-sandbox', 'google-sandbox', 'integrations/google-meet'] },
  { name: 'the Google Meet folder is pure request/response code', from: 'integrations/google-meet', forbidden: ['platform/db', 'platform/crypto.ts', 'domain', 'integrations/hub', 'integrations/zoom', 'http', 'zoom-sandbox', 'google-sandbox'] },
  { name: 'the sandbox never imports the Zoom client', from: 'zoom-sandbox', forbidden: ['integrations', 'domain', 'http', 'platform', 'config', 'google-sandbox'] },
  { name: 'the Google sandbox never imports the product or the Zoom sandbox', from: 'google-sandbox', forbidden: ['integrations', 'domain', 'http', 'platform', 'config', 'zoom-sandbox'] },
  { name: 'the sandbox kit (what both sandboxes share) imports nothing of Runframe or of either sandbox', from: 'sandbox-kit', forbidden: ['integrations', 'domain', 'http', 'platform', 'config', 'shared', 'jobs', 'zoom-sandbox', 'google-sandbox'] },
  { name: 'the product never imports the sandbox kit', from: 'integrations', forbidden: ['sandbox-kit'] },
  { name: 'platform/ and shared/ import nothing business-specific', from: 'platform', forbidden: ['domain', 'http', 'integrations', 'jobs', 'config'] },
  { name: 'shared/ imports nothing business-specific', from: 'shared', forbidden: ['domain', 'http', 'integrations', 'jobs', 'platform', 'config'] },
];

for (const rule of rules) {
  test(rule.name, () => {
    const violations: string[] = [];
    for (const [file, deps] of graph) {
      if (!under(file, rule.from) || rule.except?.includes(file)) continue;
      for (const d of deps) if (rule.forbidden.some((f) => under(d.replace(/\.tsx?$/, ''), f.replace(/\.tsx?$/, '')) || d === f)) violations.push(`${file} -> ${d}`);
    }
    assert.deepEqual(violations, []);
  });
}

test('domain/ never reads process.env and never names a provider', () => {
  const bad = files.filter((f) => under(rel(f), 'domain')).filter((f) => /process\.env|\bzoom\b|\bgoogle\b/i.test(readFileSync(f, 'utf8')));
  assert.deepEqual(bad.map(rel), []);
});

test('no import cycles', () => {
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[] = [];
  const visit = (n: string, trail: string[]) => {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'visiting') {
      cycles.push([...trail.slice(trail.indexOf(n)), n].join(' -> '));
      return;
    }
    state.set(n, 'visiting');
    for (const d of graph.get(n) ?? []) visit(d, [...trail, n]);
    state.set(n, 'done');
  };
  for (const n of graph.keys()) visit(n, []);
  assert.deepEqual(cycles, []);
});

test('the import scanner sees every kind of import (so the rules above cannot be dodged)', () => {
  const text = [
    "import { a } from './named.ts';",
    "import type { B } from '../typed.ts';",
    "export { c } from './reexport.ts';",
    "export * from './star.ts';",
    "import './side-effect.ts';",
    "const d = await import('./dynamic.ts');",
    "import {\n  e,\n  f,\n} from './multiline.ts';",
  ].join('\n');
  assert.deepEqual(specsOf(text), ['./named.ts', '../typed.ts', './reexport.ts', './star.ts', './side-effect.ts', './dynamic.ts', './multiline.ts']);
});
