/** Who holds at least one open hirechat socket (room or inbox), on any server process. */
export interface PresenceState {
  /** A socket of the user opened on this process. Resolves true when the user came online (held no socket on any process before). */
  connect(user: string): Promise<boolean>;
  /** A socket of the user closed on this process. Resolves true when the user went offline (holds no socket on any process now). */
  disconnect(user: string): Promise<boolean>;
  /** Which of these users are online now, in the order given. */
  online(users: readonly string[]): Promise<string[]>;
  /** Registers a listener for users who went offline because the process holding their sockets died (found by expiry). Each such user is announced once, by one process. */
  onExpire(listener: (users: string[]) => void): void;
  close(): Promise<void>;
}
