import type {
  InboxEvent,
  LoggedRoomEvent,
  UnsequencedInboxEvent,
  UnsequencedRoomEvent,
  WebhookEvent,
} from '@hirechat/protocol';
import type {
  MessageRecord,
  ReadRecord,
  RoomChangeRecord,
  RoomRecord,
  RoomSummaryRecord,
} from '../domain/records.js';

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
  /** Whose rooms, with their unread counts: only rooms this user takes part in. */
  viewer: string;
  /** Only this room. */
  room?: string;
  recruiter?: string;
  client?: string;
}

/** A user whose inbox hears of a write, with their unread count of the room after it. */
export interface InboxRecipient {
  user: string;
  unreadCount: number;
  /** Whether the write took the user out of the room (they hear of it one last time). */
  removed: boolean;
}

/**
 * The events a write causes, made by the domain from what the write stored (storage keeps events,
 * it never shapes them). Storage appends them in the write's own transaction, so that no committed
 * write is ever missing from a log: `room`'s event to the room's log with the room's next `seq`,
 * and `inbox`'s event for each user the write concerns to that user's inbox log with their next
 * `seq` (null: nothing for that user). Who the recipients are is the write's to say (see each
 * method); they come in user id order.
 */
export interface EventsOf<R> {
  room(stored: R): UnsequencedRoomEvent;
  inbox(stored: R, recipient: InboxRecipient): UnsequencedInboxEvent | null;
  /**
   * The write's domain events (contract, "Webhooks"), in the order they happened: storage that
   * keeps an outbox queues them for webhook delivery in the write's transaction, and hands them
   * back (Logged.webhooks) for the `onEvent` hook.
   */
  webhooks(stored: R): WebhookEvent[];
}

/** An inbox event as logged, and whose inbox it went to. */
export interface InboxDelivery {
  user: string;
  event: InboxEvent;
}

/** A write's outcome, and the events it logged. */
export interface Logged<R> {
  record: R;
  event: LoggedRoomEvent;
  /** In user id order. */
  inbox: InboxDelivery[];
  /** The write's domain events (see EventsOf.webhooks). */
  webhooks: WebhookEvent[];
}

/** What an event log (a room's, or a user's inbox) holds after a seq. */
export interface EventLogRead<E = LoggedRoomEvent> {
  /** The log's newest seq: that of its last event, 0 before the first. */
  seq: number;
  /**
   * The logged events after the seq asked for, oldest first: every one of them, or none when the
   * log no longer holds the event right after it (older events are pruned as new ones come).
   */
  events: E[];
}

/** What createRoom answers: the stored room, whether this call made it, and what it logged. */
export interface CreatedRoom {
  room: RoomRecord;
  created: boolean;
  /** Empty when the room existed. */
  inbox: InboxDelivery[];
  /** Empty when the room existed. */
  webhooks: WebhookEvent[];
}

/** A room and everyone in it. */
export interface RoomParticipants {
  room: string;
  /** The recruiter first, then the clients, sorted. */
  participants: string[];
}

/** What a socket joining a room needs to know, read in one statement. */
export interface RoomAccess {
  /** Whether the user is a participant now. */
  participant: boolean;
  /** The room's newest seq. */
  seq: number;
}

/**
 * Where rooms, messages and reads are kept. Every method is one atomic write or one consistent
 * read; races between processes are settled by the database (unique keys, row locks), never by
 * timing. Each write that causes events logs them in the same transaction (see EventsOf).
 */
