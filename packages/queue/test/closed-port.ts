import { createServer } from 'node:net';

/**
 * A local TCP port nothing listens on: taken from the system, then let go. For tests of what
 * happens when PostgreSQL or Redis cannot be reached, without stopping the real ones.
 */
export function closedPort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}
