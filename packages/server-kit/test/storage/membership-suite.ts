import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { participantsChangedEvents } from '../../src/domain/events/change-events.js';
import type { RoomChangeRecord, RoomRecord } from '../../src/domain/records.js';
import { toChatRoom, toChatRoomBase } from '../../src/domain/to-wire.js';
import type { EventsOf, Logged } from '../../src/ports/chat-storage.js';
import type { KnexChatStorage } from '../../src/storage/knex-chat-storage.js';
import {
  addRead,
  type ChatStorageFixture,
  createRoom,
  insertMessage,
  messageEvent,
  newMessage,
  newRoom,
  testMediaUrls,
} from './chat-storage-suite.js';

/** The events the domain logs with a change of participants. */
const changeEvents = () => participantsChangedEvents(testMediaUrls);

export async function addClients(
  storage: KnexChatStorage,
  room: string,
  clients: readonly string[],
): Promise<Logged<RoomChangeRecord> | null> {
  return storage.addClients(room, clients, changeEvents());
}

export async function removeClient(
  storage: KnexChatStorage,
  room: string,
  client: string,
): Promise<Logged<RoomChangeRecord> | null> {
  return storage.removeClient(room, client, changeEvents());
}

/** Events whose inbox side fails for the last recipient, after the others were made. */
function failingForLast(recipients: readonly string[]): EventsOf<RoomChangeRecord> {
  const last = [...recipients].sort().at(-1);
  const events = changeEvents();
  return {
    room: events.room,
    webhooks: events.webhooks,
    inbox: (change, recipient) => {
      if (recipient.user === last) throw new Error('the inbox event could not be made');
      return events.inbox(change, recipient);
    },
  };
}

const sorted = (ids: readonly string[]) => [...ids].sort();

/**
 * Rooms that change (contract, "Rooms that change"): adding and removing clients, with their room
 * event and every affected inbox's event in the change's own transaction; who is in a room after
 * a change, for every read that asks; the unread counts of those who join; and idempotent creation
 * by the participants a room has now. Runs inside describeChatStorage, once migrated.
 */
