import type { RoomEvent } from '@hirechat/protocol';
import type { Broadcaster, RoomEventListener } from '../ports/broadcaster.js';

export interface InProcessBroadcasterOptions {
  /**
   * Called when a listener throws, so that one bad listener cannot keep an event from the rest of
   * the room. Default: console.error.
   */
  onListenerError?: (error: unknown, room: string, event: RoomEvent) => void;
}

/** One subscription; an object rather than the listener so that subscribing twice means twice. */
interface Subscription {
  listener: RoomEventListener;
}

/**
 * Delivers room events to listeners in this process, synchronously and in publish order. Right for
 * a single server; several servers behind one proxy need a shared broadcaster (Redis).
 */
export class InProcessBroadcaster implements Broadcaster {
  private readonly rooms = new Map<string, Set<Subscription>>();
  private readonly onListenerError: (error: unknown, room: string, event: RoomEvent) => void;

  constructor(options: InProcessBroadcasterOptions = {}) {
    this.onListenerError =
      options.onListenerError ??
      ((error, room, event) =>
        console.error(`InProcessBroadcaster: a listener of room ${room} threw on ${event.type}`, error));
  }

  async publish(room: string, event: RoomEvent): Promise<void> {
    const subscriptions = this.rooms.get(room);
    if (!subscriptions) return;
    // A snapshot: a listener that subscribes or unsubscribes during delivery changes the next
    // event's audience, not this one's.
    for (const { listener } of [...subscriptions]) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error, room, event);
      }
    }
  }

  async subscribe(room: string, listener: RoomEventListener): Promise<() => Promise<void>> {
    const subscription: Subscription = { listener };
    let subscriptions = this.rooms.get(room);
    if (!subscriptions) {
      subscriptions = new Set();
      this.rooms.set(room, subscriptions);
    }
    subscriptions.add(subscription);
    return async () => {
      const current = this.rooms.get(room);
      if (!current?.delete(subscription)) return;
      // Empty rooms go, so that a long-running server does not keep every room it ever served.
      if (current.size === 0) this.rooms.delete(room);
    };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.rooms.clear();
  }
}
