import type { MessageRecord, RoomRecord, RoomSummaryRecord } from '../domain/records.js';

/** A message as the domain hands it to storage, before storage gives it a position. */
export type NewMessage = Omit<MessageRecord, 'position' | 'isEdited' | 'readBy'>;

export interface MessageQuery {
  /** Only messages of rooms this user takes part in. */
  viewer: string;
  chatRoom?: string;
  /** Only messages whose sender is one of these (an empty list matches nothing). */
  senders?: string[];
  /** Messages older (`before`) or newer (`after`) than the message at this position. */
  before?: number;
  after?: number;
  limit: number;
}

export interface MessagePage {
  /** Oldest first. */
  messages: MessageRecord[];
  /** Whether more messages lie beyond this page in the direction of the query. */
  hasMore: boolean;
}

export interface RoomQuery {
  /** Only rooms this user takes part in. */
  viewer: string;
  recruiter?: string;
  client?: string;
}

/**
 * Where rooms, messages and reads are kept. Every method is one atomic write or one consistent
 * read; races between processes are settled by the database (unique keys), never by timing.
 */
export interface ChatStorage {
  /** Brings the schema up to date; safe when several processes run it at once. */
  migrate(): Promise<void>;
  /** Resolves when the database answers; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;

  /**
   * Creates the room unless one with the same recruiter and the same set of clients exists;
   * either way answers the stored room, and whether this call created it.
   */
  createRoom(room: RoomRecord): Promise<{ room: RoomRecord; created: boolean }>;
  getRoom(uuid: string): Promise<RoomRecord | null>;
  /** The viewer's rooms, latest activity (newest message, else creation) first. */
  listRooms(query: RoomQuery): Promise<RoomSummaryRecord[]>;

  /** Stores the message and marks its room active; answers it with its position. */
  insertMessage(message: NewMessage): Promise<MessageRecord>;
  getMessage(uuid: string): Promise<MessageRecord | null>;
  /** Position of a message, for cursors; null when there is no such message. */
  messagePosition(uuid: string): Promise<number | null>;
  /** Sets the content and is_edited; null when there is no such message. */
  updateMessageContent(uuid: string, content: string): Promise<MessageRecord | null>;
  /** Deletes the message and its reads; answers it as it was, or null when there was none. */
  deleteMessage(uuid: string): Promise<MessageRecord | null>;
  listMessages(query: MessageQuery): Promise<MessagePage>;
  /** Records that the user read the message; false when they had already. */
  addRead(messageUuid: string, userId: string): Promise<boolean>;

  /** Message that carries this file, for access checks on downloads. */
  findMessageByFileKey(fileKey: string): Promise<MessageRecord | null>;
}
