import { serve } from '@hono/node-server';
import { ConfigError, loadConfig } from './config/index.ts';
import { startRunframe } from './server.ts';

/** Composition root: load config -> open db -> migrate -> build app -> start worker -> listen. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every setting.\n`);
      process.exit(1);
    }
    throw err;
  }
  const runframe = await startRunframe(config);
  const server = serve({ fetch: runframe.app.fetch, port: config.port, hostname: config.host }, () => {
    void runframe.afterListen().then(() => runframe.log.info({ url: config.publicUrl, engine: runframe.engine }, `Runframe is ready at ${config.publicUrl}`));
  });
  const shutdown = async (signal: string) => {
    runframe.log.info({ signal }, 'shutting down');
    server.close();
    await runframe.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`Runframe could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
