import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy on a spare port of 127.0.0.1 in front of a service that other tests share (the
 * machine's PostgreSQL), so that a test can take the service away from the process under test
 * alone, as an outage would, and give it back.
 */
export interface TcpProxy {
  port: number;
  /**
   * The service goes away: the proxy stops listening (new connections are refused) and resets the
   * ones it carries, as a stopped or crashed server does.
   */
  cut(): Promise<void>;
  /** The service is back: the proxy listens again on the same port. */
  restore(): Promise<void>;
  /** Cuts, for good. */
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const carried = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection(target);
    for (const socket of [client, upstream]) {
      carried.add(socket);
      socket.on('close', () => carried.delete(socket));
      // A reset on one side resets the other; nothing to report.
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const { port } = address;

  const cut = async () => {
    if (!server.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of carried) socket.resetAndDestroy();
    await closed;
  };
  return {
    port,
    cut,
    async restore() {
      if (server.listening) return;
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
    },
    close: cut,
  };
}
