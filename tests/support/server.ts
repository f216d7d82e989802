import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { loadConfig } from '../../src/config/index.ts';
import { startRunframe, type Runframe } from '../../src/server.ts';
import { freePort } from './ports.ts';
import { Writable } from 'node:stream';
import { createLog } from '../../src/platform/log.ts';
import { openMemoryPglite } from './database.ts';

export interface TestServer {
  /** Base URL the browser uses, e.g. http://127.0.0.1:41234 (also the server's PUBLIC_URL). */
  url: string;
  runframe: Runframe;
  /** The server's log, one JSON line each. */
  logLines: string[];
  stop(): Promise<void>;
}


/**
 * A real Runframe over real HTTP on 127.0.0.1, with a temporary DATA_DIR of its own, on an in-memory
 * PGlite holding the migrated template when scripts/test.mjs made one (cold initialisation costs
 * seconds, and opening a data directory ~2 s of CPU), or on the PostgreSQL that `env` names.
 */
export async function startTestServer(opts: { env?: Record<string, string> } = {}): Promise<TestServer> {
  // Everything the server logs, at the most talkative level, redaction included: tests scan it for secrets.
  const logLines: string[] = [];
  const log = createLog('trace', new Writable({ write: (chunk, _enc, done) => (logLines.push(...String(chunk).split('\n').filter((l) => l !== '')), done()) }));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'rf-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({ DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: url, LOG_LEVEL: 'silent', PASSWORD_HASH_COST: '14', ...opts.env });
  let runframe: Runframe;
  try {
    runframe = await startRunframe(config, { log, ...(config.databaseUrl === undefined ? { database: await openMemoryPglite() } : {}) });
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: runframe.app.fetch, port, hostname: '127.0.0.1' }, () => resolve(s as Server)) as Server;
    s.once('error', reject);
  });

  await runframe.afterListen();
  let stopped = false;
  return {
    url,
    runframe,
    logLines,
    async stop() {
      if (stopped) return;
      stopped = true;
      // Browsers keep idle keep-alive connections open; close() alone would wait for them.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await runframe.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
