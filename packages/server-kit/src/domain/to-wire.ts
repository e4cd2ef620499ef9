import { type ChatRoom, type ChatRoomBase, type Message, RestPaths } from '@hirechat/protocol';
import type { MediaUrls } from './media-urls.js';
import type { MessageRecord, RoomRecord, RoomSummaryRecord } from './records.js';

/** The message as the wire carries it, its `file_url` signed now. */
export function toMessage(record: MessageRecord, media: MediaUrls): Message {
  const file = record.fileKey === null ? null : `${RestPaths.media}${record.fileKey}`;
  return {
    uuid: record.uuid,
    sender: record.sender,
    chat_room: record.chatRoom,
    file,
    file_url: file === null ? null : media.urlFor(file),
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

/** The room as its viewer's list shows it, the `file_url` of its last message signed now. */
export function toChatRoom(
  { room, lastMessage, unreadCount }: RoomSummaryRecord,
  media: MediaUrls,
): ChatRoom {
  return {
    ...toChatRoomBase(room),
    last_message: lastMessage === null ? null : toMessage(lastMessage, media),
    unread_count: unreadCount,
  };
}
