/** Called when typists leave a room's typing set by expiry, with the set that remains. */
export type TypingExpiryListener = (room: string, typingUsers: string[]) => void;

/**
 * Who is typing in each room. A typist stays in the set until they stop, or until the timeout
 * passes without a renewed `typing: true`.
 */
export interface TypingState {
  /**
   * Puts the user in the room's typing set (renewing their timeout) or takes them out. Answers
   * the room's new set when membership changed, or null when it did not.
   */
  set(room: string, user: string, typing: boolean): Promise<string[] | null>;
  /** The room's typing set now. */
  get(room: string): Promise<string[]>;
  /** Registers the listener for typists removed by expiry. */
  onExpire(listener: TypingExpiryListener): void;
  close(): Promise<void>;
}
