import {
  type BroadcastEvent,
  type Broadcaster,
  InProcessBroadcaster,
  type Publication,
  publishEach,
  type Topic,
  type TopicListener,
} from '@hirechat/server-kit';

/**
 * A broadcaster that hands everything to `inner` (in process by default): a test extends it and
 * overrides the one step it disturbs (losing, holding or delaying events). `publishAll` goes
 * through `publish` one event at a time, so that an overridden `publish` sees every event.
 */
export class ForwardingBroadcaster implements Broadcaster {
  constructor(protected readonly inner: Broadcaster = new InProcessBroadcaster()) {}
  publish<E extends BroadcastEvent>(topic: Topic<E>, event: E): Promise<void> {
    return this.inner.publish(topic, event);
  }
  publishAll(publications: readonly Publication[]): Promise<PromiseSettledResult<void>[]> {
    return publishEach(this, publications);
  }
  subscribe<E extends BroadcastEvent>(topic: Topic<E>, listener: TopicListener<E>) {
    return this.inner.subscribe(topic, listener);
  }
  ping(): Promise<void> {
    return this.inner.ping();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
