import type { LoggedRoomEvent, UnsequencedRoomEvent } from '@hirechat/protocol';
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

/** A message's place in the list of all messages (see MessageRecord.position), and its room. */
export interface MessagePosition {
  position: number;
  chatRoom: string;
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
 * The event a write causes, made by the domain from what the write stored (storage keeps events,
 * it never shapes them). Storage gives it the room's next `seq` and appends it to the room's event
 * log in the write's own transaction, so that no committed write is ever missing from the log.
 */
export type EventOf<R> = (stored: R) => UnsequencedRoomEvent;

/** A write's outcome, and the event it logged. */
export interface Logged<R> {
  record: R;
  event: LoggedRoomEvent;
}

/** What a room's event log holds after a seq. */
export interface EventLogRead {
  /** The room's newest seq: that of its last logged event, 0 before the first. */
  seq: number;
  /**
   * The logged events after the seq asked for, oldest first: every one of them, or none when the
   * log no longer holds the event right after it (older events are pruned as new ones come).
   */
  events: LoggedRoomEvent[];
}

/**
 * Where rooms, messages and reads are kept. Every method is one atomic write or one consistent
 * read; races between processes are settled by the database (unique keys, row locks), never by
 * timing. Each write that causes a room event logs it in the same transaction (see EventOf).
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

  /** Stores the message and marks its room active; answers it with its position, and its event. */
  insertMessage(message: NewMessage, event: EventOf<MessageRecord>): Promise<Logged<MessageRecord>>;
  getMessage(uuid: string): Promise<MessageRecord | null>;
  /**
   * Where a message stands among all messages, and its room, for page cursors; also of a message
   * that has been deleted, so that a cursor survives the deletion of its message. Null when there
   * never was such a message.
   */
  messagePosition(uuid: string): Promise<MessagePosition | null>;
  /** Sets the content and is_edited; null (and nothing logged) when there is no such message. */
  updateMessageContent(
    uuid: string,
    content: string,
    event: EventOf<MessageRecord>,
  ): Promise<Logged<MessageRecord> | null>;
  /** Deletes the message and its reads; answers it as it was, or null when there was none. */
  deleteMessage(uuid: string, event: EventOf<MessageRecord>): Promise<Logged<MessageRecord> | null>;
  listMessages(query: MessageQuery): Promise<MessagePage>;
  /**
   * Records that the user read the message, and logs the event; null (and nothing logged) when
   * they had read it already, or the message does not exist.
   */
  addRead(messageUuid: string, userId: string, event: UnsequencedRoomEvent): Promise<LoggedRoomEvent | null>;
  /** The room's newest seq and its logged events after `since`; null when there is no such room. */
  eventsAfter(room: string, since: number): Promise<EventLogRead | null>;
  /** The room's newest seq alone (0 before its first event); null when there is no such room. */
  roomSeq(room: string): Promise<number | null>;

  /** Message that carries this file, for access checks on downloads. */
  findMessageByFileKey(fileKey: string): Promise<MessageRecord | null>;
}
