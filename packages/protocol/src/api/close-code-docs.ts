import type { CloseCode } from '../close-codes.js';

/**
 * What each WebSocket close code tells a client to do, as the AsyncAPI document lists them. Keyed
 * by CloseCode's names, so a new close code does not compile until it is described here.
 */
export const CLOSE_CODE_DOCS: Record<keyof typeof CloseCode, string> = {
  Normal: 'The connection did its job; nothing is wrong.',
  GoingAway: 'The server is shutting down: reconnect (to another process).',
  MessageTooBig: 'A frame was larger than 64 KiB.',
  InternalError: 'The server failed: reconnect later, with backoff.',
  Unauthorized:
    "No token, a bad token, or the token's `exp` passed (also while connected): get a new token, then reconnect.",
  Forbidden: 'The caller is not a participant of the room: do not retry.',
  NotFound: 'The room does not exist: do not retry.',
};
