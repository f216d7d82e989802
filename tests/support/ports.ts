import { createServer, type AddressInfo } from 'node:net';

/** Asks the OS for a port nobody listens on (PUBLIC_URL must name the real port, so it is picked before start-up). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
