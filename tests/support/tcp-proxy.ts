import net from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL that can fail like a network: `cut` resets every connection
 * and refuses new ones (a database that went down); `blackhole` accepts and keeps connections but
 * drops every byte (packets dropped, not refused); `restore` forwards again. Connections that were
 * blackholed are reset on restore: the bytes they lost leave their protocol state unusable.
 */
export interface TcpProxy {
  port: number;
  cut(): void;
  blackhole(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: 'pass' | 'cut' | 'blackhole' = 'pass';
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket | null; dropping: boolean }>();
  const reset = (s: net.Socket | null) => {
    if (s && !s.destroyed) s.resetAndDestroy();
  };
  const drop = (pair: { client: net.Socket; upstream: net.Socket | null; dropping: boolean }) => {
    pair.dropping = true;
    pair.client.unpipe();
    pair.upstream?.unpipe();
  };
  const server = net.createServer((client) => {
    client.on('error', () => {});
    if (mode === 'cut') return reset(client);
    const pair = { client, upstream: null as net.Socket | null, dropping: false };
    pairs.add(pair);
    client.on('close', () => {
      reset(pair.upstream);
      pairs.delete(pair);
    });
    // Bytes are only discarded while dropping; otherwise the pipes below carry them.
    client.on('data', () => {});
    if (mode === 'blackhole') {
      pair.dropping = true;
      return;
    }
    const upstream = net.connect(target);
    pair.upstream = upstream;
    upstream.on('error', () => reset(client));
    upstream.on('close', () => reset(client));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
  return {
    port: address.port,
    cut() {
      mode = 'cut';
      for (const pair of pairs) {
        reset(pair.client);
        reset(pair.upstream);
      }
    },
    blackhole() {
      mode = 'blackhole';
      for (const pair of pairs) drop(pair);
    },
    restore() {
      mode = 'pass';
      for (const pair of pairs) {
        if (!pair.dropping) continue;
        reset(pair.client);
        reset(pair.upstream);
      }
    },
    async close() {
      for (const pair of pairs) {
        reset(pair.client);
        reset(pair.upstream);
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
