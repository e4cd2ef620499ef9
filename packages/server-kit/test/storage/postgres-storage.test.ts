import { randomUUID } from 'node:crypto';
import { createTestDatabase } from '@hirechat/server-kit/testing';
import type { Knex } from 'knex';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KnexChatStorage, type KnexChatStorageOptions } from '../../src/storage/knex-chat-storage.js';
import { MIGRATIONS_TABLE, migrationSource } from '../../src/storage/migrations/index.js';
import { createPostgresKnex } from '../../src/storage/postgres.js';
import {
  addRead,
  createRoom,
  describeChatStorage,
  insertMessage,
  messageEvent,
  newMessage,
  newRoom,
} from './chat-storage-suite.js';
import { addClients, removeClient } from './membership-suite.js';

/*
 * The storage contract against a real PostgreSQL (HIRECHAT_TEST_PG_URL, default the local `test`
 * database's server), in a database of this file's own that is dropped at the end. Each test of the
 * suite gets a fresh schema of that database, which is as empty as a fresh database and far cheaper.
 */

let database: { url: string; drop(): Promise<void> };
let admin: Knex;
let schemas = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  admin = createPostgresKnex(database.url, { pool: { max: 1 } });
});

afterAll(async () => {
  await admin?.destroy();
  await database?.drop();
});

/** Statements of this database waiting for a lock now (another connection holds it). */
async function waitingForLocks(): Promise<number> {
  const { rows } = await admin.raw<{ rows: { waiting: number }[] }>(
    "select count(*)::int as waiting from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()",
  );
  return rows[0]!.waiting;
}

/** A new empty schema, and storages whose connections all work in it (as a fresh database would). */
async function freshSchema(): Promise<{
  name: string;
  open(options?: KnexChatStorageOptions): KnexChatStorage;
  remove(): Promise<void>;
}> {
  const schema = `suite_${++schemas}`;
  await admin.raw('create schema ??', [schema]);
  return {
    name: schema,
    open: (options?: KnexChatStorageOptions) =>
      new KnexChatStorage(
        createPostgresKnex({ connectionString: database.url, options: `-c search_path=${schema}` }),
        options,
      ),
    remove: async () => {
      await admin.raw('drop schema ?? cascade', [schema]);
    },
  };
}

describeChatStorage('PostgreSQL', async () => {
  const { open, remove } = await freshSchema();
  const opened = [open()];
  return {
    storage: opened[0]!,
    async openAnother(options) {
      const another = open(options);
      opened.push(another);
      return another;
    },
    async cleanup() {
      await Promise.all(opened.map((storage) => storage.close()));
      await remove();
    },
  };
});

