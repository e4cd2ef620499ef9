import { INBOX_LOG_MIN_EVENTS, type InboxEvent } from '@hirechat/protocol';
import type { Knex } from 'knex';
import type {
  MessageRecord,
  ReadRecord,
  RoomChangeRecord,
  RoomRecord,
  RoomSummaryRecord,
  UserRecord,
} from '../domain/records.js';
import { nowTimestamp } from '../domain/timestamp.js';
import type {
  ChatStorage,
  CreatedRoom,
  EventLogRead,
  EventsOf,
  Logged,
  MessagePage,
  MessagePosition,
  MessageQuery,
  NewMessage,
  RoomAccess,
  RoomParticipants,
  RoomQuery,
} from '../ports/chat-storage.js';
import type { UserDirectory } from '../ports/user-directory.js';
import { KnexDeliveryQueue } from '../webhooks/knex/knex-delivery-queue.js';
import { KnexOutboxWriter } from '../webhooks/knex/knex-outbox-writer.js';
import { KnexUnreadLedger } from '../webhooks/knex/knex-unread-ledger.js';
import type { Outbox, OutboxConfig, OutboxStorage } from '../webhooks/outbox.js';
import { readInboxEventsAfter, readInboxSeq } from './inbox-log.js';
import { type LoggedWrite, type LogSizes, type OutboxWriter, writeLogged } from './logged-write.js';
import { withReaders } from './message-readers.js';
import type { MessageWrite } from './message-write/message-write.js';
import { PostgresMessageWrite } from './message-write/postgres-message-write.js';
import { SqliteMessageWrite } from './message-write/sqlite-message-write.js';
import { MIGRATIONS_TABLE, migrateToLatest } from './migrations/index.js';
import { DEFAULT_EVENT_LOG_SIZE, readEventsAfter, readRoomSeq } from './room-event-log.js';
import { readRoomSummaries } from './room-list.js';
import {
  addClientsTo,
  afterRemoval,
  createRoom,
  isParticipant,
  readRoom,
  readRoomAccess,
  readRoomsWithParticipants,
  removeClientFrom,
} from './rooms.js';
import { type MessageRow, sortedIds } from './rows.js';
import { isSqlite } from './sqlite.js';
import { translateErrorsOf } from './storage-errors.js';

type Db = Knex | Knex.Transaction;

export interface KnexChatStorageOptions {
  /**
   * Events each room's log keeps for sockets that resume with `?since=`; older ones are pruned as
   * new ones come (every size/16 writes, so the log may hold a sixteenth more). A client away for
   * longer is told to resync. Default 1000.
   */
  eventLogSize?: number;
  /**
   * Events each user's inbox log keeps for inbox sockets that resume with `?since=`, pruned the
   * same way. Default and least: 1000 (contract, "The inbox").
   */
  inboxLogSize?: number;
}

/**
 * Rooms, messages, reads and users over knex: SQLite (better-sqlite3) or PostgreSQL (pg) through
 * the same queries and migrations, but for the message create, which runs its own prepared
 * statements on a connection of the same pool (message-write/). Takes a knex instance the caller
 * made and owns it from then on: `close()` destroys it.
 */
export class KnexChatStorage implements ChatStorage, UserDirectory, OutboxStorage {
  private readonly sizes: LogSizes;
  /** Where writes queue their domain events; none until the outbox is opened (see openOutbox). */
  private outbox: OutboxWriter | null = null;
  /** What the outbox queues, for the message create's own statements; none until opened. */
  private outboxConfig: OutboxConfig | null = null;
  /** The message create, in the dialect's own prepared statements. */
  private readonly messages: MessageWrite;

  constructor(
    private readonly knex: Knex,
    options: KnexChatStorageOptions = {},
  ) {
    this.sizes = {
      room: options.eventLogSize ?? DEFAULT_EVENT_LOG_SIZE,
      inbox: options.inboxLogSize ?? INBOX_LOG_MIN_EVENTS,
    };
    if (!Number.isInteger(this.sizes.room) || this.sizes.room < 1) {
      throw new Error(
        `KnexChatStorage: eventLogSize must be a whole number of 1 or more, got ${this.sizes.room}.`,
      );
    }
    if (!Number.isInteger(this.sizes.inbox) || this.sizes.inbox < INBOX_LOG_MIN_EVENTS) {
      throw new Error(
        `KnexChatStorage: inboxLogSize must be a whole number of ${INBOX_LOG_MIN_EVENTS} or more, got ${this.sizes.inbox}.`,
      );
    }
    this.messages = isSqlite(knex)
      ? new SqliteMessageWrite(knex, this.sizes)
      : new PostgresMessageWrite(knex, this.sizes);
  }

