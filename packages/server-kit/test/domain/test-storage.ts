import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createTestDatabase } from '@hirechat/server-kit/testing';
import Database from 'better-sqlite3';
import type { Knex } from 'knex';
import { KnexChatStorage } from '../../src/storage/knex-chat-storage.js';
import { createPostgresKnex } from '../../src/storage/postgres.js';
import { createSqliteKnex } from '../../src/storage/sqlite.js';

/*
 * The database of a domain test, as HIRECHAT_TEST_DATABASE says (see the vitest projects): a
 * SQLite file in the test's folder, or a PostgreSQL schema of its own in the file's database
 * (HIRECHAT_TEST_DATABASE_URL), as empty as a fresh database. Besides the storage, a second
 * connection of another "process", to look at what is committed and to make the database refuse.
 */

export interface TestStorage {
  storage: KnexChatStorage;
  /** What another connection sees committed of the message now, or null. */
  committedMessage(uuid: string): Promise<{ content: string | null; is_edited: boolean } | null>;
  /** The readers of the message that another connection sees committed now, in read order. */
  committedReaders(uuid: string): Promise<string[]>;
  /** Makes the database itself refuse every new message, with an error that says "refused". */
  refuseMessages(): Promise<void>;
  /** Closes the storage and the other connection, and removes the database. */
  close(): Promise<void>;
}

export async function openTestStorage(dir: string): Promise<TestStorage> {
  return process.env.HIRECHAT_TEST_DATABASE === 'postgres'
    ? openPostgres()
    : openSqlite(join(dir, 'chat.sqlite'));
}

function openSqlite(file: string): TestStorage {
  const storage = new KnexChatStorage(createSqliteKnex(file));
  // Opened on first use, once the storage has made the file.
  let other: Database.Database | undefined;
  const connection = () => {
    other ??= new Database(file);
    return other;
  };
  return {
    storage,
    async committedMessage(uuid) {
      const row = connection()
        .prepare<[string], { content: string | null; is_edited: number }>(
          'select content, is_edited from messages where uuid = ?',
        )
        .get(uuid);
      return row ? { content: row.content, is_edited: row.is_edited === 1 } : null;
    },
    async committedReaders(uuid) {
      return connection()
        .prepare<[string], { user_id: string }>(
          'select user_id from message_reads where message_uuid = ? order by id',
        )
        .all(uuid)
        .map((read) => read.user_id);
    },
    async refuseMessages() {
      connection().exec(
        `create trigger refuse_messages before insert on messages begin select raise(abort, 'refused'); end`,
      );
    },
    async close() {
      other?.close();
      await storage.close();
    },
  };
}

async function openPostgres(): Promise<TestStorage> {
  // The file's database when the postgres project made one, else one of this test's own.
  const own = process.env.HIRECHAT_TEST_DATABASE_URL ? null : await createTestDatabase();
  const url = process.env.HIRECHAT_TEST_DATABASE_URL ?? own!.url;
  const schema = `domain_${randomBytes(6).toString('hex')}`;
  const inSchema = (max?: number) =>
    createPostgresKnex({ connectionString: url, options: `-c search_path=${schema}` }, { pool: { max } });
  const other: Knex = inSchema(1);
  try {
    await other.raw('create schema ??', [schema]);
  } catch (error) {
    await other.destroy();
    await own?.drop();
    throw error;
  }
  const storage = new KnexChatStorage(inSchema());
  return {
    storage,
    async committedMessage(uuid) {
      const row: { content: string | null; is_edited: boolean } | undefined = await other('messages')
        .select('content', 'is_edited')
        .where('uuid', uuid)
        .first();
      return row ?? null;
    },
    async committedReaders(uuid) {
      return other('message_reads').where('message_uuid', uuid).orderBy('id').pluck('user_id');
    },
    async refuseMessages() {
      await other.raw(`create function refuse_messages() returns trigger language plpgsql
        as $$ begin raise exception 'refused'; end $$`);
      await other.raw(
        'create trigger refuse_messages before insert on messages for each row execute function refuse_messages()',
      );
    },
    async close() {
      await storage.close();
      try {
        await other.raw('drop schema ?? cascade', [schema]);
      } finally {
        await other.destroy();
        await own?.drop();
      }
    },
  };
}
