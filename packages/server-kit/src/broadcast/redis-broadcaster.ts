import type { RoomEvent } from '@hirechat/protocol';
import type { Redis } from 'ioredis';
import type { Broadcaster, RoomEventListener } from '../ports/broadcaster.js';
import { requireReady } from '../redis/require-ready.js';

export interface RedisBroadcasterOptions {
  /** Publishes events and answers pings. Not closed by the broadcaster. */
  pub: Redis;
  /**
   * Subscribes to the rooms that have listeners in this process. It enters subscriber mode, so
   * give it to nothing that sends other commands. Keep ioredis' `autoResubscribe` on (the
   * default): after a reconnect, ioredis subscribes it to its channels again. Not closed by the
   * broadcaster.
   */
  sub: Redis;
  /** Each room's channel is `<prefix>:room:<room>`. Default: `'hirechat'`. */
  prefix?: string;
  /**
   * Called when a listener throws, so that one bad listener cannot keep an event from the rest of
   * the room. Default: console.error.
   */
  onListenerError?: (error: unknown, room: string, event: RoomEvent) => void;
  /** Called with a message on a room channel that is not JSON. Default: console.error. */
  onMalformedMessage?: (error: unknown, room: string) => void;
}

/** One subscription; an object rather than the listener so that subscribing twice means twice. */
interface Subscription {
  listener: RoomEventListener;
}

/** A room's listeners in this process, and the state of its Redis subscription. */
interface RoomChannel {
  listeners: Set<Subscription>;
  /** Whether Redis confirmed a SUBSCRIBE and no UNSUBSCRIBE since. */
  subscribed: boolean;
  /** The end of the room's chain of (UN)SUBSCRIBE steps; each step starts when the last ended. */
  tail: Promise<void>;
  /** Steps queued and not finished; the room is forgotten only when none is left. */
  pending: number;
}

/**
 * Carries room events between processes over Redis pub/sub, one channel per room.
 *
 * - A process subscribes only to the rooms it has listeners for: the first listener subscribes,
 *   the last one unsubscribes. The (UN)SUBSCRIBEs of one room run one after another, each doing
 *   what the room's listeners want when it starts, so that a quick leave-and-join cannot end
 *   unsubscribed. `subscribe` resolves once Redis has confirmed the SUBSCRIBE.
 * - Every event goes through Redis, the publisher's own listeners included: Redis orders the
 *   messages of a channel once for every subscriber, so all processes see a room's events in the
 *   same order, each exactly once. Publishes go out on one connection, in call order.
 * - Events are JSON, serialised once per publish.
 * - Commands are sent only over a ready connection: while Redis is unreachable, `publish`,
 *   `subscribe` and `ping` reject at once instead of waiting in ioredis' offline queue. ioredis
 *   reconnects and re-subscribes on its own, and delivery resumes without a restart.
 */
export class RedisBroadcaster implements Broadcaster {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly channelPrefix: string;
  private readonly onListenerError: (error: unknown, room: string, event: RoomEvent) => void;
  private readonly onMalformedMessage: (error: unknown, room: string) => void;
  private readonly rooms = new Map<string, RoomChannel>();
  private closed = false;

  constructor(options: RedisBroadcasterOptions) {
    if (!options?.pub || !options.sub) {
      throw new TypeError('RedisBroadcaster: `pub` and `sub` must be ioredis clients.');
    }
    if (options.pub === options.sub) {
      throw new TypeError(
        'RedisBroadcaster: `pub` and `sub` must be two clients (sub enters subscriber mode).',
      );
    }
    this.pub = options.pub;
    this.sub = options.sub;
    this.channelPrefix = `${options.prefix ?? 'hirechat'}:room:`;
    this.onListenerError =
      options.onListenerError ??
      ((error, room, event) =>
        console.error(`RedisBroadcaster: a listener of room ${room} threw on ${event.type}`, error));
    this.onMalformedMessage =
      options.onMalformedMessage ??
      ((error, room) => console.error(`RedisBroadcaster: a message of room ${room} is not JSON`, error));
    this.sub.on('message', this.onMessage);
    this.sub.on('ready', this.onReady);
  }

  async publish(room: string, event: RoomEvent): Promise<void> {
    this.assertOpen();
    requireReady(this.pub, 'RedisBroadcaster');
    await this.pub.publish(this.channelPrefix + room, JSON.stringify(event));
  }

