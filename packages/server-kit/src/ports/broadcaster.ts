import type { InboxEvent, RoomEvent } from '@hirechat/protocol';

/**
 * Where events go: a room's topic carries its room events, a user's topic their inbox events. The
 * type names what its listeners receive; make topics with `roomTopic` and `inboxTopic`.
 */
export type Topic<E extends BroadcastEvent = BroadcastEvent> = string & { readonly __events?: E };

/** Every event that travels between processes. */
export type BroadcastEvent = RoomEvent | InboxEvent;

export type TopicListener<E extends BroadcastEvent = BroadcastEvent> = (event: E) => void;

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
  /** Starts delivering the topic's events to the listener; resolves with a function that stops it. */
  subscribe<E extends BroadcastEvent>(
    topic: Topic<E>,
    listener: TopicListener<E>,
  ): Promise<() => Promise<void>>;
  /** Resolves when the broadcaster can deliver; rejects otherwise (for health checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
