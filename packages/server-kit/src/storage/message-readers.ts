import type { Knex } from 'knex';
import type { MessageRecord } from '../domain/records.js';
import { type MessageRow, type ReadRow, readersByMessage, toMessage } from './rows.js';

type Db = Knex | Knex.Transaction;

/** The messages with their readers, loaded for all of them in one query. */
export async function withReaders(db: Db, rows: readonly MessageRow[]): Promise<MessageRecord[]> {
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

/** The room's newest message, with its readers; null when the room has none. */
export async function lastMessageOf(db: Db, room: string): Promise<MessageRecord | null> {
  const row: MessageRow | undefined = await db('messages')
    .where('chat_room', room)
    .orderBy('id', 'desc')
    .first();
  return row ? ((await withReaders(db, [row]))[0] ?? null) : null;
}
