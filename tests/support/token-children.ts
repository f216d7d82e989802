import { spawn } from 'node:child_process';
import { childArgs } from './children.ts';

/**
 * Another Runframe process asking for a provider's access token (support/token-child.ts, on the
 * PostgreSQL database `args` names): resolves with the tokens it got.
 */
export function tokenChild(args: object): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...childArgs('tests/support/token-child.ts'), JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += String(d)));
    p.stderr.on('data', (d: Buffer) => (err += String(d)));
    p.on('close', (code) => (code === 0 ? resolve((JSON.parse(out) as { tokens: string[] }).tokens) : reject(new Error(`child exited ${code}: ${err}`))));
  });
}