  async migrate(): Promise<void> {
    await migrateToLatest(this.knex);
  }

  /**
   * Whether a hirechat storage was ever migrated in this database (its migrations table is there):
   * for tools that must not make hirechat's tables in a database named by mistake.
   */
  async isMigrated(): Promise<boolean> {
    return this.knex.schema.hasTable(MIGRATIONS_TABLE);
  }

  /**
   * From now on, every write also queues its domain events for webhook delivery (and keeps the
   * state of `message.unread`) in its own transaction, as `config` says; answers the queue and the
   * ledger that the plugin's delivery loop and notifier read. The plugin calls it for its
   * `webhooks` and `unread` options.
   */
  openOutbox(config: OutboxConfig): Outbox {
    this.outbox = new KnexOutboxWriter(config);
    this.outboxConfig = config;
    return {
      deliveries: new KnexDeliveryQueue(this.knex),
      unread: new KnexUnreadLedger(this.knex, config),
    };
  }

  async ping(): Promise<void> {
    await this.knex.raw('select 1');
  }

  async close(): Promise<void> {
    await this.knex.destroy();
  }

  // ---- rooms ----------------------------------------------------------------------------------

  async createRoom(
    room: RoomRecord,
    events: Pick<EventsOf<RoomChangeRecord>, 'inbox' | 'webhooks'>,
  ): Promise<CreatedRoom> {
    return createRoom(this.knex, this.sizes.inbox, room, events, this.outbox);
  }

  async getRoom(uuid: string): Promise<RoomRecord | null> {
    return this.snapshot((db) => readRoom(db, uuid));
  }

  async isParticipant(room: string, user: string): Promise<boolean> {
    return isParticipant(this.knex, room, user);
  }

  async roomAccess(room: string, user: string): Promise<RoomAccess | null> {
    return readRoomAccess(this.knex, room, user);
  }

  async listRooms(query: RoomQuery): Promise<RoomSummaryRecord[]> {
    return this.snapshot((db) => readRoomSummaries(db, query));
  }

  async roomsWithParticipants(user: string): Promise<RoomParticipants[]> {
    return readRoomsWithParticipants(this.knex, user);
  }

  async addClients(
    room: string,
    clients: readonly string[],
    events: EventsOf<RoomChangeRecord>,
  ): Promise<Logged<RoomChangeRecord> | null> {
    return this.writeLogged({ roomOf: { room }, events, write: (trx) => addClientsTo(trx, room, clients) });
  }

  async removeClient(
    room: string,
    client: string,
    events: EventsOf<RoomChangeRecord>,
  ): Promise<Logged<RoomChangeRecord> | null> {
    return this.writeLogged({
      roomOf: { room },
      events,
      write: (trx) => removeClientFrom(trx, room, client),
      recipients: afterRemoval(client),
    });
  }

  // ---- messages -------------------------------------------------------------------------------

  /** Without knex's query builder, the hot path of every message: see message-write/. */
  async insertMessage(
    message: NewMessage,
    events: EventsOf<MessageRecord>,
  ): Promise<Logged<MessageRecord> | null> {
    return this.messages.insert(message, events, this.outboxConfig);
  }

  async getMessage(uuid: string): Promise<MessageRecord | null> {
    return this.findMessage((db) => db('messages').where('uuid', uuid));
  }

  async findMessageByFileKey(fileKey: string): Promise<MessageRecord | null> {
    return this.findMessage((db) => db('messages').where('file_key', fileKey).orderBy('id'));
  }

  async messagePosition(uuid: string): Promise<MessagePosition | null> {
    // Live messages first: a message deleted after this read has left its position behind (in the
    // delete's own transaction), where the second read finds it.
    const row: { position: number | string; chat_room: string } | undefined =
      (await this.knex('messages').select('id as position', 'chat_room').where('uuid', uuid).first()) ??
      (await this.knex('deleted_message_positions')
        .select('position', 'chat_room')
        .where('uuid', uuid)
        .first());
    return row ? { position: Number(row.position), chatRoom: row.chat_room } : null;
  }

