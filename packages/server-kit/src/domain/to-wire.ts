import { type ChatRoom, type ChatRoomBase, type Message, RestPaths } from '@hirechat/protocol';
import type { MessageRecord, RoomRecord, RoomSummaryRecord } from './records.js';

export function toMessage(record: MessageRecord): Message {
  return {
    uuid: record.uuid,
    sender: record.sender,
    chat_room: record.chatRoom,
    file: record.fileKey === null ? null : `${RestPaths.media}${record.fileKey}`,
    job: record.job,
    content: record.content,
    timestamp: record.timestamp,
    is_edited: record.isEdited,
    // Storage keeps only readers other than the sender, so any reader at all means "viewed".
    is_viewed: record.readBy.length > 0,
    read_by: record.readBy,
  };
}

/** The room as every participant sees it alike (room-wide events, webhooks). */
export function toChatRoomBase(room: RoomRecord): ChatRoomBase {
  return { uuid: room.uuid, recruiter: room.recruiter, clients: room.clients, created_at: room.createdAt };
}

/** The room as one participant sees it. */
export function toChatRoom({ room, lastMessage, unreadCount }: RoomSummaryRecord): ChatRoom {
  return {
    ...toChatRoomBase(room),
    last_message: lastMessage === null ? null : toMessage(lastMessage),
    unread_count: unreadCount,
  };
}
