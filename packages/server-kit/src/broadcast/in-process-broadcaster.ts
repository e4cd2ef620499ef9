import {
  type BroadcastEvent,
  type Broadcaster,
  type Publication,
  publishEach,
  type Topic,
  type TopicListener,
} from '../ports/broadcaster.js';

export interface InProcessBroadcasterOptions {
  /**
   * Called when a listener throws, so that one bad listener cannot keep an event from the rest of
   * the topic's. Default: console.error.
   */
  onListenerError?: (error: unknown, topic: string, event: BroadcastEvent) => void;
}

/** One subscription; an object rather than the listener so that subscribing twice means twice. */
interface Subscription {
  listener: TopicListener;
}

/**
 * Delivers events to listeners in this process, synchronously and in publish order. Right for a
 * single server; several servers behind one proxy need a shared broadcaster (Redis).
 */
export class InProcessBroadcaster implements Broadcaster {
  private readonly topics = new Map<string, Set<Subscription>>();
  private readonly onListenerError: (error: unknown, topic: string, event: BroadcastEvent) => void;

  constructor(options: InProcessBroadcasterOptions = {}) {
    this.onListenerError =
      options.onListenerError ??
      ((error, topic, event) =>
        console.error(`InProcessBroadcaster: a listener of ${topic} threw on ${event.type}`, error));
  }

  async publish<E extends BroadcastEvent>(topic: Topic<E>, event: E): Promise<void> {
    const subscriptions = this.topics.get(topic);
    if (!subscriptions) return;
    // A snapshot: a listener that subscribes or unsubscribes during delivery changes the next
    // event's audience, not this one's.
    for (const { listener } of [...subscriptions]) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error, topic, event);
      }
    }
  }

  /** Delivers each event in turn, before it resolves: there is no round trip to save. */
  publishAll(publications: readonly Publication[]): Promise<PromiseSettledResult<void>[]> {
    return publishEach(this, publications);
  }

  async subscribe<E extends BroadcastEvent>(
    topic: Topic<E>,
    listener: TopicListener<E>,
  ): Promise<() => Promise<void>> {
    const subscription: Subscription = { listener: listener as TopicListener };
    let subscriptions = this.topics.get(topic);
    if (!subscriptions) {
      subscriptions = new Set();
      this.topics.set(topic, subscriptions);
    }
    subscriptions.add(subscription);
    return async () => {
      const current = this.topics.get(topic);
      if (!current?.delete(subscription)) return;
      // Empty topics go, so that a long-running server does not keep every room it ever served.
      if (current.size === 0) this.topics.delete(topic);
    };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.topics.clear();
  }
}
