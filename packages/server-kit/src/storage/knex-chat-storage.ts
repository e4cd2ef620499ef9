import { createHash } from 'node:crypto';
import type { LoggedRoomEvent, UnsequencedRoomEvent } from '@hirechat/protocol';
import type { Knex } from 'knex';
import type { MessageRecord, RoomRecord, RoomSummaryRecord, UserRecord } from '../domain/records.js';
import { nowTimestamp } from '../domain/timestamp.js';
import type {
  ChatStorage,
  EventLogRead,
  EventOf,
  Logged,
  MessagePage,
  MessagePosition,
  MessageQuery,
  NewMessage,
  RoomQuery,
} from '../ports/chat-storage.js';
import type { UserDirectory } from '../ports/user-directory.js';
import { migrateToLatest } from './migrations/index.js';
import { DEFAULT_EVENT_LOG_SIZE, readEventsAfter, readRoomSeq, writeLogged } from './room-event-log.js';
import { readRoomSummaries } from './room-list.js';
import {
  type MessageRow,
  type ReadRow,
  type RoomRow,
  readersByMessage,
  sortedIds,
  toMessage,
  toRoom,
} from './rows.js';
import { isSqlite } from './sqlite.js';
import { translateErrorsOf } from './storage-errors.js';

type Db = Knex | Knex.Transaction;

/** Participant rows per INSERT statement. */
const PARTICIPANT_INSERT_CHUNK = 250;

export interface KnexChatStorageOptions {
  /**
   * Events each room's log keeps for sockets that resume with `?since=`; older ones are pruned as
   * new ones come (every size/16 writes, so the log may hold a sixteenth more). A client away for
   * longer is told to resync. Default 1000.
   */
  eventLogSize?: number;
}

/**
 * Rooms, messages, reads and users over knex: SQLite (better-sqlite3) or PostgreSQL (pg) through
 * the same queries and migrations. Takes a knex instance the caller made and owns it from then on:
 * `close()` destroys it.
 */
export class KnexChatStorage implements ChatStorage, UserDirectory {
  private readonly eventLogSize: number;

  constructor(
    private readonly knex: Knex,
    options: KnexChatStorageOptions = {},
  ) {
    this.eventLogSize = options.eventLogSize ?? DEFAULT_EVENT_LOG_SIZE;
    if (!Number.isInteger(this.eventLogSize) || this.eventLogSize < 1) {
      throw new Error(
        `KnexChatStorage: eventLogSize must be a whole number of 1 or more, got ${this.eventLogSize}.`,
      );
    }
  }

  async migrate(): Promise<void> {
    await migrateToLatest(this.knex);
  }

  async ping(): Promise<void> {
    await this.knex.raw('select 1');
  }

  async close(): Promise<void> {
    await this.knex.destroy();
  }

  async createRoom(room: RoomRecord): Promise<{ room: RoomRecord; created: boolean }> {
    const clients = sortedIds(room.clients);
    const key = participantsKey(room.recruiter, clients);
    return this.knex.transaction(async (trx) => {
      // The unique key settles concurrent creations: the loser inserts nothing and reads the winner.
      const inserted = await trx('chat_rooms')
        .insert({
          uuid: room.uuid,
          recruiter: room.recruiter,
          created_at: room.createdAt,
          last_activity_at: room.createdAt,
          participants_key: key,
        })
        .onConflict('participants_key')
        .ignore()
        .returning('uuid');
      if (inserted.length > 0) {
        // In chunks: SQLite refuses one INSERT of 500 rows or more (its compound-select limit).
        await trx.batchInsert(
          'chat_room_participants',
          [
            { room_uuid: room.uuid, user_id: room.recruiter, role: 'recruiter' },
            ...clients.map((client) => ({ room_uuid: room.uuid, user_id: client, role: 'client' })),
          ],
          PARTICIPANT_INSERT_CHUNK,
        );
        return { room: { ...room, clients }, created: true };
      }
      const existing = await trx<RoomRow>('chat_rooms').where('participants_key', key).first();
      if (!existing) throw new Error(`Room with participants key ${key} vanished while being created`);
      // Equal keys mean the same recruiter and clients, so the participants need no reading.
      return { room: toRoom(existing, clients), created: false };
    });
  }

  async getRoom(uuid: string): Promise<RoomRecord | null> {
    // Participants never change after creation, so the two reads need no shared snapshot.
    const row = await this.knex<RoomRow>('chat_rooms').where('uuid', uuid).first();
    if (!row) return null;
    const clients = await this.knex('chat_room_participants')
      .where({ room_uuid: uuid, role: 'client' })
      .pluck('user_id');
    return toRoom(row, clients);
  }

  async listRooms(query: RoomQuery): Promise<RoomSummaryRecord[]> {
    return this.snapshot((db) => readRoomSummaries(db, query));
  }