describe('PostgreSQL: races between processes are settled by the database', () => {
  const opened: KnexChatStorage[] = [];
  let removeSchema: (() => Promise<void>) | undefined;

  /** `count` storages, each with its own pool as that many server processes, over a new schema. */
  async function processes(count: number): Promise<{ schema: string; storages: KnexChatStorage[] }> {
    const { name, open, remove } = await freshSchema();
    removeSchema = remove;
    const storages = Array.from({ length: count }, () => open());
    opened.push(...storages);
    return { schema: name, storages };
  }

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((storage) => storage.close()));
    await removeSchema?.();
    removeSchema = undefined;
  });

  it('migrates once when several instances migrate an empty database at once', async () => {
    const { schema, storages } = await processes(6);

    await Promise.all(storages.map((storage) => storage.migrate()));

    const every = (await migrationSource.getMigrations([])).map(migrationSource.getMigrationName);
    expect(await admin.withSchema(schema).table(MIGRATIONS_TABLE).orderBy('id').pluck('name')).toEqual(every);
    // One lock row, released: a later migration (a new version's) can take it.
    expect(await admin.withSchema(schema).table(`${MIGRATIONS_TABLE}_lock`).select('*')).toEqual([
      { index: 1, is_locked: 0 },
    ]);
    const { room } = await createRoom(storages[5]!, newRoom());
    expect(await storages[0]!.getRoom(room.uuid)).toEqual(room);
  });

  it('gives every process the same room when they create it at once', async () => {
    const { storages } = await processes(4);
    await storages[0]!.migrate();
    const { recruiter, clients } = newRoom([randomUUID(), randomUUID(), randomUUID()]);

    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        createRoom(
          storages[i % storages.length]!,
          newRoom(i % 2 ? clients : [...clients].reverse(), recruiter),
        ),
      ),
    );

    expect(new Set(results.map((result) => result.room.uuid)).size).toBe(1);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    const rooms = await storages[1]!.listRooms({ viewer: recruiter });
    expect(rooms.map((summary) => summary.room)).toEqual([results[0]!.room]);
  });

  it('never deadlocks on additions, removals, reads and messages of rooms that share users, from many processes', async () => {
    const { storages } = await processes(4);
    await storages[0]!.migrate();
    // A recruiter's rooms that share clients: every write of any of them takes the recruiter's
    // inbox counter, and those of the shared clients, besides its own room's row.
    const recruiter = randomUUID();
    const shared: string[] = [randomUUID(), randomUUID(), randomUUID()];
    const rooms = [];
    for (let i = 0; i < 6; i++) {
      rooms.push((await createRoom(storages[0]!, newRoom([...shared, randomUUID()], recruiter))).room);
    }
    const first = await Promise.all(
      rooms.map((room) => insertMessage(storages[0]!, newMessage(room, recruiter))),
    );
    const joiners = rooms.map(() => [randomUUID(), randomUUID()]);
    const on = (i: number) => storages[i % storages.length]!;

    const results = await Promise.all(
      rooms.flatMap((room, i) => [
        addClients(on(i), room.uuid, joiners[i]!),
        removeClient(on(i + 1), room.uuid, room.clients.find((c) => !shared.includes(c))!),
        // A shared client leaves, racing the messages of every room and the others' reads.
        removeClient(on(i + 2), room.uuid, shared[i % shared.length]!),
        ...Array.from({ length: 6 }, (_, k) => insertMessage(on(i + k), newMessage(room, recruiter))),
        ...shared
          .filter((reader) => reader !== shared[i % shared.length])
          .map((reader, k) => addRead(on(i + k), first[i]!.uuid, reader)),
      ]),
    );

    expect(results.filter((result) => result === null || result === false)).toEqual([]);
    for (const room of rooms) {
      const log = (await storages[1]!.eventsAfter(room.uuid, 0))!;
      expect(log.events.map((event) => event.seq)).toEqual(Array.from({ length: log.seq }, (_, i) => i + 1));
    }
    for (const user of [recruiter, ...shared, ...joiners.flat()]) {
      const inbox = await storages[2]!.inboxEventsAfter(user, 0);
      expect(inbox.events.map((event) => event.seq)).toEqual(
        Array.from({ length: inbox.seq }, (_, i) => i + 1),
      );
    }
    // rooms × (creation, first message, addition, two removals, six messages); reads are the readers' own.
    expect(await storages[3]!.inboxSeq(recruiter)).toBe(rooms.length * 11);
  });

  it('shuts out a sender removed while their message waited for the room’s lock', async () => {
    const { schema, storages } = await processes(1);
    const storage = storages[0]!;
    await storage.migrate();
    const { room } = await createRoom(storage, newRoom([randomUUID(), randomUUID()]));
    const [leaving, staying] = room.clients as [string, string];
    // Another process's removal, by hand: it holds the room's row lock, as every logged write does.
    const remover = createPostgresKnex({
      connectionString: database.url,
      options: `-c search_path=${schema}`,
    });
    try {
      const trx = await remover.transaction();
      await trx('chat_rooms').where('uuid', room.uuid).increment('last_seq', 1);
      await trx('chat_room_participants').where({ room_uuid: room.uuid, user_id: leaving }).delete();

      const posting = storage.insertMessage(newMessage(room, leaving), messageEvent('message_created'));
      // The message waits for the room's lock; the removal commits while it waits.
      await expect.poll(() => waitingForLocks(), { timeout: 5_000 }).toBeGreaterThan(0);
      await trx.commit();

      expect(await posting).toBeNull();
      expect(await storage.roomSeq(room.uuid)).toBe(1);
      expect(await storage.inboxSeq(staying)).toBe(1);
      expect((await storage.listMessages({ viewer: staying, limit: 10 })).messages).toEqual([]);
    } finally {
      await remover.destroy();
    }
  });

  it('numbers messages of one room from two processes without a gap, each log in commit order', async () => {
    const { storages } = await processes(2);
    await storages[0]!.migrate();
    const { room } = await createRoom(storages[0]!, newRoom([randomUUID(), randomUUID()]));
    const senders = [room.recruiter, ...room.clients];

    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        insertMessage(storages[i % 2]!, newMessage(room, senders[i % senders.length]!)),
      ),
    );

    const log = (await storages[1]!.eventsAfter(room.uuid, 0))!;
    expect(log.events.map((event) => event.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const created = log.events.map((event) => (event.type === 'message_created' ? event.message.uuid : null));
    // Positions are taken under the room's lock too: the order of the list is the order of commit.
    const listed = await storages[0]!.listMessages({
      viewer: room.recruiter,
      chatRoom: room.uuid,
      limit: 50,
    });
    expect(listed.messages.map((message) => message.uuid)).toEqual(created);
    for (const user of senders) {
      const inbox = await storages[0]!.inboxEventsAfter(user, 0);
      expect(inbox.events.map((event) => event.seq)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
      const heard = inbox.events.flatMap((event) =>
        event.type === 'message_created' ? [event.message.uuid] : [],
      );
      expect(heard).toEqual(created);
    }
  });

  it('records one read when processes record the same read at once', async () => {
    const { storages } = await processes(4);
    await storages[0]!.migrate();
    const { room } = await createRoom(storages[0]!, newRoom());
    const message = await insertMessage(storages[1]!, newMessage(room, room.recruiter));
    const reader = room.clients[0]!;

    const added = await Promise.all(
      Array.from({ length: 12 }, (_, i) => addRead(storages[i % storages.length]!, message.uuid, reader)),
    );

    expect(added.filter(Boolean)).toHaveLength(1);
    expect((await storages[2]!.getMessage(message.uuid))?.readBy).toEqual([reader]);
  });
});
