import type { Redis } from 'ioredis';
import type { BroadcastEvent, Broadcaster, Publication, Topic, TopicListener } from '../ports/broadcaster.js';
import { requireReady } from '../redis/require-ready.js';

export interface RedisBroadcasterOptions {
  /** Publishes events and answers pings. Not closed by the broadcaster. */
  pub: Redis;
  /**
   * Subscribes to the topics that have listeners in this process. It enters subscriber mode, so
   * give it to nothing that sends other commands. Keep ioredis' `autoResubscribe` on (the
   * default): after a reconnect, ioredis subscribes it to its channels again. Not closed by the
   * broadcaster.
   */
  sub: Redis;
  /**
   * Each topic's channel is `<prefix>:<topic>`: `hirechat:room:<room>` and `hirechat:user:<user>`
   * by default. Default: `'hirechat'`.
   */
  prefix?: string;
  /**
   * Called when a listener throws, so that one bad listener cannot keep an event from the rest of
   * the topic's. Default: console.error.
   */
  onListenerError?: (error: unknown, topic: string, event: BroadcastEvent) => void;
  /** Called with a message on a topic's channel that is not JSON. Default: console.error. */
  onMalformedMessage?: (error: unknown, topic: string) => void;
}

/** One subscription; an object rather than the listener so that subscribing twice means twice. */
interface Subscription {
  listener: TopicListener;
}

/** A topic's listeners in this process, and the state of its Redis subscription. */
interface TopicChannel {
  listeners: Set<Subscription>;
  /** Whether Redis confirmed a SUBSCRIBE and no UNSUBSCRIBE since. */
  subscribed: boolean;
  /** The end of the topic's chain of (UN)SUBSCRIBE steps; each step starts when the last ended. */
  tail: Promise<void>;
  /** Steps queued and not finished; the topic is forgotten only when none is left. */
  pending: number;
}

/**
 * Carries events between processes over Redis pub/sub, one channel per topic (a room, or a user's
 * inbox).
 *
 * - A process subscribes only to the topics it has listeners for: the first listener subscribes,
 *   the last one unsubscribes. The (UN)SUBSCRIBEs of one topic run one after another, each doing
 *   what the topic's listeners want when it starts, so that a quick leave-and-join cannot end
 *   unsubscribed. `subscribe` resolves once Redis has confirmed the SUBSCRIBE.
 * - Every event goes through Redis, the publisher's own listeners included: Redis orders the
 *   messages of a channel once for every subscriber, so all processes see a topic's events in the
 *   same order, each exactly once. Publishes go out on one connection, in call order; those of
 *   a `publishAll` in one write (one round trip), between the calls before and after.
 * - Events are JSON, serialised once per publish.
 * - Commands are sent only over a ready connection: while Redis is unreachable, `publish`,
 *   `subscribe` and `ping` reject at once instead of waiting in ioredis' offline queue. ioredis
 *   reconnects and re-subscribes on its own, and delivery resumes without a restart.
 */
