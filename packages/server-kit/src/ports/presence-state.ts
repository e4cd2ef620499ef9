/**
 * How long a user stays online after their last server process stops being heard from, when no
 * socket close said so (the process died). Contract, "Presence": `PRESENCE_TIMEOUT_MS`.
 */
export const DEFAULT_PRESENCE_TIMEOUT_MS = 30_000;

/** Called with users whose presence changed without a `connect` or `disconnect` answer saying so. */
export type PresenceListener = (users: string[]) => void;

/**
 * Who holds at least one open hirechat socket (room or inbox), on any server process. Contract,
 * "Presence": these are the `online_users` of a room, filtered to its participants.
 *
 * Every change of a user's presence is told once, by one process: by the `connect` that
 * answered true, the `disconnect` that answered true, or an `onExpire` / `onRestore` listener
 * call. (The Redis state tells some changes more than once around an outage; see its notes.)
 */
export interface PresenceState {
  /**
   * A socket of the user opened on this process. Resolves true when the user came online (held no
   * socket on any process before). Call it once per socket, and `disconnect` once for each call,
   * even one that rejected.
   */
  connect(user: string): Promise<boolean>;
  /**
   * A socket of the user closed on this process. Resolves true when the user went offline (holds
   * no socket on any process now). A user with no socket on this process resolves false.
   */
  disconnect(user: string): Promise<boolean>;
  /** Which of these users are online now, in the order given (duplicates kept). */
  online(users: readonly string[]): Promise<string[]>;
  /**
   * Registers a listener for users who went offline without a `disconnect` answering true:
   * chiefly because the process that held their sockets died (found by expiry).
   */
  onExpire(listener: PresenceListener): void;
  /**
   * Registers a listener for users who came online without a `connect` answering true: the users
   * of a process that was taken for dead, or that Redis forgot, once that process is heard from
   * again.
   */
  onRestore(listener: PresenceListener): void;
  close(): Promise<void>;
}
