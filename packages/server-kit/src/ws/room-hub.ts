import type { RoomEvent } from '@hirechat/protocol';
import type { WebSocket } from 'ws';
import type { Broadcaster } from '../ports/broadcaster.js';
import type { Logger } from '../ports/logger.js';

interface RoomEntry {
  sockets: Set<WebSocket>;
  /** Open sockets per user, so that a user's last goodbye can be told apart. */
  users: Map<string, number>;
  subscription: Promise<() => Promise<void>>;
}

/**
 * The sockets of this process, by room. It holds one broadcaster subscription per room that has
 * sockets here, and serialises each event once for all of the room's sockets.
 */
export class RoomHub {
  private readonly rooms = new Map<string, RoomEntry>();

  constructor(
    private readonly broadcaster: Broadcaster,
    private readonly logger: Logger,
  ) {}

  /** Adds the socket; resolves once the room's events are flowing to it. */
  async add(room: string, user: string, socket: WebSocket): Promise<void> {
    let entry = this.rooms.get(room);
    if (!entry) {
      const sockets = new Set<WebSocket>();
      entry = {
        sockets,
        users: new Map(),
        subscription: this.broadcaster.subscribe(room, (e) => this.fanOut(sockets, e)),
      };
      this.rooms.set(room, entry);
    }
    entry.sockets.add(socket);
    entry.users.set(user, (entry.users.get(user) ?? 0) + 1);
    try {
      await entry.subscription;
    } catch (error) {
      // The socket never joined; taking it out also drops the room's failed subscription once no
      // one waits on it, so that the next socket of the room subscribes afresh.
      this.remove(room, user, socket);
      throw error;
    }
  }

  /** Removes the socket; answers whether it was the user's last socket in the room. */
  remove(room: string, user: string, socket: WebSocket): boolean {
    const entry = this.rooms.get(room);
    if (!entry?.sockets.delete(socket)) return false;
    const left = (entry.users.get(user) ?? 1) - 1;
    if (left > 0) entry.users.set(user, left);
    else entry.users.delete(user);
    if (entry.sockets.size === 0) {
      this.rooms.delete(room);
      void entry.subscription
        .then((unsubscribe) => unsubscribe())
        .catch((err: unknown) => this.logger.warn({ err, room }, 'unsubscribe failed'));
    }
    return left === 0;
  }

  /** Every socket of this process. */
  *sockets(): Iterable<WebSocket> {
    for (const entry of this.rooms.values()) yield* entry.sockets;
  }

  private fanOut(sockets: Set<WebSocket>, event: RoomEvent): void {
    const frame = JSON.stringify(event);
    for (const socket of sockets) {
      if (socket.readyState === socket.OPEN) socket.send(frame);
    }
  }
}
