/**
 * `connecting` until the first connection is open and caught up, `open` while it is,
 * `reconnecting` between a drop and the next `open`, `closed` for good (after `close()`, or a
 * refusal that retrying cannot cure).
 */
export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** A socket of the connection closed (it reconnects unless the status is `closed`). */
export interface CloseInfo {
  /** The close code: the server's (4401, 4403, 1001...), or 1006 when the client gave the socket up. */
  code: number;
  reason: string;
}