  async updateMessageContent(
    uuid: string,
    content: string,
    events: EventsOf<MessageRecord>,
  ): Promise<Logged<MessageRecord> | null> {
    return this.writeLogged({
      roomOf: { message: uuid },
      events,
      write: async (trx) => {
        const [row]: MessageRow[] = await trx('messages')
          .where('uuid', uuid)
          .update({ content, is_edited: true })
          .returning('*');
        return row ? (await withReaders(trx, [row]))[0]! : null;
      },
    });
  }

  async deleteMessage(uuid: string, events: EventsOf<MessageRecord>): Promise<Logged<MessageRecord> | null> {
    return this.writeLogged({
      roomOf: { message: uuid },
      events,
      write: async (trx) => {
        // A write that changes nothing, so that the transaction holds the row (PostgreSQL) or the
        // write lock (SQLite) before reading: the answer is the message exactly as it was deleted,
        // and SQLite never has to upgrade a read snapshot that another writer made stale.
        const [row]: MessageRow[] = await trx('messages').where('uuid', uuid).update({ uuid }).returning('*');
        if (!row) return null;
        const [message] = await withReaders(trx, [row]);
        await changeUnread(trx, -1)
          .where('room_uuid', row.chat_room)
          .whereNot('user_id', row.sender)
          .whereNotIn('user_id', message!.readBy);
        await trx('message_reads').where('message_uuid', uuid).delete();
        await trx('messages').where('uuid', uuid).delete();
        await trx('deleted_message_positions').insert({ uuid, chat_room: row.chat_room, position: row.id });
        return message!;
      },
    });
  }

  async listMessages(query: MessageQuery): Promise<MessagePage> {
    if (query.senders?.length === 0) return { messages: [], hasMore: false };
    const forward = query.after != null && query.before == null;
    return this.snapshot(async (db) => {
      const select = db<MessageRow>('messages as m')
        .select('m.*')
        .whereExists(
          db('chat_room_participants as p')
            .select(db.raw('1'))
            .where('p.room_uuid', db.ref('m.chat_room'))
            .where('p.user_id', query.viewer),
        );
      if (query.chatRoom != null) select.where('m.chat_room', query.chatRoom);
      if (query.senders) select.whereIn('m.sender', query.senders);
      if (query.before != null) select.where('m.id', '<', query.before);
      if (query.after != null) select.where('m.id', '>', query.after);
      // One row past the page tells whether there is more without counting.
      const rows: MessageRow[] = await select
        .orderBy('m.id', forward ? 'asc' : 'desc')
        .limit(query.limit + 1);
      const page = rows.slice(0, query.limit);
      if (!forward) page.reverse();
      return { messages: await withReaders(db, page), hasMore: rows.length > query.limit };
    });
  }

  /** Null also when the message no longer exists: a read that raced its deletion changes nothing. */
  async addRead(
    messageUuid: string,
    userId: string,
    events: EventsOf<ReadRecord>,
  ): Promise<Logged<ReadRecord> | null> {
    try {
      return await this.writeLogged({
        roomOf: { message: messageUuid },
        events,
        write: async (trx, room) => {
          if (!(await isParticipant(trx, room, userId))) return null;
          // RETURNING answers a row only when this statement inserted one, which stays true under
          // concurrency on both dialects (unlike comparing counts, or SQLite's last insert id).
          const inserted = await trx('message_reads')
            .insert({ message_uuid: messageUuid, user_id: userId })
            .onConflict(['message_uuid', 'user_id'])
            .ignore()
            .returning('id');
          if (inserted.length === 0) return null;
          // Their own messages never counted as unread for them.
          await changeUnread(trx, -1)
            .where('user_id', userId)
            .where(
              'room_uuid',
              trx('messages').select('chat_room').where('uuid', messageUuid).whereNot('sender', userId),
            );
          return { messageUuid, chatRoom: room, userId };
        },
        // The reader's own count changed; nobody else's did.
        recipients: async (trx, room) => {
          const row: { unread_count: number | string } | undefined = await trx('chat_room_participants')
            .select('unread_count')
            .where({ room_uuid: room, user_id: userId })
            .first();
          return [{ user: userId, unreadCount: Number(row?.unread_count ?? 0), removed: false }];
        },
      });
    } catch (error) {
      if (isForeignKeyViolation(error)) return null;
      throw error;
    }
  }

