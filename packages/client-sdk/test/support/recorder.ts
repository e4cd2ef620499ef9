import type { ChatRoom, LoggedRoomEvent, ServerEventMap } from '@hirechat/protocol';
import type { CloseInfo, ConnectionStatus, ResyncEvent, RoomConnection } from '../../src/index.js';
import { createWaiters } from './waiters.js';

/** Everything a live room delivered to the app, in order. */
export interface Recorder {
  /** Logged room events (message_*), in the order the app got them. */
  events: LoggedRoomEvent[];
  statuses: ConnectionStatus[];
  closes: CloseInfo[];
  errors: ServerEventMap['error'][];
  typing: string[][];
  /** Each `presence` event's `online_users`. */
  presence: string[][];
  resyncs: ResyncEvent[];
  /**
   * Resolves once the condition holds: now, or after a later event. Fails after a while with what
   * was recorded, so that a test waits on events rather than on sleeps.
   */
  until(what: string, condition: () => boolean, timeoutMs?: number): Promise<void>;
}

export function record(live: RoomConnection): Recorder {
  const waiters = createWaiters();
  const recorded: Omit<Recorder, 'until'> = {
    events: [],
    statuses: [],
    closes: [],
    errors: [],
    typing: [],
    presence: [],
    resyncs: [],
  };
  const push = waiters.pusher;
  const logged = push(recorded.events);
  live.on('message_created', logged);
  live.on('message_updated', logged);
  live.on('message_deleted', logged);
  live.on('message_read', logged);
  live.on('status', push(recorded.statuses));
  live.on('close', push(recorded.closes));
  live.on('error', push(recorded.errors));
  live.on('typing', (event) => push(recorded.typing)(event.typing_users));
  live.on('presence', (event) => push(recorded.presence)(event.online_users));
  live.on('resync', push(recorded.resyncs));

  return {
    ...recorded,
    until: (what, condition, timeoutMs) =>
      waiters.until(what, condition, () => describe(recorded), timeoutMs),
  };
}

/** The messages' identities as the events carry them: type, seq and message id. */
export function keys(events: readonly LoggedRoomEvent[]): string[] {
  return events.map((event) => {
    const id =
      event.type === 'message_read'
        ? `${event.message_id}<-${event.user_id}`
        : event.type === 'room_updated'
          ? event.room.uuid
          : event.message.uuid;
    return `${event.seq} ${event.type} ${id}`;
  });
}

/** The seqs 1..n, to compare a room's whole history against. */
export const oneTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

export const uuidsOf = (rooms: readonly ChatRoom[]) => rooms.map((room) => room.uuid);

function describe(recorded: Omit<Recorder, 'until'>): string {
  return JSON.stringify({
    ...recorded,
    events: keys(recorded.events),
  });
}