export class RedisBroadcaster implements Broadcaster {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly channelPrefix: string;
  private readonly onListenerError: (error: unknown, topic: string, event: BroadcastEvent) => void;
  private readonly onMalformedMessage: (error: unknown, topic: string) => void;
  private readonly topics = new Map<string, TopicChannel>();
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
    this.channelPrefix = `${options.prefix ?? 'hirechat'}:`;
    this.onListenerError =
      options.onListenerError ??
      ((error, topic, event) =>
        console.error(`RedisBroadcaster: a listener of ${topic} threw on ${event.type}`, error));
    this.onMalformedMessage =
      options.onMalformedMessage ??
      ((error, topic) => console.error(`RedisBroadcaster: a message of ${topic} is not JSON`, error));
    this.sub.on('message', this.onMessage);
    this.sub.on('ready', this.onReady);
  }

  async publish<E extends BroadcastEvent>(topic: Topic<E>, event: E): Promise<void> {
    this.assertOpen();
    requireReady(this.pub, 'RedisBroadcaster');
    await this.pub.publish(this.channelPrefix + topic, JSON.stringify(event));
  }

  /**
   * The events' PUBLISHes written to the connection at once, in order, after whatever was sent
   * before the call, each answered on its own. A connection that is not ready rejects every event
   * at once, as `publish` does; one lost mid-batch rejects those not answered.
   *
   * Each is an ordinary `publish` while the connection's socket is corked, so that they leave in
   * one write, rather than an ioredis pipeline: the pipeline's own bookkeeping cost more than the
   * PUBLISHes (a batch of five, 50 a second: 469 µs of CPU in a pipeline, 338 corked, each less
   * the loop's 181; bench/README.md).
   */
  async publishAll(publications: readonly Publication[]): Promise<PromiseSettledResult<void>[]> {
    try {
      this.assertOpen();
      requireReady(this.pub, 'RedisBroadcaster');
    } catch (error) {
      return publications.map(() => ({ status: 'rejected', reason: error }));
    }
    // ioredis' socket: without it (not connected yet), the same commands in as many writes.
    const stream = this.pub.stream as { cork?(): void; uncork?(): void } | undefined;
    stream?.cork?.();
    let replies: Promise<unknown>[];
    try {
      // async: one that throws is its own event's rejection, and the rest still go out.
      replies = publications.map(async ({ topic, event }) =>
        this.pub.publish(this.channelPrefix + topic, JSON.stringify(event)),
      );
    } finally {
      stream?.uncork?.();
    }
    const outcomes = await Promise.allSettled(replies);
    return outcomes.map((outcome) =>
      outcome.status === 'fulfilled' ? { status: 'fulfilled', value: undefined } : outcome,
    );
  }

  async subscribe<E extends BroadcastEvent>(
    topic: Topic<E>,
    listener: TopicListener<E>,
  ): Promise<() => Promise<void>> {
    this.assertOpen();
    const subscription: Subscription = { listener: listener as TopicListener };
    const channel = this.channelOf(topic);
    channel.listeners.add(subscription);
    try {
      await this.reconcile(topic, channel);
      this.assertOpen();
    } catch (error) {
      channel.listeners.delete(subscription);
      // Undoes nothing Redis confirmed unless no listener is left; never throws.
      this.reconcile(topic, channel).catch(() => undefined);
      throw error;
    }
    return async () => {
      // A second call, or one after close, finds nothing to remove.
      if (!channel.listeners.delete(subscription)) return;
      // The listener is off already; when Redis cannot be told now, the channel is dropped once
      // the connection is ready again (see onReady), and the rejection says so meanwhile.
      await this.reconcile(topic, channel);
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
    const topics = [...this.topics];
    for (const [, channel] of topics) channel.listeners.clear();
    // Best effort: with Redis away, ioredis re-subscribes these channels when it comes back,
    // and their messages find no listener here.
    await Promise.allSettled(topics.map(([topic, channel]) => this.reconcile(topic, channel)));
    this.topics.clear();
  }

  private channelOf(topic: string): TopicChannel {
    let channel = this.topics.get(topic);
    if (!channel) {
      channel = { listeners: new Set(), subscribed: false, tail: Promise.resolve(), pending: 0 };
      this.topics.set(topic, channel);
    }
    return channel;
  }

  /**
   * Queues a step that brings the topic's Redis subscription in line with its listeners, as they
   * are when the step starts. Steps of one topic never overlap, so an UNSUBSCRIBE still in flight
   * cannot overtake the SUBSCRIBE of a listener that came after it.
   */
  private reconcile(topic: string, channel: TopicChannel): Promise<void> {
    channel.pending++;
    const step = channel.tail.then(() => this.applyListeners(topic, channel));
    const settled = step.then(
      () => this.finishStep(topic, channel),
      () => this.finishStep(topic, channel),
    );
    channel.tail = settled;
    return step;
  }

  private async applyListeners(topic: string, channel: TopicChannel): Promise<void> {
    const wanted = channel.listeners.size > 0 && !this.closed;
    if (wanted === channel.subscribed) return;
    requireReady(this.sub, 'RedisBroadcaster');
    if (wanted) {
      await this.sub.subscribe(this.channelPrefix + topic);
      channel.subscribed = true;
    } else {
      await this.sub.unsubscribe(this.channelPrefix + topic);
      channel.subscribed = false;
    }
  }

  private finishStep(topic: string, channel: TopicChannel): void {
    channel.pending--;
    const idle = channel.pending === 0 && channel.listeners.size === 0 && !channel.subscribed;
    // Empty topics go, so that a long-running server does not keep every room it ever served.
    if (idle && this.topics.get(topic) === channel) this.topics.delete(topic);
  }

  private readonly onMessage = (channelName: string, message: string): void => {
    if (!channelName.startsWith(this.channelPrefix)) return;
    const topic = channelName.slice(this.channelPrefix.length);
    const channel = this.topics.get(topic);
    if (!channel || channel.listeners.size === 0) return;
    let event: BroadcastEvent;
    try {
      // Only hirechat processes publish on these channels, and they publish BroadcastEvents.
      event = JSON.parse(message) as BroadcastEvent;
    } catch (error) {
      this.onMalformedMessage(error, topic);
      return;
    }
    // A snapshot: a listener that subscribes or unsubscribes during delivery changes the next
    // event's audience, not this one's.
    for (const { listener } of [...channel.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error, topic, event);
      }
    }
  };

  /**
   * After a reconnect ioredis re-subscribes the channels Redis had confirmed; a topic whose last
   * listener left during the outage could not be unsubscribed then, so it is now.
   */
  private readonly onReady = (): void => {
    for (const [topic, channel] of this.topics) {
      if (channel.subscribed !== channel.listeners.size > 0) {
        this.reconcile(topic, channel).catch(() => undefined);
      }
    }
  };

  private assertOpen(): void {
    if (this.closed) throw new Error('RedisBroadcaster: closed.');
  }
}