  async insertMessage(message: NewMessage, event: EventOf<MessageRecord>): Promise<Logged<MessageRecord>> {
    const room = { room: message.chatRoom, activeAt: message.timestamp };
    const logged = await this.writeLogged(room, event, async (trx) => {
      const [inserted] = await trx('messages')
        .insert({
          uuid: message.uuid,
          chat_room: message.chatRoom,
          sender: message.sender,
          file_key: message.fileKey,
          job: message.job,
          content: message.content,
          timestamp: message.timestamp,
          is_edited: false,
        })
        .returning('id');
      if (!inserted) throw new Error(`Inserting message ${message.uuid} answered no id`);
      await changeUnread(trx, +1).where('room_uuid', message.chatRoom).whereNot('user_id', message.sender);
      return { ...message, position: Number(inserted.id), isEdited: false, readBy: [] };
    });
    if (!logged) throw new Error(`No room ${message.chatRoom} for message ${message.uuid}`);
    return logged;
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
    event: EventOf<MessageRecord>,
  ): Promise<Logged<MessageRecord> | null> {
    return this.writeLogged({ message: uuid }, event, async (trx) => {
      const [row]: MessageRow[] = await trx('messages')
        .where('uuid', uuid)
        .update({ content, is_edited: true })
        .returning('*');
      return row ? (await this.withReaders(trx, [row]))[0]! : null;
    });
  }

  async deleteMessage(uuid: string, event: EventOf<MessageRecord>): Promise<Logged<MessageRecord> | null> {
    return this.writeLogged({ message: uuid }, event, async (trx) => {
      // A write that changes nothing, so that the transaction holds the row (PostgreSQL) or the
      // write lock (SQLite) before reading: the answer is the message exactly as it was deleted,
      // and SQLite never has to upgrade a read snapshot that another writer made stale.
      const [row]: MessageRow[] = await trx('messages').where('uuid', uuid).update({ uuid }).returning('*');
      if (!row) return null;
      const [message] = await this.withReaders(trx, [row]);
      await changeUnread(trx, -1)
        .where('room_uuid', row.chat_room)
        .whereNot('user_id', row.sender)
        .whereNotIn('user_id', message!.readBy);
      await trx('message_reads').where('message_uuid', uuid).delete();
      await trx('messages').where('uuid', uuid).delete();
      await trx('deleted_message_positions').insert({ uuid, chat_room: row.chat_room, position: row.id });
      return message!;
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
      return { messages: await this.withReaders(db, page), hasMore: rows.length > query.limit };
    });
  }

  /** Null also when the message no longer exists: a read that raced its deletion changes nothing. */
  async addRead(
    messageUuid: string,
    userId: string,
    event: UnsequencedRoomEvent,
  ): Promise<LoggedRoomEvent | null> {
    try {
      const logged = await this.writeLogged(
        { message: messageUuid },
        () => event,
        async (trx) => {
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
          return true;
        },
      );
      return logged?.event ?? null;
    } catch (error) {
      if (isForeignKeyViolation(error)) return null;
      throw error;
    }
  }

  async eventsAfter(room: string, since: number): Promise<EventLogRead | null> {
    return this.snapshot((db) => readEventsAfter(db, room, since));
  }

  async roomSeq(room: string): Promise<number | null> {
    // One statement: no snapshot needed, which every socket's handshake would otherwise pay for.
    return readRoomSeq(this.knex, room);
  }

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

  private writeLogged<R>(
    roomOf: { room: string } | { message: string },
    event: EventOf<R>,
    write: (trx: Knex.Transaction) => Promise<R | null>,
  ): Promise<Logged<R> | null> {
    return writeLogged(this.knex, this.eventLogSize, roomOf, write, event);
  }

  private async findMessage(select: (db: Db) => Knex.QueryBuilder): Promise<MessageRecord | null> {
    return this.snapshot(async (db) => {
      const row: MessageRow | undefined = await select(db).first();
      return row ? (await this.withReaders(db, [row]))[0]! : null;
    });
  }

  /** The messages with their readers, loaded for all of them in one query. */
  private async withReaders(db: Db, rows: readonly MessageRow[]): Promise<MessageRecord[]> {
    if (rows.length === 0) return [];
    const reads: ReadRow[] = await db('message_reads')
      .select('message_uuid', 'user_id')
      .whereIn(
        'message_uuid',
        rows.map((row) => row.uuid),
      )
      .orderBy('id');
    const readers = readersByMessage(reads);
    return rows.map((row) => toMessage(row, readers.get(row.uuid) ?? []));
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
  ping: false,
  close: false,
  createRoom: true,
  getRoom: true,
  listRooms: true,
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

/** One value per recruiter and set of clients; a digest so that its length never grows. */
function participantsKey(recruiter: string, sortedClients: readonly string[]): string {
  return createHash('sha256')
    .update([recruiter, ...sortedClients].join(','))
    .digest('hex');
}

function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // PostgreSQL's SQLSTATE, better-sqlite3's extended result code.
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
