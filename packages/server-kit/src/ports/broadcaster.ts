import type { RoomEvent } from '@hirechat/protocol';

export type RoomEventListener = (event: RoomEvent) => void;

/**
 * Carries room events to every process that has sockets in the room. A process subscribes only
 * to the rooms it has sockets for. Events of one room arrive in the order they were published.
 */
export interface Broadcaster {
  publish(room: string, event: RoomEvent): Promise<void>;
  /** Starts delivering the room's events to the listener; resolves with a function that stops it. */
  subscribe(room: string, listener: RoomEventListener): Promise<() => Promise<void>>;
  /** Resolves when the broadcaster can deliver; rejects otherwise (for health checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