  async subscribe(room: string, listener: RoomEventListener): Promise<() => Promise<void>> {
    this.assertOpen();
    const subscription: Subscription = { listener };
    const channel = this.channelOf(room);
    channel.listeners.add(subscription);
    try {
      await this.reconcile(room, channel);
      this.assertOpen();
    } catch (error) {
      channel.listeners.delete(subscription);
      // Undoes nothing Redis confirmed unless no listener is left; never throws.
      this.reconcile(room, channel).catch(() => undefined);
      throw error;
    }
    return async () => {
      // A second call, or one after close, finds nothing to remove.
      if (!channel.listeners.delete(subscription)) return;
      // The listener is off already; when Redis cannot be told now, the channel is dropped once
      // the connection is ready again (see onReady), and the rejection says so meanwhile.
      await this.reconcile(room, channel);
    };
  }

  async ping(): Promise<void> {
    requireReady(this.pub, 'RedisBroadcaster');
    requireReady(this.sub, 'RedisBroadcaster');
    await Promise.all([this.pub.ping(), this.sub.ping()]);
  }

  /** Unsubscribes this broadcaster's channels and stops listening; the clients stay open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sub.off('message', this.onMessage);
    this.sub.off('ready', this.onReady);
    const rooms = [...this.rooms];
    for (const [, channel] of rooms) channel.listeners.clear();
    // Best effort: with Redis away, ioredis re-subscribes these channels when it comes back,
    // and their messages find no listener here.
    await Promise.allSettled(rooms.map(([room, channel]) => this.reconcile(room, channel)));
    this.rooms.clear();
  }

  private channelOf(room: string): RoomChannel {
    let channel = this.rooms.get(room);
    if (!channel) {
      channel = { listeners: new Set(), subscribed: false, tail: Promise.resolve(), pending: 0 };
      this.rooms.set(room, channel);
    }
    return channel;
  }

  /**
   * Queues a step that brings the room's Redis subscription in line with its listeners, as they
   * are when the step starts. Steps of one room never overlap, so an UNSUBSCRIBE still in flight
   * cannot overtake the SUBSCRIBE of a listener that came after it.
   */
  private reconcile(room: string, channel: RoomChannel): Promise<void> {
    channel.pending++;
    const step = channel.tail.then(() => this.applyListeners(room, channel));
    const settled = step.then(
      () => this.finishStep(room, channel),
      () => this.finishStep(room, channel),
    );
    channel.tail = settled;
    return step;
  }

  private async applyListeners(room: string, channel: RoomChannel): Promise<void> {
    const wanted = channel.listeners.size > 0 && !this.closed;
    if (wanted === channel.subscribed) return;
    requireReady(this.sub, 'RedisBroadcaster');
    if (wanted) {
      await this.sub.subscribe(this.channelPrefix + room);
      channel.subscribed = true;
    } else {
      await this.sub.unsubscribe(this.channelPrefix + room);
      channel.subscribed = false;
    }
  }

  private finishStep(room: string, channel: RoomChannel): void {
    channel.pending--;
    const idle = channel.pending === 0 && channel.listeners.size === 0 && !channel.subscribed;
    // Empty rooms go, so that a long-running server does not keep every room it ever served.
    if (idle && this.rooms.get(room) === channel) this.rooms.delete(room);
  }

  private readonly onMessage = (channelName: string, message: string): void => {
    if (!channelName.startsWith(this.channelPrefix)) return;
    const room = channelName.slice(this.channelPrefix.length);
    const channel = this.rooms.get(room);
    if (!channel || channel.listeners.size === 0) return;
    let event: RoomEvent;
    try {
      // Only hirechat processes publish on these channels, and they publish RoomEvents.
      event = JSON.parse(message) as RoomEvent;
    } catch (error) {
      this.onMalformedMessage(error, room);
      return;
    }
    // A snapshot: a listener that subscribes or unsubscribes during delivery changes the next
    // event's audience, not this one's.
    for (const { listener } of [...channel.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error, room, event);
      }
    }
  };

  /**
   * After a reconnect ioredis re-subscribes the channels Redis had confirmed; a room whose last
   * listener left during the outage could not be unsubscribed then, so it is now.
   */
  private readonly onReady = (): void => {
    for (const [room, channel] of this.rooms) {
      if (channel.subscribed !== channel.listeners.size > 0) {
        this.reconcile(room, channel).catch(() => undefined);
      }
    }
  };

  private assertOpen(): void {
    if (this.closed) throw new Error('RedisBroadcaster: closed.');
  }
}
