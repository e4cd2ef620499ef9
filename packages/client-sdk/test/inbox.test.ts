import type { ChatRoom, InboxServerEventMap, Message } from '@hirechat/protocol';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type {
  ChatClient,
  ConnectionStatus,
  InboxResyncEvent,
  LiveInbox,
  LiveInboxEvents,
} from '../src/index.js';
import { type InboxRecorder, recordInbox, summary } from './support/inbox-recorder.js';
import { useWorld, type World } from './support/world.js';

describe('LiveInbox', () => {
  const harness = useWorld();

  /** Waits until the inbox shows exactly these rooms (see `summary`), in this order. */
  async function shows(inbox: LiveInbox, seen: InboxRecorder, expected: string[]) {
    await seen.until(`the rooms ${JSON.stringify(expected)}`, () =>
      sameList(summary(inbox.getSnapshot()), expected),
    );
  }

  /** A room's line in `summary`: what a room list shows of it. */
  const line = (room: ChatRoom | string, unread: number, last: string | null) =>
    `${typeof room === 'string' ? room : room.uuid} ${unread} ${last ?? '-'}`;

  /** A user with a client of their own and their inbox, open. */
  async function withInbox(world: World, user: string) {
    const chat = world.client(user);
    const inbox = world.inbox(chat);
    const seen = recordInbox(inbox);
    await inbox.opened;
    return { chat, inbox, seen };
  }

  it('keeps rooms by latest activity, with last messages and unread counts, as messages come, are read and go', async () => {
    const world = await harness.start();
    const [recruiter, ana, ben, cleo] = [world.user(), world.user(), world.user(), world.user()];
    const withAna = await world.room(recruiter, [ana]);
    const withBen = await world.room(recruiter, [ben]);
    const { chat, inbox, seen } = await withInbox(world, recruiter);
    const post = (user: string, room: ChatRoom, content: string) =>
      world.client(user).messages.create({ chat_room: room.uuid, content });

    // Fetched over REST once subscribed: newest room first.
    expect(inbox.status).toBe('open');
    expect(summary(inbox.getSnapshot())).toEqual([line(withBen, 0, null), line(withAna, 0, null)]);
    expect(inbox.getSnapshot()).toEqual(await chat.rooms.list());

    const withCleo = await world.room(recruiter, [cleo]);
    await shows(inbox, seen, [line(withCleo, 0, null), line(withBen, 0, null), line(withAna, 0, null)]);

    await post(ana, withAna, 'a1');
    await shows(inbox, seen, [line(withAna, 1, 'a1'), line(withCleo, 0, null), line(withBen, 0, null)]);

    const b1 = await post(ben, withBen, 'b1');
    const b2 = await post(ben, withBen, 'b2');
    await shows(inbox, seen, [line(withBen, 2, 'b2'), line(withAna, 1, 'a1'), line(withCleo, 0, null)]);

    // One's own message moves the room up and counts nothing unread.
    await post(recruiter, withCleo, 'hello Cleo');
    await shows(inbox, seen, [
      line(withCleo, 0, 'hello Cleo'),
      line(withBen, 2, 'b2'),
      line(withAna, 1, 'a1'),
    ]);

    // A read on another device (a live room here) lowers the count.
    const live = world.connect(chat, withBen.uuid);
    await live.opened;
    live.markRead(b1.uuid);
    await shows(inbox, seen, [
      line(withCleo, 0, 'hello Cleo'),
      line(withBen, 1, 'b2'),
      line(withAna, 1, 'a1'),
    ]);

    // The newest message deleted: the one before it is the last again, and the room keeps its place.
    await world.client(ben).messages.delete(b2.uuid);
    await shows(inbox, seen, [
      line(withCleo, 0, 'hello Cleo'),
      line(withBen, 0, 'b1'),
      line(withAna, 1, 'a1'),
    ]);

    const a1 = inbox.room(withAna.uuid)?.last_message as Message;
    await world.client(ana).messages.update(a1.uuid, { content: 'a1, edited' });
    await shows(inbox, seen, [
      line(withCleo, 0, 'hello Cleo'),
      line(withBen, 0, 'b1'),
      line(withAna, 1, 'a1, edited'),
    ]);

    // Exactly what the server's own list says, read receipts and all.
    expect(inbox.getSnapshot()).toEqual(await chat.rooms.list());
    // Each once, in order, after the two rooms created before the inbox opened (seqs 1 and 2).
    expect(seen.events.map((event) => event.seq)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(seen.events.map((event) => event.type)).toEqual([
      'room_created',
      'message_created',
      'message_created',
      'message_created',
      'message_created',
      'unread_changed',
      'message_deleted',
      'message_updated',
    ]);
    expect(inbox.lastSeq).toBe(10);
  });

  it('lists a room whose newest message was deleted where the server does, by that message', async () => {
    const world = await harness.start();
    const [recruiter, ana, ben] = [world.user(), world.user(), world.user()];
    const anas = world.client(ana);
    const withAna = await world.room(recruiter, [ana]);
    await anas.messages.create({ chat_room: withAna.uuid, content: 'older than the room with Ben' });
    const withBen = await world.room(recruiter, [ben]);
    const newest = await anas.messages.create({ chat_room: withAna.uuid, content: 'newest' });
    await anas.messages.delete(newest.uuid);
    const { chat, inbox, seen } = await withInbox(world, recruiter);

    // The room with Ana was active last, though what is left of it is older than the other room.
    const listed = await chat.rooms.list();
    expect(uuids(listed)).toEqual([withAna.uuid, withBen.uuid]);
    expect(inbox.getSnapshot()).toEqual(listed);

    await world.client(ben).messages.create({ chat_room: withBen.uuid, content: 'hello' });
    await shows(inbox, seen, [line(withBen, 1, 'hello'), line(withAna, 1, 'older than the room with Ben')]);
    expect(uuids(await chat.rooms.list())).toEqual(uuids(inbox.getSnapshot()));
  });

  it('takes in a room the user is added to, with its history, and drops one they leave or are removed from', async () => {
    const world = await harness.start();
    const [recruiter, ana, dan] = [world.user(), world.user(), world.user()];
    const room = await world.room(recruiter, [ana]);
    const recruiterChat = world.client(recruiter);
    await world.client(ana).messages.create({ chat_room: room.uuid, content: 'from Ana' });
    await recruiterChat.messages.create({ chat_room: room.uuid, content: 'from the recruiter' });
    const [dans, anas] = [await withInbox(world, dan), await withInbox(world, ana)];
    expect(dans.inbox.getSnapshot()).toEqual([]);

    await recruiterChat.rooms.addClients(room.uuid, [dan]);
    await shows(dans.inbox, dans.seen, [line(room, 2, 'from the recruiter')]);
    expect(dans.inbox.room(room.uuid)?.clients).toEqual([ana, dan].sort());
    expect(dans.seen.events.map((event) => event.type)).toEqual(['room_updated']);
    // The whole history is theirs now.
    const history = await dans.chat.messages.list({ chat_room: room.uuid });
    expect(history.messages.map((message) => message.content)).toEqual(['from Ana', 'from the recruiter']);
    // The others see who is in the room now.
    await anas.seen.until('Dan in the room', () => anas.inbox.room(room.uuid)?.clients.length === 2);

    await recruiterChat.rooms.removeClient(room.uuid, dan);
    await shows(dans.inbox, dans.seen, []);
    expect(dans.seen.events.at(-1)).toEqual({ type: 'room_removed', room_id: room.uuid, seq: 2 });
    await anas.seen.until('Dan gone', () => anas.inbox.room(room.uuid)?.clients.length === 1);

    await anas.chat.rooms.leave(room.uuid);
    await shows(anas.inbox, anas.seen, []);
    expect(anas.seen.events.map((event) => event.type)).toEqual([
      'room_updated',
      'room_updated',
      'room_removed',
    ]);
  });

  it('answers the same snapshot until the rooms change, as useSyncExternalStore needs', async () => {
    const world = await harness.start();
    const [recruiter, ana, ben] = [world.user(), world.user(), world.user()];
    const withAna = await world.room(recruiter, [ana]);
    const withBen = await world.room(recruiter, [ben]);
    const { inbox, seen } = await withInbox(world, recruiter);
    // Passed as React passes them: detached from the inbox.
    const { subscribe, getSnapshot } = inbox;
    let calls = 0;
    const unsubscribe = subscribe(() => calls++);

    const first = getSnapshot();
    expect(getSnapshot()).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);

    const message = await world.client(ana).messages.create({ chat_room: withAna.uuid, content: 'hi' });
    await seen.until('the message', () => getSnapshot() !== first);
    const second = getSnapshot();
    expect(calls).toBe(1);
    expect(getSnapshot()).toBe(second);
    expect(uuids(second)).toEqual([withAna.uuid, withBen.uuid]);
    // The old snapshot is left as it was; the room that did not change is the same object.
    expect(uuids(first)).toEqual([withBen.uuid, withAna.uuid]);
    expect(second[1]).toBe(first[0]);

    // An edit of a message that is not the room's last changes nothing the inbox shows.
    await world.client(ana).messages.create({ chat_room: withAna.uuid, content: 'hi again' });
    await seen.until('the second message', () => seen.events.length === 2);
    const third = getSnapshot();
    await world.client(ana).messages.update(message.uuid, { content: 'hi, edited' });
    await seen.until('the edit', () => seen.events.length === 3);
    expect(getSnapshot()).toBe(third);
    expect(calls).toBe(2);

    unsubscribe();
    await world.client(ben).messages.create({ chat_room: withBen.uuid, content: 'hello' });
    await seen.until('the last message', () => seen.events.length === 4);
    expect(calls).toBe(2);
    expect(seen.changes.at(-1)).toBe(getSnapshot());
  });

  it('types each event by its name', async () => {
    const world = await harness.start();
    const { inbox } = await withInbox(world, world.user());

    inbox.on('message_created', (event) => {
      expectTypeOf(event).toEqualTypeOf<InboxServerEventMap['message_created']>();
      expectTypeOf(event.message).toEqualTypeOf<Message>();
      expectTypeOf(event.unread_count).toEqualTypeOf<number>();
    });
    inbox.on('room_removed', (event) => expectTypeOf(event.room_id).toEqualTypeOf<string>());
    inbox.on('room_updated', (event) => expectTypeOf(event.room).toEqualTypeOf<ChatRoom>());
    inbox.on('unread_changed', (event) => expectTypeOf(event.unread_count).toEqualTypeOf<number>());
    inbox.on('change', (rooms) => expectTypeOf(rooms).toEqualTypeOf<readonly ChatRoom[]>());
    inbox.on('resync', (event) => expectTypeOf(event).toEqualTypeOf<InboxResyncEvent>());
    inbox.on('status', (status) => expectTypeOf(status).toEqualTypeOf<ConnectionStatus>());
    expectTypeOf<Parameters<LiveInbox['on']>[0]>().toEqualTypeOf<keyof LiveInboxEvents>();
    expectTypeOf(inbox.getSnapshot).toEqualTypeOf<() => readonly ChatRoom[]>();
    expectTypeOf<ReturnType<ChatClient['inbox']>>().toEqualTypeOf<LiveInbox>();
    // @ts-expect-error: the inbox carries no typing
    inbox.on('typing', () => {});
    // @ts-expect-error: unread_changed names a room, not a message
    inbox.on('unread_changed', (event) => event.message);
  });
});

const uuids = (rooms: readonly ChatRoom[]) => rooms.map((room) => room.uuid);

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}
