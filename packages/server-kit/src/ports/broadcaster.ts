import type { InboxEvent, RoomEvent } from '@hirechat/protocol';

/**
 * Where events go: a room's topic carries its room events, a user's topic their inbox events. The
 * type names what its listeners receive; make topics with `roomTopic` and `inboxTopic`.
 */
export type Topic<E extends BroadcastEvent = BroadcastEvent> = string & { readonly __events?: E };

/** Every event that travels between processes. */
export type BroadcastEvent = RoomEvent | InboxEvent;

export type TopicListener<E extends BroadcastEvent = BroadcastEvent> = (event: E) => void;

/** One event for one topic, as `Broadcaster.publishAll` takes them. */
export type Publication =
  | { readonly topic: Topic<RoomEvent>; readonly event: RoomEvent }
  | { readonly topic: Topic<InboxEvent>; readonly event: InboxEvent };

/** The topic of a room's events (`room:<uuid>`). */
export const roomTopic = (room: string): Topic<RoomEvent> => `room:${room}`;

/** The topic of a user's inbox events (`user:<uuid>`). */
export const inboxTopic = (user: string): Topic<InboxEvent> => `user:${user}`;

/**
 * Carries events to every process that has listeners for their topic. A process subscribes only to
 * the topics it has sockets for. Events of one topic arrive in the order they were published.
 */
export interface Broadcaster {
  publish<E extends BroadcastEvent>(topic: Topic<E>, event: E): Promise<void>;
  /**
   * Publishes the events in the order given, as `publish` called for each in turn would (each
   * topic's events keep that order, for every process), in one go: a broker gets them in one
   * round trip, so that a write's room event and its inbox events cost one.
   *
   * Never rejects: resolves once every event's outcome is known, with each one's as
   * `Promise.allSettled` gives it, in the order given. An event is rejected when `publish` of it
   * would have been (closed, the broker unreachable or lost mid-batch); the others keep their own
   * outcome. Broadcasters without a batch of their own can answer `publishEach(this, publications)`.
   */
  publishAll(publications: readonly Publication[]): Promise<PromiseSettledResult<void>[]>;
  /** Starts delivering the topic's events to the listener; resolves with a function that stops it. */
  subscribe<E extends BroadcastEvent>(
    topic: Topic<E>,
    listener: TopicListener<E>,
  ): Promise<() => Promise<void>>;
  /** Resolves when the broadcaster can deliver; rejects otherwise (for health checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `publishAll` done by calling the broadcaster's `publish` for each event in turn (all started in
 * the order given before any is awaited), for a broadcaster with no cheaper batch.
 */
export function publishEach(
  broadcaster: Pick<Broadcaster, 'publish'>,
  publications: readonly Publication[],
): Promise<PromiseSettledResult<void>[]> {
  // Each call wrapped, so that one that throws at once is that event's rejection, not the batch's.
  return Promise.allSettled(
    publications.map(async ({ topic, event }) => broadcaster.publish<BroadcastEvent>(topic, event)),
  );
}
