import type { PresenceState } from '../ports/presence-state.js';

/** Placeholder until the presence helper's implementation lands. */
export class InProcessPresenceState implements PresenceState {
  private readonly sockets = new Map<string, number>();

  async connect(user: string): Promise<boolean> {
    const count = (this.sockets.get(user) ?? 0) + 1;
    this.sockets.set(user, count);
    return count === 1;
  }

  async disconnect(user: string): Promise<boolean> {
    const count = (this.sockets.get(user) ?? 0) - 1;
    if (count > 0) this.sockets.set(user, count);
    else this.sockets.delete(user);
    return count === 0;
  }

  async online(users: readonly string[]): Promise<string[]> {
    return users.filter((user) => this.sockets.has(user));
  }

  onExpire(): void {}

  async close(): Promise<void> {
    this.sockets.clear();
  }
}
