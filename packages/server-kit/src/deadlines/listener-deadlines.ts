import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { DetailErrorBody } from '@hirechat/protocol';
import type { RequestDeadlines } from './request-deadlines.js';

/**
 * How often Node looks for connections past their header deadline. Its default, 30 s, would let a
 * deadline run up to that much late.
 */
const CHECK_INTERVAL_MS = 1_000;

const TIMEOUT_BODY = JSON.stringify({
  detail: 'The request did not arrive in time.',
  code: 'request_timeout',
} satisfies DetailErrorBody);

const TIMEOUT_RESPONSE = [
  'HTTP/1.1 408 Request Timeout',
  'Content-Type: application/json; charset=utf-8',
  `Content-Length: ${Buffer.byteLength(TIMEOUT_BODY)}`,
  'Connection: close',
  '',
  TIMEOUT_BODY,
].join('\r\n');

/**
 * Gives the listener's connections the header and keep-alive deadlines, through Node's own
 * `headersTimeout` and `keepAliveTimeout`. Call before the listener starts listening: Node reads
 * how often to check the deadlines when it does.
 *
 * A request whose headers are late is answered 408 in the contract's JSON rather than with Hapi's
 * bare 400 (Hapi answers every client error of a connection so), then its connection is closed.
 */
export function applyListenerDeadlines(listener: HttpServer, deadlines: RequestDeadlines): void {
  listener.headersTimeout = deadlines.headersMs;
  listener.keepAliveTimeout = deadlines.keepAliveMs;
  // Node wants the whole request's deadline no shorter than the headers'.
  if (listener.requestTimeout > 0 && listener.requestTimeout < deadlines.headersMs) {
    listener.requestTimeout = deadlines.headersMs;
  }
  const checking = listener as HttpServer & { connectionsCheckingInterval: number };
  checking.connectionsCheckingInterval = Math.min(checking.connectionsCheckingInterval, CHECK_INTERVAL_MS);

  // Sockets with a request in hand: a timeout there is the request's, which Hapi answers itself.
  const busy = new WeakSet<Socket>();
  listener.on('request', (request: IncomingMessage, response: ServerResponse) => {
    busy.add(request.socket);
    response.once('close', () => busy.delete(request.socket));
  });
  // First in line, so that Hapi's handler, which answers anything on a readable socket, finds it
  // closed.
  listener.prependListener('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code !== 'ERR_HTTP_REQUEST_TIMEOUT' || busy.has(socket) || !socket.writable) return;
    // As Node answers a client error itself: write, then destroy.
    socket.write(TIMEOUT_RESPONSE);
    socket.destroy();
  });
}
