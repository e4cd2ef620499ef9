import type { LoggedRoomEvent, UnsequencedInboxEvent, WebhookEvent } from '@hirechat/protocol';
import type { Knex } from 'knex';
import type { EventsOf, InboxRecipient, Logged } from '../ports/chat-storage.js';
import { appendToLog, ROOM_LOG } from './event-log.js';
import { appendInboxEvents } from './inbox-log.js';
import { type RoomOf, takeSeq } from './room-event-log.js';

/** How big each log is kept; see KnexChatStorageOptions. */
export interface LogSizes {
  room: number;
  inbox: number;
}

/**
 * Where a write queues its domain events for after the commit (webhook deliveries and the state
 * of `message.unread`), in the write's own transaction, so that no committed change is ever
 * missing from the queue and no rolled-back one is ever in it. See KnexOutbox.
 */
export interface OutboxWriter {
  append(trx: Knex.Transaction, events: readonly WebhookEvent[]): Promise<void>;
}

/** One write that logs events: what it does, and whose inboxes hear of it. */
export interface LoggedWrite<R> {
  roomOf: RoomOf;
  /** The write itself, given the room it belongs to; null when it found nothing to change. */
  write(trx: Knex.Transaction, room: string): Promise<R | null>;
  events: EventsOf<R>;
  /** Who hears of it in their inbox, after the write. Default: every participant of the room. */
  recipients?(trx: Knex.Transaction, room: string, record: R): Promise<InboxRecipient[]>;
}

/** A write that found nothing to change: thrown to roll back the seq it took, answered as null. */
class NothingWritten extends Error {}

/**
 * Runs one logged write in one transaction: first takes the room's next seq, whose row lock orders
 * the room's writers (in every process) before they touch anything else, so that seqs follow commit
 * order and writers of one room never deadlock; then the write; then appends its room event and
 * each recipient's inbox event, and queues its domain events in the outbox (when there is one). A
 * write that answers null rolls back, giving the seqs back; so does a room (or message) that does
 * not exist.
 */
export async function writeLogged<R>(
  knex: Knex,
  sizes: LogSizes,
  { roomOf, write, events, recipients = everyParticipant }: LoggedWrite<R>,
  outbox: OutboxWriter | null = null,
): Promise<Logged<R> | null> {
  try {
    return await knex.transaction(async (trx) => {
      const counter = await takeSeq(trx, roomOf);
      if (!counter) return null;
      const record = await write(trx, counter.room);
      if (record === null) throw new NothingWritten();
      const event = { ...events.room(record), seq: counter.seq } as LoggedRoomEvent;
      await appendToLog(trx, ROOM_LOG, sizes.room, [{ owner: counter.room, seq: counter.seq, event }]);
      const unsequenced: { user: string; event: UnsequencedInboxEvent }[] = [];
      for (const recipient of await recipients(trx, counter.room, record)) {
        const inboxEvent = events.inbox(record, recipient);
        if (inboxEvent) unsequenced.push({ user: recipient.user, event: inboxEvent });
      }
      const inbox = await appendInboxEvents(trx, sizes.inbox, unsequenced);
      const webhooks = events.webhooks(record);
      await outbox?.append(trx, webhooks);
      return { record, event, inbox, webhooks };
    });
  } catch (error) {
    if (error instanceof NothingWritten) return null;
    throw error;
  }
}

/** The room's participants as they are in the transaction, with their unread counts. */
export async function everyParticipant(trx: Knex.Transaction, room: string): Promise<InboxRecipient[]> {
  const rows: { user_id: string; unread_count: number | string }[] = await trx('chat_room_participants')
    .select('user_id', 'unread_count')
    .where('room_uuid', room)
    .orderBy('user_id');
  return rows.map((row) => ({ user: row.user_id, unreadCount: Number(row.unread_count), removed: false }));
}
