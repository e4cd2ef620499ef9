import type { ClientEventMap, ServerEventMap } from './events.js';
import type { InboxServerEventMap } from './inbox-events.js';

// One name per event of the unions in events.ts, so that an app can type a handler or a store
// without indexing the maps: `(e: MessageCreatedEvent) => ...`. Each is exactly the map's entry.

/** `message_created`: a message was posted in the room. */
export type MessageCreatedEvent = ServerEventMap['message_created'];
/** `message_updated`: a message's content was edited; `message` is the message as it is now. */
export type MessageUpdatedEvent = ServerEventMap['message_updated'];
/** `message_deleted`: a message was deleted; `message` is the message as it was. */
export type MessageDeletedEvent = ServerEventMap['message_deleted'];
/** `typing`: the whole set of users typing in the room now (state, so no `seq`). */
export type TypingEvent = ServerEventMap['typing'];
/** `message_read`: a participant read a message. */
export type MessageReadEvent = ServerEventMap['message_read'];
/** `error`: the server could not take a client event; the socket stays open. */
export type ErrorEvent = ServerEventMap['error'];
/** `resync_required`: events were missed that the room's log no longer holds; refetch over REST. */
export type ResyncRequiredEvent = ServerEventMap['resync_required'];
/** `synced`: the replay asked for with `?since=` is over, up to `seq`. */
export type SyncedEvent = ServerEventMap['synced'];
/** `pong`: the answer to a client's `ping`. */
export type PongEvent = ServerEventMap['pong'];
/** `room_updated` on a room socket: the room's participants changed (the room without caller fields). */
export type RoomUpdatedEvent = ServerEventMap['room_updated'];
/** `presence`: the room's participants who hold an open socket now (state, so no `seq`). */
export type PresenceEvent = ServerEventMap['presence'];

/** Inbox `room_created`: the user became a participant of a new room, as they see it. */
export type InboxRoomCreatedEvent = InboxServerEventMap['room_created'];
/** Inbox `room_updated`: a room's participants changed, or the user was added to one. */
export type InboxRoomUpdatedEvent = InboxServerEventMap['room_updated'];
/** Inbox `room_removed`: the user left the room or was removed from it. */
export type InboxRoomRemovedEvent = InboxServerEventMap['room_removed'];
/** Inbox `message_created`, with the user's `unread_count` of its room after it. */
export type InboxMessageCreatedEvent = InboxServerEventMap['message_created'];
/** Inbox `message_updated`: a message's content was edited. */
export type InboxMessageUpdatedEvent = InboxServerEventMap['message_updated'];
/** Inbox `message_deleted`, the message as it was, with the user's `unread_count` after it. */
export type InboxMessageDeletedEvent = InboxServerEventMap['message_deleted'];
/** Inbox `unread_changed`: the user's unread count of a room after their own reads. */
export type UnreadChangedEvent = InboxServerEventMap['unread_changed'];

/** `typing` from a client: it started (`true`) or stopped (`false`) typing. */
export type TypingInputEvent = ClientEventMap['typing'];
/** `message_read` from a client: it read `message_id`. */
export type MessageReadInputEvent = ClientEventMap['message_read'];
/** `ping` from a client: asks for a `pong`. */
export type PingInputEvent = ClientEventMap['ping'];
