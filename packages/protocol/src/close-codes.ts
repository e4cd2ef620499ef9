/**
 * WebSocket close codes. The 44xx codes mirror HTTP statuses so that a browser client, which cannot
 * read the HTTP status of a refused handshake, can still tell the refusals apart.
 */
export const CloseCode = {
  /** The connection did its job; nothing is wrong. */
  Normal: 1000,
  /** The server is shutting down; reconnect to another process. */
  GoingAway: 1001,
  /** The socket kept on sending frames over its budget after being told (`rate_limited`). */
  PolicyViolation: 1008,
  /** A frame was larger than MAX_FRAME_BYTES. */
  MessageTooBig: 1009,
  /** The server failed; reconnect later. */
  InternalError: 1011,
  /**
   * The socket did not read its events: its unsent backlog passed the server's bound. Reconnect
   * (with `since`, to get what was not delivered) once the client can keep up.
   */
  TryAgainLater: 1013,
  /** No token, a bad token, or a token whose `exp` has passed: get a new token, then reconnect. */
  Unauthorized: 4401,
  /** The caller is not a participant of the room: do not retry. */
  Forbidden: 4403,
  /** The room does not exist: do not retry. */
  NotFound: 4404,
  /** The user holds as many open sockets as the server allows: retry later, with backoff. */
  TooManySockets: 4429,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