export interface ChatStorage {
  /** Brings the schema up to date; safe when several processes run it at once. */
  migrate(): Promise<void>;
  /** Resolves when the database answers; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;

  /**
   * Creates the room unless one with the same recruiter and the same set of clients exists now;
   * either way answers the stored room, and whether this call created it. A new room logs no room
   * event (its log starts empty) and tells every participant's inbox (`events.inbox`, whose
   * record is the room as its participants see it, with no message and nothing unread).
   */
  createRoom(
    room: RoomRecord,
    events: Pick<EventsOf<RoomChangeRecord>, 'inbox' | 'webhooks'>,
  ): Promise<CreatedRoom>;
  getRoom(uuid: string): Promise<RoomRecord | null>;
  /** Whether the user is a participant of the room now (false also when there is no such room). */
  isParticipant(room: string, user: string): Promise<boolean>;
  /** The room's seq and whether the user is in it, read together; null when there is no such room. */
  roomAccess(room: string, user: string): Promise<RoomAccess | null>;
  /** The viewer's rooms, latest activity (newest message, else creation) first. */
  listRooms(query: RoomQuery): Promise<RoomSummaryRecord[]>;
  /** Every room the user takes part in, each with all of its participants (recruiter first). */
  roomsWithParticipants(user: string): Promise<RoomParticipants[]>;
  /**
   * Adds the clients who are not in the room yet, each with every message of the room from others
   * unread. Tells every participant's inbox, the added ones included. Null (nothing logged) when
   * there is no such room or every client was in it already.
   */
  addClients(
    room: string,
    clients: readonly string[],
    events: EventsOf<RoomChangeRecord>,
  ): Promise<Logged<RoomChangeRecord> | null>;
  /**
   * Takes the client out of the room. Tells the inbox of every participant left, and of the client
   * (`removed`). Null (nothing logged) when there is no such room or the user is not its client.
   */
  removeClient(
    room: string,
    client: string,
    events: EventsOf<RoomChangeRecord>,
  ): Promise<Logged<RoomChangeRecord> | null>;

  /**
   * Stores the message and marks its room active; answers it with its position, and its events
   * (the inbox of every participant hears of it). Null (nothing stored) when there is no such room
   * or the sender is not its participant at the moment of writing.
   */
  insertMessage(message: NewMessage, events: EventsOf<MessageRecord>): Promise<Logged<MessageRecord> | null>;
  getMessage(uuid: string): Promise<MessageRecord | null>;
  /**
   * Where a message stands among all messages, and its room, for page cursors; also of a message
   * that has been deleted, so that a cursor survives the deletion of its message. Null when there
   * never was such a message.
   */
  messagePosition(uuid: string): Promise<MessagePosition | null>;
  /**
   * Sets the content and is_edited; null (and nothing logged) when there is no such message. Every
   * participant's inbox hears of it.
   */
  updateMessageContent(
    uuid: string,
    content: string,
    events: EventsOf<MessageRecord>,
  ): Promise<Logged<MessageRecord> | null>;
  /**
   * Deletes the message and its reads; answers it as it was, or null when there was none. Every
   * participant's inbox hears of it.
   */
  deleteMessage(uuid: string, events: EventsOf<MessageRecord>): Promise<Logged<MessageRecord> | null>;
  listMessages(query: MessageQuery): Promise<MessagePage>;
  /**
   * Records that the user read the message, and logs the events (the reader's inbox alone hears of
   * it); null (and nothing logged) when they had read it already, the message does not exist, or
   * the user is not a participant of its room.
   */
  addRead(
    messageUuid: string,
    userId: string,
    events: EventsOf<ReadRecord>,
  ): Promise<Logged<ReadRecord> | null>;
  /** The room's newest seq and its logged events after `since`; null when there is no such room. */
  eventsAfter(room: string, since: number): Promise<EventLogRead | null>;
  /** The room's newest seq alone (0 before its first event); null when there is no such room. */
  roomSeq(room: string): Promise<number | null>;
  /** The user's newest inbox seq (0 before their first event) and their inbox events after `since`. */
  inboxEventsAfter(user: string, since: number): Promise<EventLogRead<InboxEvent>>;
  /** The user's newest inbox seq alone (0 before their first event). */
  inboxSeq(user: string): Promise<number>;

  /** Message that carries this file, for access checks on downloads. */
  findMessageByFileKey(fileKey: string): Promise<MessageRecord | null>;
}
