import { randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  messageCreatedEvents,
  messageDeletedEvents,
  messageReadEvents,
  messageUpdatedEvents,
  participantsChangedEvents,
  roomCreatedEvents,
} from '../../src/domain/events/change-events.js';
import { MediaUrls } from '../../src/domain/media-urls.js';
import type { MessageRecord, RoomRecord } from '../../src/domain/records.js';
import { formatMicros, nowTimestamp } from '../../src/domain/timestamp.js';
import { toMessage } from '../../src/domain/to-wire.js';
import type { ChatStorage, EventsOf, NewMessage } from '../../src/ports/chat-storage.js';
import type { KnexChatStorage, KnexChatStorageOptions } from '../../src/storage/knex-chat-storage.js';
import { MIGRATIONS_TABLE, migrationSource } from '../../src/storage/migrations/index.js';
import { describeEventLog } from './event-log-suite.js';
import { describeInboxLog } from './inbox-log-suite.js';
import { describeRoomMembership } from './membership-suite.js';
import { describeMessageWrite } from './message-write-suite.js';

export interface ChatStorageFixture {
  /** A storage over a fresh, empty database that has not been migrated yet. */
  storage: KnexChatStorage;
  /** Closes the storage (and anything opened with `openAnother`) and removes the database. */
  cleanup(): Promise<void>;
  /**
   * A second storage over the same database through its own knex instance, as another server
   * process would have, made with these options.
   */
  openAnother(options?: KnexChatStorageOptions): Promise<KnexChatStorage>;
}

export function newRoom(clients: string[] = [randomUUID()], recruiter: string = randomUUID()): RoomRecord {
  return { uuid: randomUUID(), recruiter, clients, createdAt: nowTimestamp() };
}

export function newMessage(room: RoomRecord, sender: string, fields: Partial<NewMessage> = {}): NewMessage {
  return {
    uuid: randomUUID(),
    chatRoom: room.uuid,
    sender,
    fileKey: null,
    job: null,
    content: `hello ${randomUUID()}`,
    timestamp: nowTimestamp(),
    ...fields,
  };
}

const uuids = (messages: readonly MessageRecord[]) => messages.map((message) => message.uuid);

/** Signs the file URLs of the messages that the storage tests shape. */
export const testMediaUrls = new MediaUrls({ secret: randomBytes(32) });

/** The message as the domain shapes it for the wire. */
export const wireMessage = (record: MessageRecord) => toMessage(record, testMediaUrls);

/** The events the domain logs with each write. */
export const messageEvent = (
  type: 'message_created' | 'message_updated' | 'message_deleted',
): EventsOf<MessageRecord> =>
  type === 'message_created'
    ? messageCreatedEvents(testMediaUrls)
    : type === 'message_updated'
      ? messageUpdatedEvents(testMediaUrls)
      : messageDeletedEvents(testMediaUrls);

/*
 * The writes as the domain makes them (each with its event), answering what the tests look at:
 * the record, or whether a read was new.
 */
/** Creates the room as the domain does; answers the room and whether it was new. */
export async function createRoom(
  storage: ChatStorage,
  room: RoomRecord,
): Promise<{ room: RoomRecord; created: boolean }> {
  const { room: stored, created } = await storage.createRoom(room, roomCreatedEvents(testMediaUrls));
  return { room: stored, created };
}
export async function insertMessage(storage: ChatStorage, message: NewMessage): Promise<MessageRecord> {
  const logged = await storage.insertMessage(message, messageEvent('message_created'));
  if (!logged) throw new Error(`message ${message.uuid} was not stored`);
  return logged.record;
}
export async function updateMessageContent(
  storage: ChatStorage,
  uuid: string,
  content: string,
): Promise<MessageRecord | null> {
  return (await storage.updateMessageContent(uuid, content, messageEvent('message_updated')))?.record ?? null;
}
export async function deleteMessage(storage: ChatStorage, uuid: string): Promise<MessageRecord | null> {
  return (await storage.deleteMessage(uuid, messageEvent('message_deleted')))?.record ?? null;
}
export async function addRead(storage: ChatStorage, message: string, user: string): Promise<boolean> {
  return (await storage.addRead(message, user, messageReadEvents())) !== null;
}

