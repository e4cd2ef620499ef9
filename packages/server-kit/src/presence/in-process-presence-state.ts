import type { PresenceListener, PresenceState } from '../ports/presence-state.js';

/**
 * Presence of one process: a count of open sockets per user. Nothing expires, since sockets of a
 * process cannot outlive it, so the listeners are never called. Right for a single server;
 * several servers need a shared state (Redis) to see each other's users.
 */
export class InProcessPresenceState implements PresenceState {
  /** Open sockets per online user; a user with none is not in the map. */
  private readonly sockets = new Map<string, number>();

  async connect(user: string): Promise<boolean> {
    const held = this.sockets.get(user) ?? 0;
    this.sockets.set(user, held + 1);
    return held === 0;
  }

  async disconnect(user: string): Promise<boolean> {
    const held = this.sockets.get(user);
    if (held === undefined) return false;
    if (held > 1) {
      this.sockets.set(user, held - 1);
      return false;
    }
    this.sockets.delete(user);
    return true;
  }

  async online(users: readonly string[]): Promise<string[]> {
    return users.filter((user) => this.sockets.has(user));
  }

  /** Accepted for the port's sake; never called, since nothing here expires. */
  onExpire(_listener: PresenceListener): void {}

  /** Accepted for the port's sake; never called, since nothing here is forgotten. */
  onRestore(_listener: PresenceListener): void {}

  /** Forgets everyone. */
  async close(): Promise<void> {
    this.sockets.clear();
  }
}
