import { connect, type Socket } from 'node:net';

/*
 * HTTP by hand over a raw TCP socket, for what fetch cannot do: send headers or a body slowly, a
 * byte at a time, or a chunked body of a chosen size, and see exactly when the server answers and
 * when it closes the connection.
 */

/** What came back on one connection. */
export interface RawExchange {
  /** Everything the server sent, as text. */
  text: string;
  /** The status line's code, or null when nothing came. */
  status: number | null;
  /** The JSON body of the (first) answer, or null when there is none. */
  json: unknown;
  /** Milliseconds from connecting until the server closed the connection. */
  closedAfterMs: number;
}

export interface RawOptions {
  /** Sent at once on connecting. */
  head: string | Buffer;
  /** Then this is sent one byte every `trickleMs`, repeating, until the server closes. */
  trickle?: string;
  trickleMs?: number;
  /** Gives up (and fails) when the server has not closed after this long. Default 15 s. */
  giveUpMs?: number;
}

/** Connects, sends, and resolves once the server has closed the connection. */
export function rawExchange(port: number, options: RawOptions): Promise<RawExchange> {
  const { head, trickle, trickleMs = 200, giveUpMs = 15_000 } = options;
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket: Socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    let sent = 0;
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server still held the connection after ${giveUpMs} ms; it sent: ${text()}`));
    }, giveUpMs);
    const text = () => Buffer.concat(chunks).toString('utf8');
    socket.on('connect', () => {
      socket.write(head);
      if (trickle) {
        timer = setInterval(() => {
          if (!socket.writable) return;
          socket.write(trickle[sent % trickle.length]!);
          sent++;
        }, trickleMs);
      }
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    // A server that closes while we write may reset the connection: that is a close too.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      const all = text();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(all);
      const body = all.split('\r\n\r\n')[1];
      let json: unknown = null;
      try {
        json = body ? JSON.parse(body) : null;
      } catch {
        json = body;
      }
      resolve({
        text: all,
        status: status ? Number(status[1]) : null,
        json,
        closedAfterMs: Date.now() - started,
      });
    });
  });
}

/** The port of a server URL such as `http://127.0.0.1:1234`. */
export const portOf = (url: string): number => Number(new URL(url).port);

/** A request head: the request line, the headers given, and the blank line that ends them. */
export function requestHead(method: string, path: string, headers: Record<string, string | number>): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** A whole body in chunked transfer encoding, in chunks of `size` bytes. */
export function chunked(body: Buffer, size = 16 * 1024): Buffer {
  const parts: Buffer[] = [];
  for (let offset = 0; offset < body.length; offset += size) {
    const chunk = body.subarray(offset, offset + size);
    parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}
