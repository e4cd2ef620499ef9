import type { WebSocket } from 'ws';
import type { BroadcastEvent, Broadcaster, Topic } from '../ports/broadcaster.js';
import type { Logger } from '../ports/logger.js';
import type { SocketFeed } from './socket-feed.js';

/** Who hears a topic's events here, and how far they have come. */
interface Audience {
  /** Each socket with the feed that orders what it is sent. */
  sockets: Map<WebSocket, SocketFeed<BroadcastEvent>>;
  /** The highest seq of the topic's logged events heard here, 0 before the first. */
  heardSeq: number;
}

interface TopicEntry extends Audience {
  /** Open sockets per user, so that a user's last goodbye can be told apart. */
  users: Map<string, number>;
  /** Sockets admitted but not joined yet: the subscription must outlive their handshake. */
  reserved: number;
  subscription: Promise<() => Promise<void>>;
}

/**
 * The sockets of this process, by topic (a room, or a user's inbox). It holds one broadcaster
 * subscription per topic that has sockets here, and serialises each event once for all of the
 * topic's sockets.
 */
export class TopicHub {
  private readonly topics = new Map<string, TopicEntry>();

  constructor(
    private readonly broadcaster: Broadcaster,
    private readonly logger: Logger,
  ) {}

  /**
   * Makes the topic's events flow to this process before a socket joins, so that nothing published
   * after the client sees the socket open can miss it. Each reserve is followed by one `join` or
   * one `release`.
   */
  async reserve(topic: Topic): Promise<void> {
    let entry = this.topics.get(topic);
    if (!entry) {
      const audience: Audience = { sockets: new Map(), heardSeq: 0 };
      const subscription = this.broadcaster.subscribe(topic, (event) => fanOut(audience, event));
      entry = Object.assign(audience, { users: new Map<string, number>(), reserved: 0, subscription });
      this.topics.set(topic, entry);
    }
    entry.reserved++;
    try {
      await entry.subscription;
    } catch (error) {
      // Dropping the failed entry lets the topic's next socket subscribe afresh.
      this.release(topic);
      throw error;
    }
  }

  /** Adds a socket whose topic was reserved; the topic's events reach it through its feed. */
  join<E extends BroadcastEvent>(
    topic: Topic<E>,
    user: string,
    socket: WebSocket,
    feed: SocketFeed<E>,
  ): void {
    const entry = this.topics.get(topic);
    if (!entry) throw new Error(`topic ${topic} was not reserved`);
    entry.reserved--;
    entry.sockets.set(socket, feed as unknown as SocketFeed<BroadcastEvent>);
    entry.users.set(user, (entry.users.get(user) ?? 0) + 1);
  }

  /** Gives back a reservation whose socket never joined. */
  release(topic: Topic): void {
    const entry = this.topics.get(topic);
    if (!entry) return;
    entry.reserved--;
    this.dropIfIdle(topic, entry);
  }

  /** Removes the socket; answers whether it was the user's last socket of the topic. */
  leave(topic: Topic, user: string, socket: WebSocket): boolean {
    const entry = this.topics.get(topic);
    if (!entry?.sockets.delete(socket)) return false;
    const left = (entry.users.get(user) ?? 1) - 1;
    if (left > 0) entry.users.set(user, left);
    else entry.users.delete(user);
    this.dropIfIdle(topic, entry);
    return left === 0;
  }

  /**
   * Whether the topic's events since the seq may have passed a socket admitted at that seq before
   * it joined: only then need it read them from the log.
   */
  heardAfter(topic: Topic, seq: number): boolean {
    return (this.topics.get(topic)?.heardSeq ?? 0) > seq;
  }

  /** Every socket of this process. */
  *sockets(): Iterable<WebSocket> {
    for (const entry of this.topics.values()) yield* entry.sockets.keys();
  }

  private dropIfIdle(topic: Topic, entry: TopicEntry): void {
    if (entry.sockets.size > 0 || entry.reserved > 0 || this.topics.get(topic) !== entry) return;
    this.topics.delete(topic);
    entry.subscription.then(
      (unsubscribe) =>
        unsubscribe().catch((err: unknown) => this.logger.warn({ err, topic }, 'unsubscribe failed')),
      // A subscription that never started has nothing to undo; its failure was reported already.
      () => undefined,
    );
  }
}

function fanOut(audience: Audience, event: BroadcastEvent): void {
  if ('seq' in event && event.seq > audience.heardSeq) audience.heardSeq = event.seq;
  // Encoded once here, so that no socket's send encodes the text again.
  const frame = Buffer.from(JSON.stringify(event));
  for (const feed of audience.sockets.values()) feed.push(event, frame);
}
