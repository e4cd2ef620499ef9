import type { CloseCode } from '../close-codes.js';

/**
 * What each WebSocket close code tells a client to do, as the AsyncAPI document lists them. Keyed
 * by CloseCode's names, so a new close code does not compile until it is described here.
 */
export const CLOSE_CODE_DOCS: Record<keyof typeof CloseCode, string> = {
  Normal: 'The connection did its job; nothing is wrong.',
  GoingAway: 'The server is shutting down: reconnect (to another process).',
  PolicyViolation:
    'The socket went on sending frames over its budget after `rate_limited` errors: reconnect later, with backoff.',
  MessageTooBig: 'A frame was larger than 64 KiB.',
  InternalError: 'The server failed: reconnect later, with backoff.',
  TryAgainLater:
    "The socket did not read its events and its unsent backlog passed the server's bound: reconnect with `since` once the client can keep up.",
  Unauthorized:
    "No token, a bad token, or the token's `exp` passed (also while connected): get a new token, then reconnect.",
  Forbidden: 'The caller is not a participant of the room: do not retry.',
  NotFound: 'The room does not exist: do not retry.',
  TooManySockets: 'The user holds as many open sockets as the server allows: retry later, with backoff.',
};
