import type { Message, WebhookEvent } from '@hirechat/protocol';
import type { EventsOf } from '../../ports/chat-storage.js';
import type { MediaUrls } from '../media-urls.js';
import type { MessageRecord, ReadRecord, RoomChangeRecord } from '../records.js';
import { nowTimestamp } from '../timestamp.js';
import { toChatRoom, toChatRoomBase, toMessage } from '../to-wire.js';

/*
 * The events each write causes, as the domain shapes them for storage to log (see EventsOf): the
 * room's event, each recipient's inbox event (contract, "The inbox"), and the domain events that
 * webhooks and the `onEvent` hook carry (contract, "Webhooks"), stamped with the moment of the write.
 */

/**
 * A message's wire shape, made once per write however many inboxes carry it. Its `file_url` is
 * signed again whenever an event leaves (see EventPublisher): the one logged here is never sent.
 */
function wireOnce(media: MediaUrls): (record: MessageRecord) => Message {
  let wire: Message | undefined;
  return (record) => {
    wire ??= toMessage(record, media);
    return wire;
  };
}

export function messageCreatedEvents(media: MediaUrls): EventsOf<MessageRecord> {
  const wire = wireOnce(media);
  return {
    room: (record) => ({ type: 'message_created', message: wire(record) }),
    inbox: (record, { unreadCount }) => ({
      type: 'message_created',
      message: wire(record),
      unread_count: unreadCount,
    }),
    // The moment of the write is the message's own timestamp: one clock reading per message.
    webhooks: (record) => [
      { type: 'message.created', timestamp: record.timestamp, data: { message: wire(record) } },
    ],
  };
}

export function messageUpdatedEvents(media: MediaUrls): EventsOf<MessageRecord> {
  const wire = wireOnce(media);
  return {
    room: (record) => ({ type: 'message_updated', message: wire(record) }),
    inbox: (record) => ({ type: 'message_updated', message: wire(record) }),
    webhooks: (record) => [
      { type: 'message.updated', timestamp: nowTimestamp(), data: { message: wire(record) } },
    ],
  };
}

/** Both carry the message as it was. */
export function messageDeletedEvents(media: MediaUrls): EventsOf<MessageRecord> {
  const wire = wireOnce(media);
  return {
    room: (record) => ({ type: 'message_deleted', message: wire(record) }),
    inbox: (record, { unreadCount }) => ({
      type: 'message_deleted',
      message: wire(record),
      unread_count: unreadCount,
    }),
    webhooks: (record) => [
      { type: 'message.deleted', timestamp: nowTimestamp(), data: { message: wire(record) } },
    ],
  };
}

/** The room hears who read what; the reader's inbox alone hears their new unread count. */
export function messageReadEvents(): EventsOf<ReadRecord> {
  return {
    room: (read) => ({ type: 'message_read', message_id: read.messageUuid, user_id: read.userId }),
    inbox: (read, { unreadCount }) => ({
      type: 'unread_changed',
      room_id: read.chatRoom,
      unread_count: unreadCount,
    }),
    webhooks: (read) => [
      {
        type: 'message.read',
        timestamp: nowTimestamp(),
        data: { message_id: read.messageUuid, user_id: read.userId, chat_room: read.chatRoom },
      },
    ],
  };
}

/** A new room: each participant's inbox hears of it as they see it. */
export function roomCreatedEvents(media: MediaUrls): Pick<EventsOf<RoomChangeRecord>, 'inbox' | 'webhooks'> {
  return {
    inbox: (change, { unreadCount }) => ({
      type: 'room_created',
      room: toChatRoom({ room: change.room, lastMessage: change.lastMessage, unreadCount }, media),
    }),
    webhooks: (change) => [
      { type: 'room.created', timestamp: nowTimestamp(), data: { room: toChatRoomBase(change.room) } },
    ],
  };
}

/**
 * Participants came or went: the room hears of it once, without per-caller fields; each inbox hears
 * of the room as that participant sees it, and a client who left hears that they did. The platform
 * hears `room.updated`, then a `room.member_removed` for each client who left.
 */
export function participantsChangedEvents(media: MediaUrls): EventsOf<RoomChangeRecord> {
  return {
    room: (change) => ({ type: 'room_updated', room: toChatRoomBase(change.room) }),
    inbox: (change, { unreadCount, removed }) =>
      removed
        ? { type: 'room_removed', room_id: change.room.uuid }
        : {
            type: 'room_updated',
            room: toChatRoom({ room: change.room, lastMessage: change.lastMessage, unreadCount }, media),
          },
    webhooks: (change) => {
      const timestamp = nowTimestamp();
      return [
        { type: 'room.updated', timestamp, data: { room: toChatRoomBase(change.room) } },
        ...change.removed.map(
          (user): WebhookEvent => ({
            type: 'room.member_removed',
            timestamp,
            data: { room_id: change.room.uuid, user_id: user },
          }),
        ),
      ];
    },
  };
}
