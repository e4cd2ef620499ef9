import { randomUUID } from 'node:crypto';
import { INBOX_LOG_MIN_EVENTS, type InboxEvent } from '@hirechat/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { messageReadEvents } from '../../src/domain/events/change-events.js';
import type { RoomRecord } from '../../src/domain/records.js';
import { toChatRoom } from '../../src/domain/to-wire.js';
import { KnexChatStorage } from '../../src/storage/knex-chat-storage.js';
import {
  type ChatStorageFixture,
  createRoom,
  insertMessage,
  messageEvent,
  newMessage,
  newRoom,
  testMediaUrls,
  wireMessage,
} from './chat-storage-suite.js';

const seqs = (events: readonly InboxEvent[]) => events.map((event) => event.seq);
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/**
 * Each user's inbox log (contract, "The inbox"): events numbered per user from 1 in commit order,
 * written in the transaction of the write that caused them, replayed after a seq, and pruned to
 * no fewer than the newest INBOX_LOG_MIN_EVENTS. Runs inside describeChatStorage, once migrated.
 */
export function describeInboxLog(fixture: () => ChatStorageFixture): void {
  describe('inbox log', () => {
    let storage: KnexChatStorage;
    let room: RoomRecord;
    let recruiter: string;
    let client: string;

    beforeEach(async () => {
      storage = fixture().storage;
      ({ room } = await createRoom(storage, newRoom()));
      recruiter = room.recruiter;
      client = room.clients[0]!;
    });

    /** Every event of the user's inbox still logged, oldest first. */
    const inboxOf = async (user: string, of: KnexChatStorage = storage) =>
      (await of.inboxEventsAfter(user, 0)).events;

    it('answers seq 0 and no events for a user who has heard of nothing', async () => {
      const nobody = randomUUID();

      expect(await storage.inboxSeq(nobody)).toBe(0);
      expect(await storage.inboxEventsAfter(nobody, 0)).toEqual({ seq: 0, events: [] });
    });

    it('tells each participant of a new room, as they see it, as their first event', async () => {
      const view = toChatRoom({ room, lastMessage: null, unreadCount: 0 }, testMediaUrls);

      for (const user of [recruiter, client]) {
        expect(await storage.inboxEventsAfter(user, 0)).toEqual({
          seq: 1,
          events: [{ type: 'room_created', room: view, seq: 1 }],
        });
      }
      // Asking for the room again tells nobody anything.
      await createRoom(storage, newRoom([client], recruiter));
      expect(await storage.inboxSeq(recruiter)).toBe(1);
    });

    it('carries each message event with the recipient’s own unread count after it', async () => {
      const logged = (await storage.insertMessage(
        newMessage(room, recruiter),
        messageEvent('message_created'),
      ))!;
      const message = wireMessage(logged.record);

      expect(logged.inbox).toEqual(
        [
          { user: recruiter, event: { type: 'message_created', message, unread_count: 0, seq: 2 } },
          { user: client, event: { type: 'message_created', message, unread_count: 1, seq: 2 } },
        ].sort((a, b) => (a.user < b.user ? -1 : 1)),
      );

      const read = (await storage.addRead(logged.record.uuid, client, messageReadEvents()))!;
      // Only the reader's count changed, so only the reader hears of it.
      expect(read.inbox).toEqual([
        { user: client, event: { type: 'unread_changed', room_id: room.uuid, unread_count: 0, seq: 3 } },
      ]);

      const updated = (await storage.updateMessageContent(
        logged.record.uuid,
        'edited',
        messageEvent('message_updated'),
      ))!;
      expect(updated.inbox.map(({ user, event }) => [user, event])).toEqual(
        [
          [recruiter, { type: 'message_updated', message: wireMessage(updated.record), seq: 3 }],
          [client, { type: 'message_updated', message: wireMessage(updated.record), seq: 4 }],
        ].sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1)),
      );

      const unreadOne = await insertMessage(storage, newMessage(room, client));
      const deleted = (await storage.deleteMessage(unreadOne.uuid, messageEvent('message_deleted')))!;
      // The recruiter had not read it: their count goes back down with the delete.
      expect(deleted.inbox.find(({ user }) => user === recruiter)?.event).toEqual({
        type: 'message_deleted',
        message: wireMessage(unreadOne),
        unread_count: 0,
        seq: 5,
      });
      expect(deleted.inbox.find(({ user }) => user === client)?.event).toMatchObject({
        type: 'message_deleted',
        unread_count: 0,
        seq: 6,
      });

      expect(seqs(await inboxOf(recruiter))).toEqual(oneTo(5));
      expect(seqs(await inboxOf(client))).toEqual(oneTo(6));
      expect(await inboxOf(client)).toEqual([
        expect.objectContaining({ type: 'room_created' }),
        logged.inbox.find(({ user }) => user === client)?.event,
        read.inbox[0]?.event,
        updated.inbox.find(({ user }) => user === client)?.event,
        expect.objectContaining({ type: 'message_created', seq: 5 }),
        deleted.inbox.find(({ user }) => user === client)?.event,
      ]);
    });

    it('counts one seq per user across all of their rooms, in commit order', async () => {
      const { room: other } = await createRoom(storage, newRoom([randomUUID()], recruiter));
      const written: string[] = [];
      for (let i = 0; i < 6; i++) {
        const target = i % 2 ? other : room;
        written.push((await insertMessage(storage, newMessage(target, recruiter))).uuid);
      }

      const inbox = await inboxOf(recruiter);
      expect(seqs(inbox)).toEqual(oneTo(8));
      expect(
        inbox.flatMap((event) => (event.type === 'message_created' ? [event.message.uuid] : [])),
      ).toEqual(written);
      // The client of the first room heard only of its own room.
      expect(seqs(await inboxOf(client))).toEqual(oneTo(4));
    });

    it('answers the user’s newest seq with their events after a seq', async () => {
      for (let i = 0; i < 4; i++) await insertMessage(storage, newMessage(room, recruiter));

      expect(seqs((await storage.inboxEventsAfter(client, 2)).events)).toEqual([3, 4, 5]);
      expect(await storage.inboxEventsAfter(client, 5)).toEqual({ seq: 5, events: [] });
      expect(await storage.inboxEventsAfter(client, 9)).toEqual({ seq: 5, events: [] });
      expect(await storage.inboxSeq(client)).toBe(5);
    });

    it('spends no seq of anyone’s inbox on a write that was refused', async () => {
      const outsider = randomUUID();

      expect(
        await storage.insertMessage(newMessage(room, outsider), messageEvent('message_created')),
      ).toBeNull();
      expect(await storage.addRead(randomUUID(), client, messageReadEvents())).toBeNull();

      expect(await storage.inboxSeq(recruiter)).toBe(1);
      expect(await storage.inboxSeq(client)).toBe(1);
      expect(await storage.inboxSeq(outsider)).toBe(0);
    });

    it('shares each user’s counter between processes', async () => {
      const other = await fixture().openAnother();
      for (let i = 0; i < 4; i++) await insertMessage(i % 2 ? other : storage, newMessage(room, recruiter));

      expect(seqs(await inboxOf(client, other))).toEqual(oneTo(5));
      expect(await other.inboxSeq(recruiter)).toBe(5);
    });

    it('refuses an inbox log smaller than the contract’s least', () => {
      const knex = (storage as unknown as { knex: ConstructorParameters<typeof KnexChatStorage>[0] }).knex;
      expect(() => new KnexChatStorage(knex, { inboxLogSize: INBOX_LOG_MIN_EVENTS - 1 })).toThrow(
        /inboxLogSize must be a whole number of 1000 or more/,
      );
    });

    it(`keeps at least each user’s newest ${INBOX_LOG_MIN_EVENTS} events, and prunes the older ones`, async () => {
      // Rooms of the client with recruiters who write, four at once (the client's inbox counter
      // orders them): each write is one event of the client's.
      const writes = INBOX_LOG_MIN_EVENTS + 100;
      const quiet = randomUUID();
      await createRoom(storage, newRoom([quiet]));
      const rooms = [room];
      for (let i = 0; i < 3; i++) rooms.push((await createRoom(storage, newRoom([client]))).room);
      await Promise.all(
        rooms.map(async (each, i) => {
          for (let k = i; k < writes; k += rooms.length) {
            await insertMessage(storage, newMessage(each, each.recruiter));
          }
        }),
      );

      const newest = rooms.length + writes; // each room's creation, then the writes
      expect(await storage.inboxSeq(client)).toBe(newest);
      // The newest INBOX_LOG_MIN_EVENTS can always be replayed...
      const kept = await storage.inboxEventsAfter(client, newest - INBOX_LOG_MIN_EVENTS);
      expect(seqs(kept.events)).toEqual(
        Array.from({ length: INBOX_LOG_MIN_EVENTS }, (_, i) => newest - INBOX_LOG_MIN_EVENTS + i + 1),
      );
      // ...while the log holds at most a sixteenth more: the oldest ones are gone, and a replay
      // that would need them answers none (the socket is told to resync).
      const slack = Math.floor(INBOX_LOG_MIN_EVENTS / 16);
      expect(await storage.inboxEventsAfter(client, newest - INBOX_LOG_MIN_EVENTS - slack - 1)).toEqual({
        seq: newest,
        events: [],
      });
      expect(await storage.inboxEventsAfter(client, 0)).toEqual({ seq: newest, events: [] });
      // Another user's short log is left whole.
      expect(seqs(await inboxOf(quiet))).toEqual([1]);
    }, 120_000);
  });
}
