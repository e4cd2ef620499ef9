import { randomUUID } from 'node:crypto';
import type { LoggedRoomEvent } from '@hirechat/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { messageReadEvents } from '../../src/domain/events/change-events.js';
import type { MessageRecord, RoomRecord } from '../../src/domain/records.js';
import type { KnexChatStorage } from '../../src/storage/knex-chat-storage.js';
import {
  addRead,
  type ChatStorageFixture,
  createRoom,
  deleteMessage,
  insertMessage,
  messageEvent,
  newMessage,
  newRoom,
  updateMessageContent,
  wireMessage,
} from './chat-storage-suite.js';

const seqs = (events: readonly LoggedRoomEvent[]) => events.map((event) => event.seq);

/**
 * The room event log of a ChatStorage: seqs assigned by the database in the write's transaction,
 * replays after a seq, and pruning. Runs inside describeChatStorage, once the schema is migrated.
 */
export function describeEventLog(fixture: () => ChatStorageFixture): void {
  describe('event log', () => {
    let storage: KnexChatStorage;
    let room: RoomRecord;
    let reader: string;

    beforeEach(async () => {
      storage = fixture().storage;
      ({ room } = await createRoom(storage, newRoom()));
      reader = room.clients[0]!;
    });

    /** Every event of the room still logged, oldest first. */
    const logOf = async (of: KnexChatStorage, roomId = room.uuid) =>
      (await of.eventsAfter(roomId, 0))?.events;

    it('numbers each room’s events from 1 in write order and keeps them as the domain made them', async () => {
      const { room: other } = await createRoom(storage, newRoom());
      const created = (await storage.insertMessage(
        newMessage(room, room.recruiter),
        messageEvent('message_created'),
      ))!;
      const elsewhere = (await storage.insertMessage(
        newMessage(other, other.recruiter),
        messageEvent('message_created'),
      ))!;
      const read = (await storage.addRead(created.record.uuid, reader, messageReadEvents()))?.event;
      const updated = await storage.updateMessageContent(
        created.record.uuid,
        'edited',
        messageEvent('message_updated'),
      );
      const deleted = await storage.deleteMessage(created.record.uuid, messageEvent('message_deleted'));

      expect(created.event).toEqual({
        type: 'message_created',
        message: wireMessage(created.record),
        seq: 1,
      });
      expect(read).toEqual({
        type: 'message_read',
        message_id: created.record.uuid,
        user_id: reader,
        seq: 2,
      });
      expect(updated?.event).toEqual({
        type: 'message_updated',
        message: {
          ...wireMessage(created.record),
          content: 'edited',
          is_edited: true,
          is_viewed: true,
          read_by: [reader],
        },
        seq: 3,
      });
      expect(deleted?.event).toEqual({
        type: 'message_deleted',
        message: wireMessage(updated!.record),
        seq: 4,
      });
      expect(elsewhere.event.seq).toBe(1);
      expect(await logOf(storage)).toEqual([created.event, read, updated?.event, deleted?.event]);
      expect(await logOf(storage, other.uuid)).toEqual([elsewhere.event]);
    });

    it('answers the room’s newest seq with the events after a seq', async () => {
      for (let i = 0; i < 4; i++) await insertMessage(storage, newMessage(room, room.recruiter));

      expect(seqs((await storage.eventsAfter(room.uuid, 1))!.events)).toEqual([2, 3, 4]);
      expect(await storage.eventsAfter(room.uuid, 3)).toMatchObject({ seq: 4, events: [{ seq: 4 }] });
      expect(await storage.eventsAfter(room.uuid, 4)).toEqual({ seq: 4, events: [] });
      expect(await storage.eventsAfter(room.uuid, 9)).toEqual({ seq: 4, events: [] });
      const { room: quiet } = await createRoom(storage, newRoom());
      expect(await storage.eventsAfter(quiet.uuid, 0)).toEqual({ seq: 0, events: [] });
      expect(await storage.eventsAfter(randomUUID(), 0)).toBeNull();
    });

    it('answers the room’s newest seq alone, 0 before its first event, null for no such room', async () => {
      const { room: quiet } = await createRoom(storage, newRoom());
      expect(await storage.roomSeq(quiet.uuid)).toBe(0);
      for (let i = 0; i < 3; i++) await insertMessage(storage, newMessage(room, room.recruiter));

      expect(await storage.roomSeq(room.uuid)).toBe(3);
      expect(await storage.roomSeq(quiet.uuid)).toBe(0);
      expect(await storage.roomSeq(randomUUID())).toBeNull();
    });

    it('logs nothing, and spends no seq, for a write that changes nothing', async () => {
      const message = await insertMessage(storage, newMessage(room, room.recruiter));
      await addRead(storage, message.uuid, reader);

      expect(await addRead(storage, message.uuid, reader)).toBe(false);
      expect(await updateMessageContent(storage, randomUUID(), 'x')).toBeNull();
      expect(await deleteMessage(storage, randomUUID())).toBeNull();
      expect(await addRead(storage, randomUUID(), reader)).toBe(false);
      await insertMessage(storage, newMessage(room, room.recruiter));

      expect(seqs((await logOf(storage))!)).toEqual([1, 2, 3]);
    });

    it('rolls the write back with its event: a message is never stored without its event', async () => {
      const input = newMessage(room, room.recruiter);
      const failing = () => {
        throw new Error('the event could not be made');
      };

      await expect(
        storage.insertMessage(input, { room: failing, inbox: failing, webhooks: failing }),
      ).rejects.toThrow('the event could not be made');

      expect(await storage.getMessage(input.uuid)).toBeNull();
      const next = await storage.insertMessage(
        newMessage(room, room.recruiter),
        messageEvent('message_created'),
      );
      expect(next?.event.seq).toBe(1);
    });

    it('keeps only the newest events of each room, as many as configured', async () => {
      const small = await fixture().openAnother({ eventLogSize: 3 });
      for (let i = 0; i < 5; i++) await insertMessage(small, newMessage(room, room.recruiter));

      // Event 2 is gone, so a replay after 1 would have a hole: none is answered.
      expect(await small.eventsAfter(room.uuid, 1)).toEqual({ seq: 5, events: [] });
      expect(seqs((await small.eventsAfter(room.uuid, 2))!.events)).toEqual([3, 4, 5]);
    });

    it('prunes a larger log every size/16 writes, never below its size and never far beyond it', async () => {
      // A size of 64 prunes every 4th write; the last prune, at seq 68, left seqs 5 to 68.
      const sized = await fixture().openAnother({ eventLogSize: 64 });
      for (let i = 0; i < 70; i++) await insertMessage(sized, newMessage(room, room.recruiter));

      const log = (await logOf(sized))!;
      expect(log).toEqual([]); // seq 1 is long gone, so a replay from 0 would have a hole
      expect(seqs((await sized.eventsAfter(room.uuid, 4))!.events)).toEqual(
        Array.from({ length: 66 }, (_, i) => i + 5),
      );
      expect(await sized.eventsAfter(room.uuid, 3)).toEqual({ seq: 70, events: [] });
    });

    it('shares one counter between processes', async () => {
      const other = await fixture().openAnother();
      const written: MessageRecord[] = [];
      for (let i = 0; i < 4; i++) {
        written.push(await insertMessage(i % 2 ? other : storage, newMessage(room, room.recruiter)));
      }

      const log = (await logOf(other))!;
      expect(seqs(log)).toEqual([1, 2, 3, 4]);
      expect(log.map((event) => (event.type === 'message_created' ? event.message.uuid : null))).toEqual(
        written.map((message) => message.uuid),
      );
    });

    it('numbers concurrent writes of one room without a gap or a repeat, in commit order', async () => {
      const first = await insertMessage(storage, newMessage(room, room.recruiter));
      await Promise.all([
        ...Array.from({ length: 12 }, () => insertMessage(storage, newMessage(room, room.recruiter))),
        ...room.clients.map((client) => addRead(storage, first.uuid, client)),
        updateMessageContent(storage, first.uuid, 'edited'),
      ]);

      const log = (await logOf(storage))!;
      expect(seqs(log)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
      // Messages are numbered (position) as they are inserted, so commit order shows in both.
      const created = log.flatMap((event) => (event.type === 'message_created' ? [event.message.uuid] : []));
      const listed = await storage.listMessages({ viewer: room.recruiter, chatRoom: room.uuid, limit: 50 });
      expect(created).toEqual(listed.messages.map((message) => message.uuid));
    });
  });
}