export function describeRoomMembership(fixture: () => ChatStorageFixture): void {
  describe('rooms that change', () => {
    let storage: KnexChatStorage;
    let room: RoomRecord;
    let recruiter: string;
    let client: string;

    beforeEach(async () => {
      storage = fixture().storage;
      ({ room } = await createRoom(storage, newRoom([randomUUID()])));
      recruiter = room.recruiter;
      client = room.clients[0]!;
    });

    describe('adding clients', () => {
      it('adds the clients not in the room yet and logs one room_updated with the room’s next seq', async () => {
        await insertMessage(storage, newMessage(room, recruiter));
        const [a, b] = sorted([randomUUID(), randomUUID()]) as [string, string];

        const logged = await addClients(storage, room.uuid, [b, client, a]);

        const after = { ...room, clients: sorted([client, a, b]) };
        expect(logged?.record).toEqual({
          room: after,
          lastMessage: expect.objectContaining({ chatRoom: room.uuid }),
          added: [a, b],
          removed: [],
        });
        expect(logged?.event).toEqual({ type: 'room_updated', room: toChatRoomBase(after), seq: 2 });
        expect(await storage.getRoom(room.uuid)).toEqual(after);
        expect((await storage.eventsAfter(room.uuid, 1))?.events).toEqual([logged?.event]);
      });

      it('tells every participant’s inbox, the added ones included, each with their own view', async () => {
        const message = await insertMessage(storage, newMessage(room, recruiter));
        await addRead(storage, message.uuid, client);
        const added = randomUUID();

        const logged = await addClients(storage, room.uuid, [added]);

        const after = { ...room, clients: sorted([client, added]) };
        const viewOf = (unreadCount: number) =>
          toChatRoom(
            { room: after, lastMessage: { ...message, readBy: [client] }, unreadCount },
            testMediaUrls,
          );
        const expected = [
          { user: recruiter, unread: 0 },
          { user: client, unread: 0 },
          { user: added, unread: 1 },
        ].sort((x, y) => (x.user < y.user ? -1 : 1));
        expect(logged?.inbox.map(({ user, event }) => ({ user, event }))).toEqual(
          expected.map(({ user, unread }) => ({
            user,
            event: {
              type: 'room_updated',
              room: { ...viewOf(unread), last_message: expect.any(Object) },
              seq: expect.any(Number),
            },
          })),
        );
        for (const { user, event } of logged!.inbox) {
          expect(event.type === 'room_updated' && event.room.unread_count).toBe(
            expected.find((e) => e.user === user)!.unread,
          );
          expect((await storage.inboxEventsAfter(user, event.seq - 1)).events).toEqual([event]);
        }
      });

      it('counts every message of the room from others as unread for a client who joins', async () => {
        const [b, newcomer] = [randomUUID(), randomUUID()];
        await addClients(storage, room.uuid, [b]);
        await insertMessage(storage, newMessage(room, recruiter));
        await insertMessage(storage, newMessage(room, client));
        const read = await insertMessage(storage, newMessage(room, b));
        await addRead(storage, read.uuid, client);

        await addClients(storage, room.uuid, [newcomer]);

        const unreadOf = async (user: string) =>
          (await storage.listRooms({ viewer: user, room: room.uuid }))[0]?.unreadCount;
        expect(await unreadOf(newcomer)).toBe(3);
        // Those who were there keep their counts (the client read b's message).
        expect([await unreadOf(recruiter), await unreadOf(client), await unreadOf(b)]).toEqual([2, 1, 2]);
        // And the newcomer's count moves as anyone's does.
        await insertMessage(storage, newMessage(room, recruiter));
        await insertMessage(storage, newMessage(room, newcomer));
        expect(await unreadOf(newcomer)).toBe(4);
      });

      it('lets a client who comes back keep the reads of their earlier stay', async () => {
        const first = await insertMessage(storage, newMessage(room, recruiter));
        await insertMessage(storage, newMessage(room, recruiter));
        await addRead(storage, first.uuid, client);
        await removeClient(storage, room.uuid, client);
        await insertMessage(storage, newMessage(room, recruiter));

        await addClients(storage, room.uuid, [client]);

        expect((await storage.listRooms({ viewer: client }))[0]?.unreadCount).toBe(2);
        expect((await storage.getMessage(first.uuid))?.readBy).toEqual([client]);
      });

      it('changes nothing, logs nothing and spends no seq when every client is in the room already', async () => {
        const seq = await storage.roomSeq(room.uuid);
        const inboxSeqs = await Promise.all([recruiter, client].map((user) => storage.inboxSeq(user)));

        expect(await addClients(storage, room.uuid, [client])).toBeNull();

        expect(await storage.roomSeq(room.uuid)).toBe(seq);
        expect(await Promise.all([recruiter, client].map((user) => storage.inboxSeq(user)))).toEqual(
          inboxSeqs,
        );
        expect(await storage.getRoom(room.uuid)).toEqual(room);
      });

      it('answers null for a room that does not exist, and creates nothing', async () => {
        const ghost = randomUUID();
        const newcomer = randomUUID();

        expect(await addClients(storage, ghost, [newcomer])).toBeNull();

        expect(await storage.getRoom(ghost)).toBeNull();
        expect(await storage.listRooms({ viewer: newcomer })).toEqual([]);
        expect(await storage.inboxSeq(newcomer)).toBe(0);
      });

      it('adds three hundred clients at once (more than one statement’s worth)', async () => {
        const many = Array.from({ length: 300 }, () => randomUUID());

        const logged = await addClients(storage, room.uuid, many);

        expect(logged?.record.added).toEqual(sorted(many));
        expect(logged?.inbox).toHaveLength(302);
        expect((await storage.getRoom(room.uuid))?.clients).toEqual(sorted([client, ...many]));
      });
    });

    describe('removing a client', () => {
      it('takes the client out and logs one room_updated without them', async () => {
        const other = randomUUID();
        await addClients(storage, room.uuid, [other]);

        const logged = await removeClient(storage, room.uuid, client);

        const after = { ...room, clients: [other] };
        expect(logged?.record).toEqual({ room: after, lastMessage: null, added: [], removed: [client] });
        expect(logged?.event).toEqual({ type: 'room_updated', room: toChatRoomBase(after), seq: 2 });
        expect(await storage.getRoom(room.uuid)).toEqual(after);
        expect((await storage.eventsAfter(room.uuid, 1))?.events).toEqual([logged?.event]);
      });

      it('tells the inbox of everyone left of the room, and the removed client that they left', async () => {
        const other = randomUUID();
        await addClients(storage, room.uuid, [other]);
        await insertMessage(storage, newMessage(room, recruiter));

        const logged = await removeClient(storage, room.uuid, client);

        const byUser = new Map(logged!.inbox.map(({ user, event }) => [user, event]));
        expect([...byUser.keys()]).toEqual(sorted([recruiter, other, client]));
        expect(byUser.get(client)).toEqual({
          type: 'room_removed',
          room_id: room.uuid,
          seq: expect.any(Number),
        });
        for (const [user, unread] of [
          [recruiter, 0],
          [other, 1],
        ] as const) {
          expect(byUser.get(user)).toMatchObject({
            type: 'room_updated',
            room: { uuid: room.uuid, clients: [other], unread_count: unread },
          });
        }
        for (const { user, event } of logged!.inbox) {
          expect((await storage.inboxEventsAfter(user, event.seq - 1)).events).toEqual([event]);
        }
      });

      it('leaves the room to the recruiter when its last client goes', async () => {
        await removeClient(storage, room.uuid, client);

        expect(await storage.getRoom(room.uuid)).toEqual({ ...room, clients: [] });
        expect((await storage.listRooms({ viewer: recruiter })).map((s) => s.room.uuid)).toEqual([room.uuid]);
      });

      it('answers null, logging nothing, for the recruiter, someone not in the room, or no such room', async () => {
        const seq = await storage.roomSeq(room.uuid);
        const recruiterSeq = await storage.inboxSeq(recruiter);

        expect(await removeClient(storage, room.uuid, recruiter)).toBeNull();
        expect(await removeClient(storage, room.uuid, randomUUID())).toBeNull();
        expect(await removeClient(storage, randomUUID(), client)).toBeNull();
        await removeClient(storage, room.uuid, client);
        expect(await removeClient(storage, room.uuid, client)).toBeNull();

        expect(await storage.roomSeq(room.uuid)).toBe(seq! + 1);
        expect(await storage.inboxSeq(recruiter)).toBe(recruiterSeq + 1);
        expect((await storage.getRoom(room.uuid))?.recruiter).toBe(recruiter);
      });

      it('shuts the removed client out of every read and write of the room', async () => {
        const message = await insertMessage(storage, newMessage(room, recruiter));
        const own = await insertMessage(storage, newMessage(room, client));

        await removeClient(storage, room.uuid, client);

        expect(await storage.isParticipant(room.uuid, client)).toBe(false);
        expect(await storage.roomAccess(room.uuid, client)).toEqual({ participant: false, seq: 3 });
        expect(await storage.listRooms({ viewer: client })).toEqual([]);
        expect(await storage.listRooms({ viewer: client, room: room.uuid })).toEqual([]);
        expect(await storage.roomsWithParticipants(client)).toEqual([]);
        expect(await storage.roomsWithParticipants(recruiter)).toEqual([
          { room: room.uuid, participants: [recruiter] },
        ]);
        // Their own messages of the room included: the history is the room's, not theirs.
        expect(await storage.listMessages({ viewer: client, limit: 50 })).toEqual({
          messages: [],
          hasMore: false,
        });
        expect(await storage.listMessages({ viewer: client, chatRoom: room.uuid, limit: 50 })).toEqual({
          messages: [],
          hasMore: false,
        });
        expect(await addRead(storage, message.uuid, client)).toBe(false);
        expect(
          await storage.insertMessage(newMessage(room, client), messageEvent('message_created')),
        ).toBeNull();
        // What they wrote stays in the room for the others.
        expect((await storage.getMessage(own.uuid))?.sender).toBe(client);
        expect(await storage.roomSeq(room.uuid)).toBe(3);
      });
    });

    describe('reads of one room', () => {
      it('answers one room of the viewer’s, with its last message and the viewer’s unread count', async () => {
        const { room: other } = await createRoom(storage, newRoom([client, randomUUID()], recruiter));
        const last = await insertMessage(storage, newMessage(room, recruiter));

        expect(await storage.listRooms({ viewer: client, room: room.uuid })).toEqual([
          { room, lastMessage: last, unreadCount: 1 },
        ]);
        expect(await storage.listRooms({ viewer: client, room: other.uuid })).toEqual([
          { room: other, lastMessage: null, unreadCount: 0 },
        ]);
        expect(await storage.listRooms({ viewer: randomUUID(), room: room.uuid })).toEqual([]);
        expect(await storage.listRooms({ viewer: client, room: randomUUID() })).toEqual([]);
      });

      it('answers the room’s seq and whether the user is in it in one read', async () => {
        await insertMessage(storage, newMessage(room, recruiter));

        expect(await storage.roomAccess(room.uuid, client)).toEqual({ participant: true, seq: 1 });
        expect(await storage.roomAccess(room.uuid, recruiter)).toEqual({ participant: true, seq: 1 });
        expect(await storage.roomAccess(room.uuid, randomUUID())).toEqual({ participant: false, seq: 1 });
        expect(await storage.roomAccess(randomUUID(), client)).toBeNull();
      });

      it('answers every room of a user with all of its participants, recruiter first', async () => {
        const [a, b] = sorted([randomUUID(), randomUUID()]) as [string, string];
        const { room: second } = await createRoom(storage, newRoom([b, client, a]));
        await createRoom(storage, newRoom());

        const rooms = await storage.roomsWithParticipants(client);

        expect(rooms.sort((x, y) => (x.room < y.room ? -1 : 1))).toEqual(
          [
            { room: room.uuid, participants: [recruiter, client] },
            { room: second.uuid, participants: [second.recruiter, ...sorted([a, b, client])] },
          ].sort((x, y) => (x.room < y.room ? -1 : 1)),
        );
        expect(await storage.roomsWithParticipants(randomUUID())).toEqual([]);
      });
    });

    describe('idempotent creation after participants changed', () => {
      it('finds a room by the participants it has now, not those it was created with', async () => {
        const added = randomUUID();
        await addClients(storage, room.uuid, [added]);

        const same = await createRoom(storage, newRoom([added, client], recruiter));
        const asCreated = await createRoom(storage, newRoom([client], recruiter));

        expect(same).toEqual({ room: { ...room, clients: sorted([client, added]) }, created: false });
        expect(asCreated.created).toBe(true);
        expect(asCreated.room.uuid).not.toBe(room.uuid);
      });

      it('finds a room whose clients left back to a set it is asked for again', async () => {
        const { room: pair } = await createRoom(storage, newRoom([client, randomUUID()], recruiter));
        const [leaving] = pair.clients.filter((c) => c !== client);
        await removeClient(storage, pair.uuid, leaving!);

        // The first room of these participants, created with them, is the oldest: it answers.
        const again = await createRoom(storage, newRoom([client], recruiter));
        expect(again).toEqual({ room, created: false });

        // Without that one, the room that came to them answers.
        const alone = randomUUID();
        const { room: trio } = await createRoom(storage, newRoom([alone, randomUUID()], recruiter));
        await removeClient(storage, trio.uuid, trio.clients.find((c) => c !== alone)!);
        expect(await createRoom(storage, newRoom([alone], recruiter))).toEqual({
          room: { ...trio, clients: [alone] },
          created: false,
        });
      });

      it('settles concurrent creations of a set on one room, also after that set changed elsewhere', async () => {
        const added = randomUUID();
        await addClients(storage, room.uuid, [added]);

        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            createRoom(storage, newRoom(i % 2 ? [client] : [client], recruiter)),
          ),
        );

        expect(new Set(results.map((r) => r.room.uuid)).size).toBe(1);
        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(results[0]!.room.uuid).not.toBe(room.uuid);
      });
    });

    describe('one transaction', () => {
      it('leaves no trace of an addition whose events could not all be made', async () => {
        const added = randomUUID();
        const seq = await storage.roomSeq(room.uuid);
        const before = await Promise.all([recruiter, client].map((user) => storage.inboxSeq(user)));

        await expect(
          storage.addClients(room.uuid, [added], failingForLast([recruiter, client, added])),
        ).rejects.toThrow('the inbox event could not be made');

        expect(await storage.getRoom(room.uuid)).toEqual(room);
        expect(await storage.isParticipant(room.uuid, added)).toBe(false);
        expect(await storage.roomSeq(room.uuid)).toBe(seq);
        expect((await storage.eventsAfter(room.uuid, 0))?.events).toEqual([]);
        expect(await Promise.all([recruiter, client].map((user) => storage.inboxSeq(user)))).toEqual(before);
        expect(await storage.inboxSeq(added)).toBe(0);
        // The participants digest rolled back too: asking for the room as it was finds it.
        expect(await createRoom(storage, newRoom([client], recruiter))).toEqual({ room, created: false });
      });

      it('leaves no trace of a removal whose events could not all be made', async () => {
        const before = await Promise.all([recruiter, client].map((user) => storage.inboxSeq(user)));

        await expect(
          storage.removeClient(room.uuid, client, failingForLast([recruiter, client])),
        ).rejects.toThrow('the inbox event could not be made');

        expect(await storage.getRoom(room.uuid)).toEqual(room);
        expect(await storage.isParticipant(room.uuid, client)).toBe(true);
        expect(await storage.roomSeq(room.uuid)).toBe(0);
        expect(await Promise.all([recruiter, client].map((user) => storage.inboxSeq(user)))).toEqual(before);
      });

      it('leaves no room behind when the inbox events of its creation could not all be made', async () => {
        const fresh = newRoom([randomUUID(), randomUUID()]);

        await expect(
          storage.createRoom(fresh, failingForLast([fresh.recruiter, ...fresh.clients])),
        ).rejects.toThrow('the inbox event could not be made');

        expect(await storage.getRoom(fresh.uuid)).toBeNull();
        for (const user of [fresh.recruiter, ...fresh.clients]) {
          expect(await storage.inboxSeq(user)).toBe(0);
          expect(await storage.listRooms({ viewer: user })).toEqual([]);
        }
        expect(await createRoom(storage, fresh)).toEqual({
          room: { ...fresh, clients: sorted(fresh.clients) },
          created: true,
        });
      });
    });

    describe('concurrency', () => {
      it('numbers concurrent additions, removals and messages of rooms that share users without a gap', async () => {
        // Rooms of one recruiter that share clients: every write locks some of the same inbox counters.
        const shared = [randomUUID(), randomUUID()];
        const rooms: Array<{ room: RoomRecord; leaving: string }> = [{ room, leaving: client }];
        for (let i = 0; i < 3; i++) {
          const leaving = randomUUID();
          rooms.push({
            room: (await createRoom(storage, newRoom([...shared, leaving], recruiter))).room,
            leaving,
          });
        }
        const joiners = rooms.map(() => randomUUID());

        const results = await Promise.all(
          rooms.flatMap(({ room: r, leaving }, i) => [
            addClients(storage, r.uuid, [joiners[i]!]),
            removeClient(storage, r.uuid, leaving),
            ...Array.from({ length: 4 }, () => insertMessage(storage, newMessage(r, recruiter))),
          ]),
        );

        expect(results.every((result) => result !== null)).toBe(true);
        for (const { room: r } of rooms) {
          const log = (await storage.eventsAfter(r.uuid, 0))!;
          expect(log.events.map((event) => event.seq)).toEqual(Array.from({ length: 6 }, (_, i) => i + 1));
        }
        // Each user's inbox counts their events without a gap or a repeat: creation, then six each.
        const expected: Array<[string, number]> = [
          [recruiter, 4 + 4 * 6],
          ...shared.map((user): [string, number] => [user, 3 + 3 * 6]),
        ];
        for (const [user, count] of expected) {
          const inbox = await storage.inboxEventsAfter(user, 0);
          expect(inbox.events.map((event) => event.seq)).toEqual(
            Array.from({ length: count }, (_, i) => i + 1),
          );
          expect(inbox.seq).toBe(count);
        }
        for (const [i, { room: r, leaving }] of rooms.entries()) {
          const clients = (await storage.getRoom(r.uuid))!.clients;
          expect(clients).toContain(joiners[i]);
          expect(clients).not.toContain(leaving);
        }
      });
    });
  });
}