/** Each viewer's unread count of their only room, as the room list answers it. */
async function unreadCounts(storage: ChatStorage, viewers: readonly string[]): Promise<number[]> {
  return Promise.all(
    viewers.map(async (viewer) => {
      const [summary, ...others] = await storage.listRooms({ viewer });
      expect(others).toEqual([]);
      return summary!.unreadCount;
    }),
  );
}

/** The storage's own knex, for a test that rewinds a migration (nothing else reaches past the port). */
function knexOf(storage: KnexChatStorage): Knex {
  return (storage as unknown as { knex: Knex }).knex;
}

/**
 * The behaviour every ChatStorage (and its UserDirectory) must have, run against each database.
 * `create` answers a storage over a fresh database and a cleanup that closes and removes it.
 */
export function describeChatStorage(name: string, create: () => Promise<ChatStorageFixture>): void {
  describe(`ChatStorage contract: ${name}`, () => {
    let fixture: ChatStorageFixture;
    let storage: KnexChatStorage;

    beforeEach(async () => {
      fixture = await create();
      storage = fixture.storage;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    describe('migrations', () => {
      it('are harmless to run again', async () => {
        await storage.migrate();
        await storage.migrate();

        const { room } = await createRoom(storage, newRoom());
        expect(await storage.getRoom(room.uuid)).toEqual(room);
      });

      it('can be run by two instances at once on an empty database', async () => {
        const other = await fixture.openAnother();

        await Promise.all([storage.migrate(), other.migrate()]);
        await other.migrate();

        const { room } = await createRoom(storage, newRoom());
        expect(await other.getRoom(room.uuid)).toEqual(room);
      });

      it('fills in the unread counts of messages and reads written before counts were kept', async () => {
        await storage.migrate();
        const [recruiter, a, b] = [randomUUID(), randomUUID(), randomUUID()];
        const { room } = await createRoom(storage, newRoom([a, b], recruiter));
        const first = await insertMessage(storage, newMessage(room, recruiter));
        await insertMessage(storage, newMessage(room, a));
        await insertMessage(storage, newMessage(room, recruiter));
        await addRead(storage, first.uuid, a);
        await addRead(storage, first.uuid, b);
        expect(await unreadCounts(storage, [recruiter, a, b])).toEqual([1, 1, 2]);

        // Back to the schema before migration 003 (004 goes first), whose counts are gone, and
        // forward again.
        const knex = knexOf(storage);
        while (
          (await knex.migrate.currentVersion({ migrationSource, tableName: MIGRATIONS_TABLE })) !==
          '002-room-events'
        ) {
          await knex.migrate.down({ migrationSource, tableName: MIGRATIONS_TABLE });
        }
        expect(await knex.schema.hasColumn('chat_room_participants', 'unread_count')).toBe(false);
        await storage.migrate();

        expect(await unreadCounts(storage, [recruiter, a, b])).toEqual([1, 1, 2]);
      });

      it('answers ping', async () => {
        await expect(storage.ping()).resolves.toBeUndefined();
      });
    });

    describe('once migrated', () => {
      beforeEach(async () => {
        await storage.migrate();
      });

      describe('rooms', () => {
        it('creates a room and answers it with its clients sorted', async () => {
          const clients = [randomUUID(), randomUUID(), randomUUID()];
          const room = newRoom(clients);

          const result = await createRoom(storage, room);

          const expected = { ...room, clients: [...clients].sort() };
          expect(result).toEqual({ room: expected, created: true });
          expect(await storage.getRoom(room.uuid)).toEqual(expected);
        });

        it('creates a room of a thousand clients', async () => {
          const clients = Array.from({ length: 1_000 }, () => randomUUID());
          const room = newRoom(clients);

          await createRoom(storage, room);

          expect((await storage.getRoom(room.uuid))?.clients).toEqual([...clients].sort());
        });

        it('answers the existing room for the same recruiter and clients in another order', async () => {
          const [a, b] = [randomUUID(), randomUUID()];
          const { room: first } = await createRoom(storage, newRoom([a, b]));

          const again = await createRoom(storage, newRoom([b, a], first.recruiter));

          expect(again).toEqual({ room: first, created: false });
        });

        it('keeps rooms apart whose recruiter or clients differ', async () => {
          const [a, b] = [randomUUID(), randomUUID()];
          const { room: first } = await createRoom(storage, newRoom([a, b]));

          const fewer = await createRoom(storage, newRoom([a], first.recruiter));
          const more = await createRoom(storage, newRoom([a, b, randomUUID()], first.recruiter));
          const otherRecruiter = await createRoom(storage, newRoom([a, b]));

          for (const result of [fewer, more, otherRecruiter]) {
            expect(result.created).toBe(true);
            expect(result.room.uuid).not.toBe(first.uuid);
          }
        });

        it('creates one room when the same room is created concurrently', async () => {
          const recruiter = randomUUID();
          const clients = [randomUUID(), randomUUID()];

          const results = await Promise.all(
            Array.from({ length: 5 }, (_, i) =>
              createRoom(storage, newRoom(i % 2 ? clients : [...clients].reverse(), recruiter)),
            ),
          );

          expect(new Set(results.map((result) => result.room.uuid)).size).toBe(1);
          expect(results.filter((result) => result.created)).toHaveLength(1);
          expect(await storage.listRooms({ viewer: recruiter })).toHaveLength(1);
        });

        it('answers null for an unknown room', async () => {
          expect(await storage.getRoom(randomUUID())).toBeNull();
        });
      });

      describe('room lists', () => {
        it('lists only the rooms the viewer takes part in, as recruiter or client', async () => {
          const user = randomUUID();
          const { room: asRecruiter } = await createRoom(storage, newRoom([randomUUID()], user));
          const { room: asClient } = await createRoom(storage, newRoom([user, randomUUID()]));
          await createRoom(storage, newRoom());

          const rooms = await storage.listRooms({ viewer: user });

          expect(rooms.map((summary) => summary.room).sort((x, y) => x.uuid.localeCompare(y.uuid))).toEqual(
            [asRecruiter, asClient].sort((x, y) => x.uuid.localeCompare(y.uuid)),
          );
          expect(await storage.listRooms({ viewer: randomUUID() })).toEqual([]);
        });

        it('filters by recruiter and by client', async () => {
          const [viewer, recruiter, client] = [randomUUID(), randomUUID(), randomUUID()];
          const { room: byRecruiter } = await createRoom(storage, newRoom([viewer], recruiter));
          const { room: withClient } = await createRoom(storage, newRoom([viewer, client]));
          const { room: both } = await createRoom(storage, newRoom([viewer, client], recruiter));
          // The client filter means a client of the room: this room has `client` as its recruiter.
          await createRoom(storage, newRoom([viewer], client));

          const list = async (filters: { recruiter?: string; client?: string }) =>
            (await storage.listRooms({ viewer, ...filters })).map((summary) => summary.room.uuid).sort();

          expect(await list({ recruiter })).toEqual([byRecruiter.uuid, both.uuid].sort());
          expect(await list({ client })).toEqual([withClient.uuid, both.uuid].sort());
          expect(await list({ recruiter, client })).toEqual([both.uuid]);
          // The filters never reach past the viewer's own rooms.
          expect(await storage.listRooms({ viewer: randomUUID(), recruiter })).toEqual([]);
        });

        it('orders rooms by latest activity, newest first', async () => {
          const viewer = randomUUID();
          const { room: older } = await createRoom(storage, newRoom([randomUUID()], viewer));
          const { room: newer } = await createRoom(storage, newRoom([randomUUID()], viewer));
          const order = async () => (await storage.listRooms({ viewer })).map((summary) => summary.room.uuid);

          expect(await order()).toEqual([newer.uuid, older.uuid]);

          await insertMessage(storage, newMessage(older, viewer));
          expect(await order()).toEqual([older.uuid, newer.uuid]);

          await insertMessage(storage, newMessage(newer, viewer));
          expect(await order()).toEqual([newer.uuid, older.uuid]);
        });

        it('never moves a room’s activity back for a message stamped by a lagging clock', async () => {
          const viewer = randomUUID();
          const { room: first } = await createRoom(storage, newRoom([randomUUID()], viewer));
          const { room: second } = await createRoom(storage, newRoom([randomUUID()], viewer));
          const order = async () => (await storage.listRooms({ viewer })).map((summary) => summary.room.uuid);
          await insertMessage(storage, newMessage(first, viewer));
          await insertMessage(storage, newMessage(second, viewer));

          // Another process's clock, a minute behind: the message is stored, the room stays behind.
          const lagging = formatMicros((Date.now() - 60_000) * 1000);
          await insertMessage(storage, newMessage(first, viewer, { timestamp: lagging }));

          expect(await order()).toEqual([second.uuid, first.uuid]);
        });

        it('answers each room with its last message and the viewer’s unread count', async () => {
          const [recruiter, client] = [randomUUID(), randomUUID()];
          const { room } = await createRoom(storage, newRoom([client], recruiter));
          const { room: quiet } = await createRoom(storage, newRoom([randomUUID()], recruiter));
          const first = await insertMessage(storage, newMessage(room, recruiter));
          await insertMessage(storage, newMessage(room, client));
          const last = await insertMessage(storage, newMessage(room, recruiter));
          await addRead(storage, last.uuid, client);

          const summaryOf = async (viewer: string, uuid: string) =>
            (await storage.listRooms({ viewer })).find((summary) => summary.room.uuid === uuid);

          expect(await summaryOf(client, room.uuid)).toEqual({
            room,
            lastMessage: { ...last, readBy: [client] },
            unreadCount: 1,
          });
          expect((await summaryOf(recruiter, room.uuid))?.unreadCount).toBe(1);
          expect(await summaryOf(recruiter, quiet.uuid)).toEqual({
            room: quiet,
            lastMessage: null,
            unreadCount: 0,
          });

          await addRead(storage, first.uuid, client);
          expect((await summaryOf(client, room.uuid))?.unreadCount).toBe(0);
        });

        it('keeps each viewer’s unread count through reads, repeated reads, edits and deletes', async () => {
          const [recruiter, a, b] = [randomUUID(), randomUUID(), randomUUID()];
          const { room } = await createRoom(storage, newRoom([a, b], recruiter));
          const unread = () => unreadCounts(storage, [recruiter, a, b]);
          const first = await insertMessage(storage, newMessage(room, recruiter));
          const second = await insertMessage(storage, newMessage(room, recruiter));
          const fromA = await insertMessage(storage, newMessage(room, a));
          expect(await unread()).toEqual([1, 2, 3]);

          await addRead(storage, first.uuid, a);
          await addRead(storage, first.uuid, a); // read already: no change
          await addRead(storage, fromA.uuid, a); // one's own message never counted
          await updateMessageContent(storage, second.uuid, 'edited');
          expect(await unread()).toEqual([1, 1, 3]);

          // Deleting a message takes it off the count of whoever had not read it, and only theirs.
          await deleteMessage(storage, first.uuid);
          expect(await unread()).toEqual([1, 1, 2]);
          await deleteMessage(storage, fromA.uuid);
          expect(await unread()).toEqual([0, 1, 1]);
          await deleteMessage(storage, randomUUID());
          expect(await unread()).toEqual([0, 1, 1]);
        });
      });

      describe('messages', () => {
        let room: RoomRecord;
        beforeEach(async () => {
          ({ room } = await createRoom(storage, newRoom()));
        });

        it('stores a message and answers it with an increasing position', async () => {
          const input = newMessage(room, room.recruiter, { job: randomUUID() });

          const stored = await insertMessage(storage, input);
          const next = await insertMessage(storage, newMessage(room, room.recruiter));

          expect(stored).toEqual({ ...input, position: expect.any(Number), isEdited: false, readBy: [] });
          expect(next.position).toBeGreaterThan(stored.position);
          expect(await storage.getMessage(input.uuid)).toEqual(stored);
          expect(await storage.messagePosition(input.uuid)).toEqual({
            position: stored.position,
            chatRoom: room.uuid,
          });
        });

        it('answers null for an unknown message', async () => {
          const unknown = randomUUID();
          expect(await storage.getMessage(unknown)).toBeNull();
          expect(await storage.messagePosition(unknown)).toBeNull();
          expect(await updateMessageContent(storage, unknown, 'x')).toBeNull();
          expect(await deleteMessage(storage, unknown)).toBeNull();
          expect(await storage.findMessageByFileKey('chat_files/unknown.pdf')).toBeNull();
        });

        it('finds a file message by its file key', async () => {
          const fileKey = `chat_files/cv_${randomUUID()}.pdf`;
          const stored = await insertMessage(
            storage,
            newMessage(room, room.recruiter, { fileKey, content: null }),
          );

          expect(await storage.findMessageByFileKey(fileKey)).toEqual(stored);
        });

        it('updates the content and marks the message edited', async () => {
          const stored = await insertMessage(storage, newMessage(room, room.recruiter));
          const client = room.clients[0]!;
          await addRead(storage, stored.uuid, client);

          const updated = await updateMessageContent(storage, stored.uuid, 'edited');

          const expected = { ...stored, content: 'edited', isEdited: true, readBy: [client] };
          expect(updated).toEqual(expected);
          expect(await storage.getMessage(stored.uuid)).toEqual(expected);
        });

        it('deletes a message with its reads and answers it as it was', async () => {
          const input = newMessage(room, room.recruiter);
          const stored = await insertMessage(storage, input);
          const client = room.clients[0]!;
          await addRead(storage, stored.uuid, client);

          const deleted = await deleteMessage(storage, stored.uuid);

          expect(deleted).toEqual({ ...stored, readBy: [client] });
          expect(await storage.getMessage(stored.uuid)).toBeNull();
          expect(await deleteMessage(storage, stored.uuid)).toBeNull();
          expect(await addRead(storage, stored.uuid, client)).toBe(false);
          // Its place in the list stays, so that a page cursor naming it still works.
          expect(await storage.messagePosition(stored.uuid)).toEqual({
            position: stored.position,
            chatRoom: room.uuid,
          });
          // Storing the same uuid again shows that no read of the deleted message survived it.
          expect((await insertMessage(storage, input)).readBy).toEqual([]);
          expect(await storage.getMessage(input.uuid)).toMatchObject({ readBy: [] });
        });
      });

      describe('message lists', () => {
        let room: RoomRecord;
        let viewer: string;
        let messages: MessageRecord[];

        beforeEach(async () => {
          viewer = randomUUID();
          ({ room } = await createRoom(storage, newRoom([viewer])));
          messages = [];
          for (let i = 0; i < 5; i++) {
            messages.push(await insertMessage(storage, newMessage(room, i % 2 ? viewer : room.recruiter)));
          }
        });

        const positionOf = (index: number) => messages[index]!.position;

        it('pages from the newest backwards, each page oldest first', async () => {
          const newest = await storage.listMessages({ viewer, limit: 2 });
          expect(newest).toEqual({ messages: messages.slice(3), hasMore: true });

          const middle = await storage.listMessages({ viewer, limit: 2, before: positionOf(3) });
          expect(middle).toEqual({ messages: messages.slice(1, 3), hasMore: true });

          const oldest = await storage.listMessages({ viewer, limit: 2, before: positionOf(1) });
          expect(oldest).toEqual({ messages: messages.slice(0, 1), hasMore: false });

          expect(await storage.listMessages({ viewer, limit: 5 })).toEqual({ messages, hasMore: false });
        });

        it('pages forwards after a cursor, oldest first', async () => {
          const next = await storage.listMessages({ viewer, limit: 2, after: positionOf(0) });
          expect(next).toEqual({ messages: messages.slice(1, 3), hasMore: true });

          const last = await storage.listMessages({ viewer, limit: 2, after: positionOf(2) });
          expect(last).toEqual({ messages: messages.slice(3), hasMore: false });

          const none = await storage.listMessages({ viewer, limit: 2, after: positionOf(4) });
          expect(none).toEqual({ messages: [], hasMore: false });
        });

        it('shows messages only to participants of their room', async () => {
          const { room: elsewhere } = await createRoom(storage, newRoom());
          await insertMessage(storage, newMessage(elsewhere, elsewhere.recruiter));
          const outsider = randomUUID();

          expect(await storage.listMessages({ viewer, limit: 50 })).toEqual({ messages, hasMore: false });
          expect(await storage.listMessages({ viewer, chatRoom: elsewhere.uuid, limit: 50 })).toEqual({
            messages: [],
            hasMore: false,
          });
          expect(await storage.listMessages({ viewer: outsider, limit: 50 })).toEqual({
            messages: [],
            hasMore: false,
          });
          expect(await storage.listMessages({ viewer: outsider, chatRoom: room.uuid, limit: 50 })).toEqual({
            messages: [],
            hasMore: false,
          });
        });

        it('filters by room', async () => {
          const { room: second } = await createRoom(storage, newRoom([viewer]));
          const there = await insertMessage(storage, newMessage(second, viewer));

          expect(
            uuids((await storage.listMessages({ viewer, chatRoom: room.uuid, limit: 50 })).messages),
          ).toEqual(uuids(messages));
          expect((await storage.listMessages({ viewer, chatRoom: second.uuid, limit: 50 })).messages).toEqual(
            [there],
          );
          expect((await storage.listMessages({ viewer, limit: 50 })).messages).toEqual([...messages, there]);
        });

        it('filters by senders, and an empty list of senders matches nothing', async () => {
          const byViewer = messages.filter((message) => message.sender === viewer);

          expect((await storage.listMessages({ viewer, senders: [viewer], limit: 50 })).messages).toEqual(
            byViewer,
          );
          expect(
            (await storage.listMessages({ viewer, senders: [viewer, room.recruiter], limit: 50 })).messages,
          ).toEqual(messages);
          expect(await storage.listMessages({ viewer, senders: [], limit: 50 })).toEqual({
            messages: [],
            hasMore: false,
          });
        });

        it('answers each message with its readers', async () => {
          const reader = randomUUID();
          await storage.addClients(room.uuid, [reader], participantsChangedEvents(testMediaUrls));
          await addRead(storage, messages[4]!.uuid, viewer);
          await addRead(storage, messages[3]!.uuid, room.recruiter);
          await addRead(storage, messages[4]!.uuid, reader);

          const page = await storage.listMessages({ viewer, limit: 2 });

          expect(page.messages.map((message) => message.readBy)).toEqual([
            [room.recruiter],
            [viewer, reader],
          ]);
        });
      });

      describe('reads', () => {
        let room: RoomRecord;
        let message: MessageRecord;
        beforeEach(async () => {
          ({ room } = await createRoom(storage, newRoom([randomUUID(), randomUUID()])));
          message = await insertMessage(storage, newMessage(room, room.recruiter));
        });

        it('records a read once', async () => {
          const reader = room.clients[0]!;

          expect(await addRead(storage, message.uuid, reader)).toBe(true);
          expect(await addRead(storage, message.uuid, reader)).toBe(false);

          expect((await storage.getMessage(message.uuid))?.readBy).toEqual([reader]);
        });

        it('keeps readers in the order they read', async () => {
          const [a, b] = room.clients as [string, string];
          await addRead(storage, message.uuid, b);
          await addRead(storage, message.uuid, a);

          expect((await storage.getMessage(message.uuid))?.readBy).toEqual([b, a]);
        });

        it('records one read when the same read arrives twice at once', async () => {
          const reader = room.clients[0]!;

          const results = await Promise.all([
            addRead(storage, message.uuid, reader),
            addRead(storage, message.uuid, reader),
          ]);

          expect(results.sort()).toEqual([false, true]);
          expect((await storage.getMessage(message.uuid))?.readBy).toEqual([reader]);
        });

        it('answers false for a message that does not exist', async () => {
          expect(await addRead(storage, randomUUID(), room.clients[0]!)).toBe(false);
        });
      });

      describeEventLog(() => fixture);
      describeInboxLog(() => fixture);
      describeRoomMembership(() => fixture);
      describeMessageWrite(() => fixture);

      describe('users', () => {
        it('finds users by email whatever its case', async () => {
          const id = randomUUID();
          await storage.remember({ id, email: 'Ada.Lovelace@Example.COM', name: 'Ada', role: 'recruiter' });

          expect(await storage.idsByEmail('ada.lovelace@example.com')).toEqual([id]);
          expect(await storage.idsByEmail('ADA.LOVELACE@EXAMPLE.COM')).toEqual([id]);
          expect(await storage.idsByEmail('someone@example.com')).toEqual([]);
        });

        it('keeps the latest record of a user', async () => {
          const id = randomUUID();
          await storage.remember({ id, email: 'old@example.com', name: 'Old', role: 'client' });
          await storage.remember({ id, email: 'old@example.com', name: 'Old', role: 'client' });
          await storage.remember({ id, email: 'New@example.com', name: 'New', role: 'recruiter' });

          expect(await storage.idsByEmail('old@example.com')).toEqual([]);
          expect(await storage.idsByEmail('new@example.com')).toEqual([id]);

          await storage.remember({ id, email: null, name: null, role: null });
          expect(await storage.idsByEmail('new@example.com')).toEqual([]);
        });

        it('answers every user with the email', async () => {
          const ids = [randomUUID(), randomUUID()];
          for (const id of ids)
            await storage.remember({ id, email: 'shared@example.com', name: null, role: null });

          expect(await storage.idsByEmail('Shared@Example.com')).toEqual([...ids].sort());
        });
      });
    });
  });
}
