import type { ServerEventMap } from '@hirechat/protocol';
import type { CloseInfo, ConnectionStatus } from './connection-events.js';
import type { MessagePage } from './rest-client.js';

/** The room's log no longer reached back to the last event this client saw: some were missed. */
export interface ResyncEvent {
  /**
   * The room's newest messages (oldest first), fetched after the server said so: replace what the
   * app shows with them. Null when they could not be fetched: fetch them yourself.
   */
  page: MessagePage | null;
}

/** Every event a RoomConnection emits, by name. Room events are the protocol's own shapes. */
export interface RoomConnectionEvents {
  message_created: ServerEventMap['message_created'];
  message_updated: ServerEventMap['message_updated'];
  message_deleted: ServerEventMap['message_deleted'];
  message_read: ServerEventMap['message_read'];
  /** The room's participants changed (a client added, removed, or gone). */
  room_updated: ServerEventMap['room_updated'];
  /**
   * Who of the room's participants is online (holds a room or inbox socket on any server process),
   * once it is first known after opening and whenever it changes.
   */
  presence: ServerEventMap['presence'];
  /** The room's typing set, whenever it changes. */
  typing: ServerEventMap['typing'];
  /**
   * The server refused something this client sent (the socket stays open), or the connection
   * stopped for good: `forbidden` (4403), `not_found` (4404), or `not_authenticated` (4401 with a
   * token that cannot be refreshed).
   */
  error: ServerEventMap['error'];
  status: ConnectionStatus;
  resync: ResyncEvent;
  close: CloseInfo;
}

/** Handlers by event name: `on('message_created', (e) => e.message)` knows `e.message` is a Message. */
export type RoomEventHandlers = {
  [K in keyof RoomConnectionEvents]: (event: RoomConnectionEvents[K]) => void;
};
