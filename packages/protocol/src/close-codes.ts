/**
 * WebSocket close codes. The 44xx codes mirror HTTP statuses so that a browser client, which cannot
 * read the HTTP status of a refused handshake, can still tell the refusals apart.
 */
export const CloseCode = {
  /** The connection did its job; nothing is wrong. */
  Normal: 1000,
  /** The server is shutting down; reconnect to another process. */
  GoingAway: 1001,
  /** A frame was larger than MAX_FRAME_BYTES. */
  MessageTooBig: 1009,
  /** The server failed; reconnect later. */
  InternalError: 1011,
  /** No token, a bad token, or a token whose `exp` has passed: get a new token, then reconnect. */
  Unauthorized: 4401,
  /** The caller is not a participant of the room: do not retry. */
  Forbidden: 4403,
  /** The room does not exist: do not retry. */
  NotFound: 4404,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
