import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';

/**
 * A real TCP proxy between a client and a server, for tests that drop connections: `cut()` kills
 * every connection through it and refuses new ones (accepted, then dropped at once) until `heal()`;
 * `freeze()` silently stops carrying the bytes of the connections open now, without closing them
 * (a NAT that forgot them), while new connections go through; `retarget()` sends new connections
 * to another server (the same address, its database restored from a backup, say).
 * It also reads the WebSocket frames that clients send through it, to count what a client sent.
 */
export interface TcpProxy {
  /** `http://127.0.0.1:<port>`: a base URL for a ChatClient. */
  url: string;
  /** Connections forwarded to the server so far. */
  readonly forwarded: number;
  /** Connections refused while cut. */
  readonly refused: number;
  /** The text frames clients sent to the server, decoded, in order. */
  readonly clientFrames: string[];
  cut(): void;
  heal(): void;
  freeze(): void;
  /** New connections go to this server (`http://host:port`) from now on. */
  retarget(target: string): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  let { hostname, port } = new URL(target);
  const open = new Set<Socket>();
  /** Connections whose bytes are dropped from now on. */
  const frozen = new WeakSet<Socket>();
  const clientFrames: string[] = [];
  let cut = false;
  let forwarded = 0;
  let refused = 0;

  const server: Server = createServer((client) => {
    if (cut) {
      refused++;
      client.destroy();
      return;
    }
    forwarded++;
    const upstream = netConnect(Number(port), hostname);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('error', drop);
      socket.on('close', drop);
    }
    const tap = frameTap((text) => clientFrames.push(text));
    client.on('data', (chunk: Buffer) => {
      if (frozen.has(client)) return;
      tap(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!frozen.has(client)) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');

  return {
    url: `http://127.0.0.1:${address.port}`,
    get forwarded() {
      return forwarded;
    },
    get refused() {
      return refused;
    },
    clientFrames,
    cut() {
      cut = true;
      for (const socket of open) socket.destroy();
      open.clear();
    },
    heal() {
      cut = false;
    },
    freeze() {
      for (const socket of open) frozen.add(socket);
    },
    retarget(next) {
      ({ hostname, port } = new URL(next));
    },
    async close() {
      cut = true;
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Reads one client connection's bytes: skips the HTTP upgrade request, then decodes each masked
 * WebSocket frame, and hands over the text ones (ours are small and never fragmented).
 */
function frameTap(onText: (text: string) => void): (chunk: Buffer) => void {
  let buffer = Buffer.alloc(0);
  let upgraded = false;
  return (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        buffer = buffer.subarray(end + 4);
        upgraded = true;
        continue;
      }
      if (buffer.length < 2) return;
      const opcode = buffer[0]! & 0x0f;
      const masked = (buffer[1]! & 0x80) !== 0;
      let length = buffer[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) return;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return;
        length = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      const maskLength = masked ? 4 : 0;
      if (buffer.length < offset + maskLength + length) return;
      const mask = buffer.subarray(offset, offset + maskLength);
      const payload = Buffer.from(buffer.subarray(offset + maskLength, offset + maskLength + length));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
      if (opcode === 1) onText(payload.toString('utf8'));
      buffer = buffer.subarray(offset + maskLength + length);
    }
  };
}
