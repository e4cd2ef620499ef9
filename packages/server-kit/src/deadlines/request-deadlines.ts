import { checkWholeNumberOption, MAX_TIMER_MS } from '../options/whole-number-option.js';

/**
 * How long each phase of a request may take (contract, "Limits": every phase of a request has a
 * deadline), in milliseconds. A client that takes longer is answered, where it can still read an
 * answer, and its connection is closed, so that slow or stalled clients cannot hold connections.
 */
export interface RequestDeadlines {
  /**
   * From a request's first byte to the end of its headers (HTTP requests and WebSocket upgrades
   * alike). Past it: 408 `{"detail": ..., "code": "request_timeout"}`, and the connection closes.
   */
  headersMs: number;
  /**
   * From the end of the headers to the end of the body, on the routes that read one. Past it:
   * 408 `request_timeout`, and the connection closes.
   */
  bodyMs: number;
  /** How long a kept-alive connection may wait, idle, for its next request before it is closed. */
  keepAliveMs: number;
  /**
   * From the end of a WebSocket upgrade's headers until the socket is admitted (token, membership,
   * the room's events subscribed). Past it the socket is opened and closed at once with 1011, as
   * when the database is down, so that the client retries later.
   */
  handshakeMs: number;
}

/**
 * Generous for real clients, short for a connection that holds resources while sending nothing:
 * behind a proxy such as nginx (which buffers bodies), bodies arrive at once anyway.
 */
export const DEFAULT_REQUEST_DEADLINES: Readonly<RequestDeadlines> = {
  headersMs: 10_000,
  bodyMs: 10_000,
  keepAliveMs: 5_000,
  handshakeMs: 10_000,
};

/**
 * The deadlines with defaults filled in.
 *
 * @throws Error naming a deadline that is not a whole number of milliseconds from 1 to MAX_TIMER_MS.
 */
export function resolveRequestDeadlines(given: Partial<RequestDeadlines> = {}): RequestDeadlines {
  const resolved = { ...DEFAULT_REQUEST_DEADLINES };
  for (const name of Object.keys(DEFAULT_REQUEST_DEADLINES) as (keyof RequestDeadlines)[]) {
    const value = given[name];
    if (value === undefined) continue;
    checkWholeNumberOption(`deadlines.${name}`, value, MAX_TIMER_MS);
    resolved[name] = value;
  }
  return resolved;
}
