import type { ErrorCode } from '@hirechat/protocol';

/**
 * Why the `opened` of a RoomConnection or a LiveInbox rejected: it stopped for good before it was
 * ever open.
 */
export class RoomConnectionError extends Error {
  override readonly name = 'RoomConnectionError';

  constructor(
    /** The refusal (`forbidden`, `not_found`, `not_authenticated`), or `closed` by `close()`. */
    readonly code: ErrorCode | 'closed',
    message: string,
  ) {
    super(message);
  }
}
