import {
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { Socket } from 'node:net';
import type { DetailErrorBody } from '@hirechat/protocol';
import { ERROR_STATUS } from '../hapi/error-status.js';

const TIMEOUT: DetailErrorBody = { detail: 'The request did not arrive in time.', code: 'request_timeout' };

/** Node's parser refuses a request line plus headers past `--max-http-header-size` (16 KB). */
const HEADERS_TOO_LARGE: DetailErrorBody = {
  detail: 'The URL or the headers are too large.',
  code: 'headers_too_large',
};

const MALFORMED: DetailErrorBody = { detail: 'Malformed request.', code: 'invalid_input' };

/**
 * The answer to a client error, or null for one left to Hapi: a request timeout (Node's
 * `headersTimeout`, see `applyListenerDeadlines`), or one of llhttp's parse errors (`HPE_*`).
 */
function answerOf(error: NodeJS.ErrnoException): DetailErrorBody | null {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return TIMEOUT;
  if (error.code === 'HPE_HEADER_OVERFLOW') return HEADERS_TOO_LARGE;
  if (error.code?.startsWith('HPE_')) return MALFORMED;
  return null;
}

/**
 * The whole HTTP/1.1 answer, written to the socket as Node writes its own client-error answers;
 * its status is the code's, from the one table of them (ERROR_STATUS).
 */
function rawResponse(body: DetailErrorBody): string {
  const status = ERROR_STATUS[body.code];
  const json = JSON.stringify(body);
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(json)}`,
    'Connection: close',
    '',
    json,
  ].join('\r\n');
}

/**
 * Answers the errors Node raises on a connection before any request reaches Hapi in the
 * contract's JSON (README, "Errors": every error is JSON), rather than with Hapi's and Node's
 * bare `400` without a body: a late request head is 408 `request_timeout`, a URL or headers past
 * Node's size limit 431 `headers_too_large`, any other request Node cannot parse 400
 * `invalid_input`. The connection is closed after the answer, as Node closes it.
 */
export function answerClientErrors(listener: HttpServer): void {
  // Sockets with a request in hand: an error there is the request's, which Hapi answers itself.
  const busy = new WeakSet<Socket>();
  listener.on('request', (request: IncomingMessage, response: ServerResponse) => {
    busy.add(request.socket);
    response.once('close', () => busy.delete(request.socket));
  });
  // First in line, so that Hapi's handler, which answers anything on a readable socket, finds it
  // closed.
  listener.prependListener('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const answer = answerOf(error);
    if (!answer || busy.has(socket) || !socket.writable) return;
    // As Node answers a client error itself: write, then destroy.
    socket.write(rawResponse(answer));
    socket.destroy();
  });
}
