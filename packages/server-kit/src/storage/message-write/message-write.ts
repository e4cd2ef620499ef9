import type { InboxEvent, LoggedRoomEvent } from '@hirechat/protocol';
import type { MessageRecord } from '../../domain/records.js';
import { nowTimestamp } from '../../domain/timestamp.js';
import type { EventsOf, InboxDelivery, Logged, NewMessage } from '../../ports/chat-storage.js';
import { type DeliveryRow, deliveryRows } from '../../webhooks/knex/knex-outbox-writer.js';
import type { OutboxConfig } from '../../webhooks/outbox.js';
import { pruneEvery } from '../event-log.js';
import type { LogSizes } from '../logged-write.js';

/*
 * The message create, the one write of every message, written without the query builder: issue
 * 13 found knex building and compiling its queries to be a fifth of the server's CPU per message,
 * and its statement-per-step shape to cost PostgreSQL 12 round trips a message. Each dialect has
 * its own implementation (sqlite-message-write.ts, postgres-message-write.ts), with its SQL
 * written once, and they share what is not SQL: shaping the record, its events and its outbox
 * rows, here. Every other write stays on knex (logged-write.ts), and does the same things the
 * same way: this write must stay in step with it (room seq, unread counts, inbox seqs, logs and
 * their pruning, outbox).
 */

/** See ChatStorage.insertMessage: what KnexChatStorage delegates the message create to. */
export interface MessageWrite {
  /**
   * Stores the message in one transaction with everything a write of it logs: the room's next seq
   * (taken first, under the room's row lock, which orders the room's writers in every process) and
   * the room's activity (never moved back), the sender's participation checked under that lock,
   * every other participant's unread count, the room event, each participant's inbox seq (in user
   * id order) and inbox event, both logs pruned as logged-write.ts does, and the webhook outbox's
   * rows when `outbox` names URLs. Null, with nothing stored, when there is no such room or the
   * sender is not its participant.
   *
   * Every participant is told (events.inbox answers an event for each, as message_created does);
   * an inbox event of null throws and rolls the write back rather than leave a gap in a user's seqs.
   */
  insert(
    message: NewMessage,
    events: EventsOf<MessageRecord>,
    outbox: OutboxConfig | null,
  ): Promise<Logged<MessageRecord> | null>;
}

/** A participant of the message's room as the write left them. */
export interface Participant {
  user: string;
  /** Their unread count of the room, after the message. */
  unreadCount: number;
  /** The seq of their inbox event of this message. */
  inboxSeq: number;
}

/** A log row to append: whose, which seq, the event as JSON. */
export interface LogRow {
  owner: string;
  seq: number;
  json: string;
}

/** What the write appends after storing the message, and what it answers. */
export interface MessageLogs {
  logged: Logged<MessageRecord>;
  /** When the rows were made: the logs' `created_at`. */
  createdAt: string;
  room: LogRow;
  /** The room's events up to this seq are pruned; null when this write does not prune. */
  roomPruneTo: number | null;
  /** In user id order, as logged.inbox. */
  inbox: LogRow[];
  /** The users whose inbox logs this write prunes, each up to a seq. */
  inboxPrunes: { user: string; to: number }[];
  /** The webhook outbox's rows (none without URLs). */
  deliveries: DeliveryRow[];
}

/** Users in the order every write takes their inbox counters (see inbox-log.ts): code units. */
export function byUser<T extends { user: string }>(a: T, b: T): number {
  return a.user < b.user ? -1 : a.user > b.user ? 1 : 0;
}

/**
 * The stored message, its room event (seq `seq`), an inbox event for each participant (with their
 * inbox seq), its webhook events and rows, and which logs this write prunes (every size/16 seqs
 * of their owner, as event-log.ts does).
 *
 * @throws Error when events.inbox answers null for a participant (see MessageWrite.insert).
 */
export function messageLogs(
  message: NewMessage,
  position: number,
  seq: number,
  participants: readonly Participant[],
  events: EventsOf<MessageRecord>,
  sizes: LogSizes,
  outbox: OutboxConfig | null,
): MessageLogs {
  const record: MessageRecord = { ...message, position, isEdited: false, readBy: [] };
  const event = { ...events.room(record), seq } as LoggedRoomEvent;
  const inbox: InboxDelivery[] = [];
  const inboxRows: LogRow[] = [];
  const inboxPrunes: { user: string; to: number }[] = [];
  const everyInbox = pruneEvery(sizes.inbox);
  for (const participant of [...participants].sort(byUser)) {
    const { user, inboxSeq } = participant;
    const unsequenced = events.inbox(record, { user, unreadCount: participant.unreadCount, removed: false });
    if (!unsequenced) throw new Error(`The message write has no inbox event for participant ${user}`);
    const inboxEvent = { ...unsequenced, seq: inboxSeq } as InboxEvent;
    inbox.push({ user, event: inboxEvent });
    inboxRows.push({ owner: user, seq: inboxSeq, json: JSON.stringify(inboxEvent) });
    if (inboxSeq % everyInbox === 0) inboxPrunes.push({ user, to: inboxSeq - sizes.inbox });
  }
  const webhooks = events.webhooks(record);
  return {
    logged: { record, event, inbox, webhooks },
    createdAt: nowTimestamp(),
    room: { owner: message.chatRoom, seq, json: JSON.stringify(event) },
    roomPruneTo: seq % pruneEvery(sizes.room) === 0 ? seq - sizes.room : null,
    inbox: inboxRows,
    inboxPrunes,
    deliveries: outbox ? deliveryRows(outbox, webhooks) : [],
  };
}
