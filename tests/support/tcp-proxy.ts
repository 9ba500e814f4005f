import { createServer, type Server, type Socket, connect } from 'node:net';

/**
 * A TCP relay in front of a real server (Redis, PostgreSQL) that a test can cut and restore, to
 * see a service lose its connection and recover without stopping the shared server itself. Not
 * a mock: every byte goes to and from the real server.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private readonly clientDataListeners = new Set<(chunk: Buffer) => void>();
  /** How connections are dropped while cut off, or false. */
  private cutOff: CutMode | false = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    // eslint-disable-next-line prefer-const -- assigned once the server exists; the handler reads it later
    let proxy!: TcpProxy;
    const server = createServer((client) => {
      if (proxy.cutOff) {
        dropSocket(client, proxy.cutOff);
        return;
      }
      const upstream = connect(targetPort, targetHost);
      proxy.sockets.add(client);
      proxy.sockets.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        proxy.sockets.delete(client);
        proxy.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
      // After the pipe's own listener: the chunk is on its way to the server when a listener runs.
      client.on('data', (chunk: Buffer) => {
        for (const listener of proxy.clientDataListeners) listener(chunk);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    proxy = new TcpProxy(server, address.port);
    return proxy;
  }

  /**
   * Drops every connection and refuses new ones: to the client the server is gone. `close` ends
   * each connection (FIN, as when a server process exits); `reset` aborts it (RST: the client
   * reads ECONNRESET, as when a proxy or the path dies under a connection in use).
   */
  cut(how: CutMode = 'close'): void {
    this.cutOff = how;
    for (const socket of this.sockets) dropSocket(socket, how);
    this.sockets.clear();
  }

  /**
   * Calls `listener` with each chunk a client sends, just after it was relayed to the server, so
   * that a test can cut at a point of the traffic (the 7th query sent) rather than at a time.
   * Returns a function that removes the listener.
   */
  onClientData(listener: (chunk: Buffer) => void): () => void {
    this.clientDataListeners.add(listener);
    return () => this.clientDataListeners.delete(listener);
  }

  restore(): void {
    this.cutOff = false;
  }

  get openConnections(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export type CutMode = 'close' | 'reset';

const dropSocket = (socket: Socket, how: CutMode) => (how === 'reset' ? socket.resetAndDestroy() : socket.destroy());

/** `url` with its host and port replaced by the proxy's. */
export function viaProxy(url: string, proxy: TcpProxy): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(proxy.port);
  return parsed.toString();
}
