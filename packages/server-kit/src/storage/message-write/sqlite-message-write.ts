import type BetterSqlite3 from 'better-sqlite3';
import type { Knex } from 'knex';
import type { MessageRecord } from '../../domain/records.js';
import type { EventsOf, Logged, NewMessage } from '../../ports/chat-storage.js';
import type { OutboxConfig } from '../../webhooks/outbox.js';
import type { LogSizes } from '../logged-write.js';
import { byUser, type MessageWrite, messageLogs, type Participant } from './message-write.js';

/** The statements of the write, prepared once per connection. */
const SQL = {
  /** The room's next seq and its activity (never moved back); no row: no such room. */
  takeSeq: `UPDATE chat_rooms
    SET last_seq = last_seq + 1,
        last_activity_at = CASE WHEN last_activity_at < @at THEN @at ELSE last_activity_at END
    WHERE uuid = @room
    RETURNING last_seq`,
  /** The sender's own row: no row, not a participant. */
  sender: 'SELECT unread_count FROM chat_room_participants WHERE room_uuid = ? AND user_id = ?',
  insertMessage: `INSERT INTO messages (uuid, chat_room, sender, file_key, job, content, timestamp, is_edited)
    VALUES (@uuid, @chatRoom, @sender, @fileKey, @job, @content, @timestamp, 0)`,
  /** Everyone else's unread count, moved and read in one statement. */
  bumpUnread: `UPDATE chat_room_participants SET unread_count = unread_count + 1
    WHERE room_uuid = ? AND user_id <> ?
    RETURNING user_id, unread_count`,
  takeInboxSeq: `INSERT INTO user_inboxes (user_id, last_seq) VALUES (?, 1)
    ON CONFLICT (user_id) DO UPDATE SET last_seq = last_seq + 1
    RETURNING last_seq`,
  appendRoomEvent: 'INSERT INTO room_events (room_uuid, seq, event, created_at) VALUES (?, ?, ?, ?)',
  pruneRoom: 'DELETE FROM room_events WHERE room_uuid = ? AND seq <= ?',
  appendInboxEvent: 'INSERT INTO inbox_events (user_id, seq, event, created_at) VALUES (?, ?, ?, ?)',
  pruneInbox: 'DELETE FROM inbox_events WHERE user_id = ? AND seq <= ?',
  queueDelivery: `INSERT INTO webhook_deliveries
    (event_id, url, event_type, payload, created_at, retry_until, next_attempt_at, attempts, status)
    VALUES (@event_id, @url, @event_type, @payload, @created_at, @retry_until, @next_attempt_at, @attempts, @status)`,
} as const;

type Statements = { [K in keyof typeof SQL]: BetterSqlite3.Statement };

/** Thrown inside the transaction to roll it back; answered as null. */
class NothingWritten extends Error {}

/**
 * The message create over SQLite: prepared better-sqlite3 statements run synchronously in one
 * immediate transaction (the write lock taken up front), so no promise is made per statement and
 * no SQL is built per message. It runs on the knex pool's one connection (see sqlite.ts), acquired
 * from knex's client for the length of the transaction and released after: knex's own
 * transactions hold that connection across their awaits, so they and this write never interleave.
 * SQLite has one writer at a time, so the order in which counters are taken cannot deadlock; they
 * are taken in user id order all the same, as every write does.
 */
export class SqliteMessageWrite implements MessageWrite {
  /** Per connection: the pool could replace its connection, and statements belong to one. */
  private readonly prepared = new WeakMap<BetterSqlite3.Database, Statements>();

  constructor(
    private readonly knex: Knex,
    private readonly sizes: LogSizes,
  ) {}

  async insert(
    message: NewMessage,
    events: EventsOf<MessageRecord>,
    outbox: OutboxConfig | null,
  ): Promise<Logged<MessageRecord> | null> {
    const connection: BetterSqlite3.Database = await this.knex.client.acquireConnection();
    try {
      const run = connection.transaction(() =>
        this.write(this.statementsOf(connection), message, events, outbox),
      );
      return run.immediate();
    } catch (error) {
      if (error instanceof NothingWritten) return null;
      throw error;
    } finally {
      await this.knex.client.releaseConnection(connection);
    }
  }

  private write(
    sql: Statements,
    message: NewMessage,
    events: EventsOf<MessageRecord>,
    outbox: OutboxConfig | null,
  ): Logged<MessageRecord> {
    const room = message.chatRoom;
    const counter = sql.takeSeq.get({ room, at: message.timestamp }) as { last_seq: number } | undefined;
    if (!counter) throw new NothingWritten();
    const sender = sql.sender.get(room, message.sender) as { unread_count: number } | undefined;
    if (!sender) throw new NothingWritten();
    const { lastInsertRowid } = sql.insertMessage.run(message);
    const others = sql.bumpUnread.all(room, message.sender) as { user_id: string; unread_count: number }[];
    const participants: Participant[] = [
      { user: message.sender, unreadCount: sender.unread_count, inboxSeq: 0 },
      ...others.map((row) => ({ user: row.user_id, unreadCount: row.unread_count, inboxSeq: 0 })),
    ].sort(byUser);
    for (const participant of participants) {
      participant.inboxSeq = (sql.takeInboxSeq.get(participant.user) as { last_seq: number }).last_seq;
    }
    const logs = messageLogs(
      message,
      Number(lastInsertRowid),
      counter.last_seq,
      participants,
      events,
      this.sizes,
      outbox,
    );
    sql.appendRoomEvent.run(room, logs.room.seq, logs.room.json, logs.createdAt);
    if (logs.roomPruneTo !== null) sql.pruneRoom.run(room, logs.roomPruneTo);
    for (const row of logs.inbox) sql.appendInboxEvent.run(row.owner, row.seq, row.json, logs.createdAt);
    for (const prune of logs.inboxPrunes) sql.pruneInbox.run(prune.user, prune.to);
    for (const row of logs.deliveries) sql.queueDelivery.run(row);
    return logs.logged;
  }

  private statementsOf(connection: BetterSqlite3.Database): Statements {
    let statements = this.prepared.get(connection);
    if (!statements) {
      statements = Object.fromEntries(
        Object.entries(SQL).map(([name, text]) => [name, connection.prepare(text)]),
      ) as Statements;
      this.prepared.set(connection, statements);
    }
    return statements;
  }
}
