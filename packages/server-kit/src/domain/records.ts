/*
 * What storage keeps. Records are plain data in the domain's own terms; the domain turns them into
 * wire shapes (see to-wire.ts), so storage never writes a wire shape.
 */

export interface RoomRecord {
  uuid: string;
  recruiter: string;
  /** Client UUIDs, sorted, so that equal sets compare equal. */
  clients: string[];
  /** ISO 8601 with microseconds and offset. */
  createdAt: string;
}

export interface MessageRecord {
  uuid: string;
  /** Insertion order across all rooms: strictly increasing, assigned by storage. */
  position: number;
  chatRoom: string;
  sender: string;
  /** File store key, e.g. `chat_files/cv_QTbo98H.pdf`, or null. */
  fileKey: string | null;
  job: string | null;
  content: string | null;
  /** ISO 8601 with microseconds and offset. */
  timestamp: string;
  isEdited: boolean;
  /** Readers other than the sender, in the order they read. */
  readBy: string[];
}

/** A room as one participant sees it in their list. */
export interface RoomSummaryRecord {
  room: RoomRecord;
  lastMessage: MessageRecord | null;
  unreadCount: number;
}

export interface UserRecord {
  id: string;
  email: string | null;
  name: string | null;
  role: string | null;
}

/** A read receipt as stored: who read which message, of which room. */
export interface ReadRecord {
  messageUuid: string;
  chatRoom: string;
  userId: string;
}

/** A change of a room's participants, as stored. */
export interface RoomChangeRecord {
  /** The room after the change. */
  room: RoomRecord;
  /** The room's newest message, for the inbox's view of the room. */
  lastMessage: MessageRecord | null;
  /** Clients who joined with this change, sorted. */
  added: string[];
  /** Clients who left with this change, sorted. */
  removed: string[];
}
