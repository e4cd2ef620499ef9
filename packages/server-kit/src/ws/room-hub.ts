import { isLoggedRoomEvent, type RoomEvent } from '@hirechat/protocol';
import type { WebSocket } from 'ws';
import type { Broadcaster } from '../ports/broadcaster.js';
import type { Logger } from '../ports/logger.js';
import type { SocketFeed } from './socket-feed.js';

/** Who hears a room's events here, and how far they have come. */
interface Audience {
  /** Each socket with the feed that orders what it is sent. */
  sockets: Map<WebSocket, SocketFeed>;
  /** The highest seq of the room's events heard here, 0 before the first. */
  heardSeq: number;
}

interface RoomEntry extends Audience {
  /** Open sockets per user, so that a user's last goodbye can be told apart. */
  users: Map<string, number>;
  /** Sockets admitted but not joined yet: the subscription must outlive their handshake. */
  reserved: number;
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

  /**
   * Makes the room's events flow to this process before a socket joins, so that nothing published
   * after the client sees the socket open can miss it. Each reserve is followed by one `join` or
   * one `release`.
   */
  async reserve(room: string): Promise<void> {
    let entry = this.rooms.get(room);
    if (!entry) {
      const audience: Audience = { sockets: new Map(), heardSeq: 0 };
      const subscription = this.broadcaster.subscribe(room, (event) => this.fanOut(audience, event));
      entry = Object.assign(audience, { users: new Map<string, number>(), reserved: 0, subscription });
      this.rooms.set(room, entry);
    }
    entry.reserved++;
    try {
      await entry.subscription;
    } catch (error) {
      // Dropping the failed entry lets the room's next socket subscribe afresh.
      this.release(room);
      throw error;
    }
  }

  /** Adds a socket whose room was reserved; the room's events reach it through its feed. */
  join(room: string, user: string, socket: WebSocket, feed: SocketFeed): void {
    const entry = this.rooms.get(room);
    if (!entry) throw new Error(`room ${room} was not reserved`);
    entry.reserved--;
    entry.sockets.set(socket, feed);
    entry.users.set(user, (entry.users.get(user) ?? 0) + 1);
  }

  /** Gives back a reservation whose socket never joined. */
  release(room: string): void {
    const entry = this.rooms.get(room);
    if (!entry) return;
    entry.reserved--;
    this.dropIfIdle(room, entry);
  }

  /** Removes the socket; answers whether it was the user's last socket in the room. */
  leave(room: string, user: string, socket: WebSocket): boolean {
    const entry = this.rooms.get(room);
    if (!entry?.sockets.delete(socket)) return false;
    const left = (entry.users.get(user) ?? 1) - 1;
    if (left > 0) entry.users.set(user, left);
    else entry.users.delete(user);
    this.dropIfIdle(room, entry);
    return left === 0;
  }

  /**
   * Whether the room's events since the seq may have passed a socket admitted at that seq before it
   * joined: only then need it read them from the log.
   */
  heardAfter(room: string, seq: number): boolean {
    return (this.rooms.get(room)?.heardSeq ?? 0) > seq;
  }

  /** Every socket of this process. */
  *sockets(): Iterable<WebSocket> {
    for (const entry of this.rooms.values()) yield* entry.sockets.keys();
  }

  private dropIfIdle(room: string, entry: RoomEntry): void {
    if (entry.sockets.size > 0 || entry.reserved > 0 || this.rooms.get(room) !== entry) return;
    this.rooms.delete(room);
    entry.subscription.then(
      (unsubscribe) =>
        unsubscribe().catch((err: unknown) => this.logger.warn({ err, room }, 'unsubscribe failed')),
      // A subscription that never started has nothing to undo; its failure was reported already.
      () => undefined,
    );
  }

  private fanOut(audience: Audience, event: RoomEvent): void {
    if (isLoggedRoomEvent(event) && event.seq > audience.heardSeq) audience.heardSeq = event.seq;
    // Encoded once here, so that no socket's send encodes the text again.
    const frame = Buffer.from(JSON.stringify(event));
    for (const feed of audience.sockets.values()) feed.push(event, frame);
  }
}