  // ---- event logs -----------------------------------------------------------------------------

  async eventsAfter(room: string, since: number): Promise<EventLogRead | null> {
    return this.snapshot((db) => readEventsAfter(db, room, since));
  }

  async roomSeq(room: string): Promise<number | null> {
    // One statement: no snapshot needed, which every socket's handshake would otherwise pay for.
    return readRoomSeq(this.knex, room);
  }

  async inboxEventsAfter(user: string, since: number): Promise<EventLogRead<InboxEvent>> {
    return this.snapshot((db) => readInboxEventsAfter(db, user, since));
  }

  async inboxSeq(user: string): Promise<number> {
    return readInboxSeq(this.knex, user);
  }

  // ---- users ----------------------------------------------------------------------------------

  async remember(user: UserRecord): Promise<void> {
    const changing = ['email', 'name', 'role'] as const;
    await this.knex('users')
      .insert({
        id: user.id,
        email: user.email,
        email_lower: user.email?.toLowerCase() ?? null,
        name: user.name,
        role: user.role,
        updated_at: nowTimestamp(),
      })
      .onConflict('id')
      .merge()
      // Most calls repeat what is stored; skipping those spares a write per request.
      .where(
        this.knex.raw(
          changing.map(() => '?? is distinct from ??').join(' or '),
          changing.flatMap((column) => [`users.${column}`, `excluded.${column}`]),
        ),
      );
  }

  async idsByEmail(email: string): Promise<string[]> {
    return sortedIds(await this.knex('users').where('email_lower', email.toLowerCase()).pluck('id'));
  }

  // ---- internals ------------------------------------------------------------------------------

  private writeLogged<R>(write: LoggedWrite<R>): Promise<Logged<R> | null> {
    return writeLogged(this.knex, this.sizes, write, this.outbox);
  }

  private async findMessage(select: (db: Db) => Knex.QueryBuilder): Promise<MessageRecord | null> {
    return this.snapshot(async (db) => {
      const row: MessageRow | undefined = await select(db).first();
      return row ? (await withReaders(db, [row]))[0]! : null;
    });
  }

  /** Runs several reads against one snapshot, so that together they answer one moment's state. */
  private snapshot<T>(read: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    // SQLite transactions are serializable already, and knex warns when given a level for them.
    const config: Knex.TransactionConfig = isSqlite(this.knex)
      ? {}
      : { isolationLevel: 'repeatable read', readOnly: true };
    return this.knex.transaction(read, config);
  }
}

/*
 * A database that cannot be reached answers every request-serving call as ChatError `unavailable`
 * (503), here in one place. Migrations keep their own error, for whoever starts the server, and
 * the health check needs only a rejection.
 */
translateErrorsOf(KnexChatStorage.prototype, {
  migrate: false,
  isMigrated: false,
  ping: false,
  close: false,
  createRoom: true,
  getRoom: true,
  isParticipant: true,
  roomAccess: true,
  listRooms: true,
  roomsWithParticipants: true,
  addClients: true,
  removeClient: true,
  insertMessage: true,
  getMessage: true,
  findMessageByFileKey: true,
  messagePosition: true,
  updateMessageContent: true,
  deleteMessage: true,
  listMessages: true,
  addRead: true,
  eventsAfter: true,
  roomSeq: true,
  inboxEventsAfter: true,
  inboxSeq: true,
  remember: true,
  idsByEmail: true,
});

/**
 * Moves the unread counts of the participants the caller picks (with `where`) by `by`: every write
 * that makes a message unread or read for someone keeps their count, in its own transaction.
 */
function changeUnread(trx: Knex.Transaction, by: 1 | -1): Knex.QueryBuilder {
  return trx('chat_room_participants').update({
    unread_count: trx.raw(by > 0 ? '?? + 1' : '?? - 1', ['unread_count']),
  });
}

function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // PostgreSQL's SQLSTATE, better-sqlite3's extended result code.
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
