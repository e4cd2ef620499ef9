import { randomUUID } from 'node:crypto';
import type { WebhookEvent } from '@hirechat/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RoomRecord } from '../../src/domain/records.js';
import type { KnexChatStorage } from '../../src/storage/knex-chat-storage.js';
import type { DeliveryQueue } from '../../src/webhooks/outbox.js';
import {
  type ChatStorageFixture,
  createRoom,
  messageEvent,
  newMessage,
  newRoom,
} from './chat-storage-suite.js';

const URLS = ['http://127.0.0.1:9/a', 'http://127.0.0.1:9/b'];

/**
 * The message create, which runs its own statements rather than knex's (storage/message-write):
 * everything it keeps, kept in one transaction, outbox rows included. Runs inside
 * describeChatStorage, once the schema is migrated.
 */
export function describeMessageWrite(fixture: () => ChatStorageFixture): void {
  describe('message create', () => {
    let storage: KnexChatStorage;
    let deliveries: DeliveryQueue;
    let room: RoomRecord;

    beforeEach(async () => {
      storage = fixture().storage;
      ({ deliveries } = storage.openOutbox({ urls: URLS, retryForMs: 60_000, unread: false }));
      ({ room } = await createRoom(storage, newRoom([randomUUID(), randomUUID()])));
      // The room's own room.created, taken for a minute: what is queued after it is the message's.
      await deliveries.claim(URLS, 10, 60_000);
    });

    /** Every participant's inbox seq, recruiter first. */
    const inboxSeqs = () =>
      Promise.all([room.recruiter, ...room.clients].map((user) => storage.inboxSeq(user)));

    it('queues its webhook event once per URL, as committed, in its own transaction', async () => {
      const logged = await storage.insertMessage(
        newMessage(room, room.clients[0]!),
        messageEvent('message_created'),
      );

      const queued = await deliveries.claim(URLS, 10, 60_000);
      expect(queued.map((delivery) => delivery.url).sort()).toEqual(URLS);
      expect(new Set(queued.map((delivery) => delivery.eventId)).size).toBe(1);
      for (const delivery of queued) {
        expect(JSON.parse(delivery.payload)).toEqual(logged!.webhooks[0]);
        expect(delivery.attempt).toBe(1);
      }
      expect((logged!.webhooks[0] as WebhookEvent & { type: 'message.created' }).data.message.uuid).toBe(
        logged!.record.uuid,
      );
    });

    it('leaves nothing behind, no seq and no outbox row, when a statement fails after the room’s seq', async () => {
      const first = await storage.insertMessage(
        newMessage(room, room.recruiter),
        messageEvent('message_created'),
      );
      await deliveries.claim(URLS, 10, 60_000);
      const before = await inboxSeqs();

      // A message uuid that exists already: refused by the database, after the seq was taken.
      await expect(
        storage.insertMessage(
          newMessage(room, room.recruiter, { uuid: first!.record.uuid }),
          messageEvent('message_created'),
        ),
      ).rejects.toThrow();

      expect(await storage.roomSeq(room.uuid)).toBe(1);
      expect(await inboxSeqs()).toEqual(before);
      expect(await deliveries.claim(URLS, 10, 0)).toEqual([]);
    });

    it('leaves nothing behind when an inbox or webhook event cannot be made, after the message was stored', async () => {
      const before = await inboxSeqs();
      const created = messageEvent('message_created');
      for (const failing of ['inbox', 'webhooks'] as const) {
        const input = newMessage(room, room.clients[1]!);
        await expect(
          storage.insertMessage(input, {
            ...created,
            [failing]: () => {
              throw new Error(`the ${failing} event could not be made`);
            },
          }),
        ).rejects.toThrow(`the ${failing} event could not be made`);
        expect(await storage.getMessage(input.uuid)).toBeNull();
      }

      expect(await storage.roomSeq(room.uuid)).toBe(0);
      expect(await inboxSeqs()).toEqual(before);
      expect((await storage.listRooms({ viewer: room.recruiter }))[0]!.unreadCount).toBe(0);
      expect(await deliveries.claim(URLS, 10, 0)).toEqual([]);
    });

    it('refuses an inbox event of null rather than leave a gap in a participant’s seqs', async () => {
      const created = messageEvent('message_created');
      const input = newMessage(room, room.recruiter);
      await expect(
        storage.insertMessage(input, {
          ...created,
          inbox: (record, recipient) =>
            recipient.user === room.recruiter ? null : created.inbox(record, recipient),
        }),
      ).rejects.toThrow(`no inbox event for participant ${room.recruiter}`);
      expect(await storage.getMessage(input.uuid)).toBeNull();
    });

    it('stores nothing for an outsider, or for a room that does not exist, and queues nothing', async () => {
      const before = await inboxSeqs();

      expect(
        await storage.insertMessage(newMessage(room, randomUUID()), messageEvent('message_created')),
      ).toBeNull();
      expect(
        await storage.insertMessage(
          newMessage({ ...room, uuid: randomUUID() }, room.recruiter),
          messageEvent('message_created'),
        ),
      ).toBeNull();

      expect(await storage.roomSeq(room.uuid)).toBe(0);
      expect(await inboxSeqs()).toEqual(before);
      expect(await deliveries.claim(URLS, 10, 0)).toEqual([]);
      expect((await storage.listMessages({ viewer: room.recruiter, limit: 10 })).messages).toEqual([]);
    });

    it('keeps every character of its events and webhook payload as they were written', async () => {
      const content = 'He said "hi" \\ C:\\path\\ {"json":[1]} \u2028 ünïcødé 😀 \n\ttab \\u0041';
      const logged = await storage.insertMessage(
        { ...newMessage(room, room.clients[0]!), content },
        messageEvent('message_created'),
      );

      expect(logged!.record.content).toBe(content);
      expect((await storage.eventsAfter(room.uuid, logged!.event.seq - 1))!.events).toEqual([logged!.event]);
      for (const { user, event } of logged!.inbox) {
        expect((await storage.inboxEventsAfter(user, event.seq - 1)).events).toEqual([event]);
      }
      const queued = await deliveries.claim(URLS, 10, 60_000);
      expect(queued).toHaveLength(URLS.length);
      for (const delivery of queued) expect(delivery.payload).toBe(JSON.stringify(logged!.webhooks[0]));
    });

    it('answers the message with each participant’s unread count and inbox seq, in user id order', async () => {
      const sender = room.clients[0]!;
      await storage.insertMessage(newMessage(room, room.recruiter), messageEvent('message_created'));
      const logged = await storage.insertMessage(newMessage(room, sender), messageEvent('message_created'));

      const users = [room.recruiter, ...room.clients].sort();
      expect(logged!.inbox.map((delivery) => delivery.user)).toEqual(users);
      for (const { user, event } of logged!.inbox) {
        expect(event.seq).toBe(await storage.inboxSeq(user));
        const expected = user === sender ? 1 : user === room.recruiter ? 1 : 2;
        expect(event).toMatchObject({ type: 'message_created', unread_count: expected });
        expect((await storage.inboxEventsAfter(user, event.seq - 1)).events).toEqual([event]);
      }
      expect(logged!.event.seq).toBe(2);
      expect((await storage.eventsAfter(room.uuid, 1))!.events).toEqual([logged!.event]);
    });
  });
}
