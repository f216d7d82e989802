import { serve } from '@hono/node-server';
import { createGoogleSandbox } from './index.ts';
import { appFromConfig, readStandaloneConfig } from './standalone-config.ts';

async function main(): Promise<void> {
  const config = readStandaloneConfig(process.argv.slice(2), process.env);
  let handler: ((req: Request, env: unknown) => Response | Promise<Response>) | null = null;
  const server = serve({
    fetch: (req, env) => (handler ? handler(req, env) : new Response('starting', { status: 503 })),
    port: config.port,
    hostname: config.host,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const port = address && typeof address === 'object' ? address.port : config.port;
  const publicUrl = config.publicUrl ?? `http://localhost:${port}`;
  const sandbox = createGoogleSandbox({
    basePath: '',
    publicUrl,
    ...(config.stateFile ? { stateFile: config.stateFile } : {}),
    log: (msg, data) => console.log(msg, data ? JSON.stringify(data) : ''),
  });
  handler = (req, env) => sandbox.app.fetch(req, env);

  const shutdown = (signal: string): void => {
    console.log(`google-sandbox: ${signal} received, closing`);
    void sandbox.close().finally(() => {
      server.close(() => process.exit(0));
      if ('closeAllConnections' in server) server.closeAllConnections();
    });
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));

  const app = appFromConfig(config);
  if (app) {
    sandbox.registerApp(app);
    console.log(`google-sandbox: registered app ${app.name} (client id ${app.clientId})`);
  }
  console.log(`Google sandbox (not Google) listening at ${publicUrl}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
