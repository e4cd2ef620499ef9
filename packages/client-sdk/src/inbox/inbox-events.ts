import type { ChatRoom, ErrorEvent, InboxServerEventMap } from '@hirechat/protocol';
import type { CloseInfo, ConnectionStatus } from '../connection-events.js';

/** The inbox's log no longer reached back to the last event this client saw: some were missed. */
export interface InboxResyncEvent {
  /** The rooms as fetched again (latest activity first); they have replaced the inbox's own. */
  rooms: readonly ChatRoom[];
}

/**
 * Every event a LiveInbox emits, by name. The inbox events are the protocol's own shapes (contract,
 * "The inbox"), each emitted once, in the user's seq order, after the rooms took it in: a handler
 * that reads `inbox.getSnapshot()` sees the rooms with it.
 */
export interface LiveInboxEvents {
  /** The user became a participant of a new room. */
  room_created: InboxServerEventMap['room_created'];
  /** A room's participants changed, or the user was added to one (it is new to the inbox then). */
  room_updated: InboxServerEventMap['room_updated'];
  /** The user left a room, or was removed from it: it is gone from the inbox. */
  room_removed: InboxServerEventMap['room_removed'];
  /** A message in one of the user's rooms; `unread_count` is the user's after it. */
  message_created: InboxServerEventMap['message_created'];
  message_updated: InboxServerEventMap['message_updated'];
  /** Carries the message as it was; `unread_count` is the user's after the delete. */
  message_deleted: InboxServerEventMap['message_deleted'];
  /** The user's unread count of a room changed by their own reads, on any of their devices. */
  unread_changed: InboxServerEventMap['unread_changed'];
  /** The rooms changed: the new snapshot (the same array `getSnapshot()` answers from now on). */
  change: readonly ChatRoom[];
  /**
   * The rooms were fetched again, since the log no longer reached back (or the server's was
   * restored from a backup): the events in between are not delivered one by one. It comes right
   * after the `change` that brought the rooms.
   */
  resync: InboxResyncEvent;
  /**
   * The server refused something, or the inbox stopped for good: `not_authenticated` (4401 with a
   * token that cannot be refreshed).
   */
  error: ErrorEvent;
  status: ConnectionStatus;
  close: CloseInfo;
}
