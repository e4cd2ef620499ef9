import { randomUUID } from 'node:crypto';
import {
  INBOX_LOG_MIN_EVENTS,
  INBOX_SOCKET_PATH,
  type InboxServerEvent,
  RestPaths,
} from '@hirechat/protocol';
import type { BroadcastEvent, Broadcaster } from '@hirechat/server-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { ForwardingBroadcaster } from '../broadcast/forwarding-broadcaster.js';
import { messageEvent, newMessage } from '../storage/chat-storage-suite.js';
import { type Chat, type InboxSocket, useChat } from './fixture.js';
import type { AnyEvent, TestSocket } from './socket.js';

/*
 * The inbox socket (contract, "The inbox: one socket for all of a user's rooms"): `/ws/inbox/`
 * carries every event of every room the user is in, numbered by the user's own seq, with their
 * own unread counts; resumes with `?since=` as room sockets do; and takes nothing but `ping`.
 */

/** The in-process broadcaster, losing the next inbox events of one user (as a broker outage would). */
class LossyInboxes extends ForwardingBroadcaster {
  private lose = { topic: '', count: 0 };
  loseNextOf(user: string, count: number): void {
    this.lose = { topic: `user:${user}`, count };
  }
  override async publish(topic: string, event: BroadcastEvent) {
    if (topic === this.lose.topic && this.lose.count > 0) {
      this.lose.count--;
      return;
    }
    await this.inner.publish(topic, event);
  }
}

/** The next `count` frames of the socket, in order. */
async function frames<E extends AnyEvent>(socket: TestSocket<E>, count: number): Promise<E[]> {
  const taken: E[] = [];
  for (let i = 0; i < count; i++) taken.push(await socket.nextAny());
  return taken;
}

/** Nothing more is on its way to the socket: a ping's pong is the next frame. */
async function expectNothingMore(socket: InboxSocket): Promise<void> {
  socket.send({ type: 'ping' });
  expect(await socket.nextAny()).toEqual({ type: 'pong' });
}

describe('WebSocket: the inbox', () => {
  const harness = useChat();
  const broadcasters: Broadcaster[] = [];

  afterEach(async () => {
    await Promise.all(broadcasters.splice(0).map((broadcaster) => broadcaster.close()));
  });

  it('carries every event of the user’s rooms, each with their own seq and unread count', async () => {
    const chat = await harness.start();
    const [recruiter, a, b] = [chat.user(), chat.user(), chat.user()];
    const inboxes = await Promise.all([recruiter, a, b].map((user) => chat.inbox(user)));
    const [ofRecruiter, ofA, ofB] = inboxes as [InboxSocket, InboxSocket, InboxSocket];

    const room = await chat.room(recruiter, [a]);
    expect(await ofRecruiter.nextAny()).toStrictEqual({ type: 'room_created', room, seq: 1 });
    expect(await ofA.nextAny()).toStrictEqual({ type: 'room_created', room: { ...room }, seq: 1 });

    const m1 = await chat.post(a, room.uuid, 'one');
    expect(await ofRecruiter.nextAny()).toStrictEqual({
      type: 'message_created',
      message: m1,
      unread_count: 1,
      seq: 2,
    });
    expect(await ofA.nextAny()).toStrictEqual({
      type: 'message_created',
      message: m1,
      unread_count: 0,
      seq: 2,
    });

    // The recruiter reads it on a room socket: only their own inbox hears of their new count.
    const roomSocket = await chat.connect(recruiter, room.uuid);
    roomSocket.send({ type: 'message_read', message_id: m1.uuid });
    expect(await ofRecruiter.nextAny()).toStrictEqual({
      type: 'unread_changed',
      room_id: room.uuid,
      unread_count: 0,
      seq: 3,
    });

    const edited = await chat.edit(a, m1.uuid, 'one, edited');
    expect(edited.read_by).toEqual([recruiter.id]);
    expect(await ofRecruiter.nextAny()).toStrictEqual({ type: 'message_updated', message: edited, seq: 4 });
    expect(await ofA.nextAny()).toStrictEqual({ type: 'message_updated', message: edited, seq: 3 });

    const m2 = await chat.post(a, room.uuid, 'two');
    await chat.remove(a, m2.uuid);
    expect(await frames(ofRecruiter, 2)).toStrictEqual([
      { type: 'message_created', message: m2, unread_count: 1, seq: 5 },
      { type: 'message_deleted', message: m2, unread_count: 0, seq: 6 },
    ]);
    expect(await frames(ofA, 2)).toStrictEqual([
      { type: 'message_created', message: m2, unread_count: 0, seq: 4 },
      { type: 'message_deleted', message: m2, unread_count: 0, seq: 5 },
    ]);

    // B is added: everyone in the room hears of it as they see it; B with the history unread.
    const withB = await chat.addClients(recruiter, room.uuid, [b]);
    const clients = [a.id, b.id].sort();
    const seenBy = (unread: number) => ({ ...withB, last_message: edited, unread_count: unread });
    expect(withB.clients).toEqual(clients);
    expect(await ofRecruiter.nextAny()).toStrictEqual({ type: 'room_updated', room: seenBy(0), seq: 7 });
    expect(await ofA.nextAny()).toStrictEqual({ type: 'room_updated', room: seenBy(0), seq: 6 });
    expect(await ofB.nextAny()).toStrictEqual({ type: 'room_updated', room: seenBy(1), seq: 1 });

    // A is removed: A hears that they left, and nothing of the room after.
    await chat.removeClient(recruiter, room.uuid, a);
    const withoutA = { ...withB, clients: [b.id], last_message: edited };
    expect(await ofRecruiter.nextAny()).toStrictEqual({
      type: 'room_updated',
      room: { ...withoutA, unread_count: 0 },
      seq: 8,
    });
    expect(await ofB.nextAny()).toStrictEqual({
      type: 'room_updated',
      room: { ...withoutA, unread_count: 1 },
      seq: 2,
    });
    expect(await ofA.nextAny()).toStrictEqual({ type: 'room_removed', room_id: room.uuid, seq: 7 });

    const m3 = await chat.post(recruiter, room.uuid, 'three');
    expect(await ofB.nextAny()).toStrictEqual({
      type: 'message_created',
      message: m3,
      unread_count: 2,
      seq: 3,
    });
    expect(await ofRecruiter.nextAny()).toMatchObject({ type: 'message_created', seq: 9 });
    await expectNothingMore(ofA);
    // The inbox carries no typing and no presence, though both happen in the room.
    roomSocket.send({ type: 'typing', typing: true });
    expect((await roomSocket.next('typing')).typing_users).toEqual([recruiter.id]);
    await expectNothingMore(ofRecruiter);
  });

  it('counts one seq per user across all of their rooms, in commit order', async () => {
    const chat = await harness.start();
    const [recruiter, a, b] = [chat.user(), chat.user(), chat.user()];
    const inbox = await chat.inbox(recruiter);
    const rooms = [await chat.room(recruiter, [a]), await chat.room(recruiter, [b])];

    const posted = await Promise.all(
      Array.from({ length: 10 }, (_, i) => chat.post(i % 2 ? a : b, rooms[(i + 1) % 2]!.uuid, `m${i}`)),
    );

    const events = await frames(inbox, 12);
    expect(events.map((event) => ('seq' in event ? event.seq : null))).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    expect(
      events.flatMap((event) => (event.type === 'message_created' ? [event.message.uuid] : [])).sort(),
    ).toEqual(posted.map((message) => message.uuid).sort());
    // Each unread count is the recruiter's in that room after that message.
    const counts = new Map<string, number>();
    for (const event of events) {
      if (event.type !== 'message_created') continue;
      const room = event.message.chat_room;
      counts.set(room, (counts.get(room) ?? 0) + 1);
      expect(event.unread_count).toBe(counts.get(room));
    }
  });

  it('gives every inbox socket of a user every event, and a ping’s pong to that socket alone', async () => {
    const chat = await harness.start();
    const [recruiter, client] = [chat.user(), chat.user()];
    const [phone, laptop] = [await chat.inbox(recruiter), await chat.inbox(recruiter)];
    const room = await chat.room(recruiter, [client]);
    const message = await chat.post(client, room.uuid, 'to every device');

    for (const socket of [phone, laptop]) {
      expect(await frames(socket, 2)).toStrictEqual([
        { type: 'room_created', room, seq: 1 },
        { type: 'message_created', message, unread_count: 1, seq: 2 },
      ]);
    }
    phone.send({ type: 'ping' });
    expect(await phone.nextAny()).toEqual({ type: 'pong' });
    await expectNothingMore(laptop);

    // A read on one device moves the count on all of them; one socket closing leaves the others.
    await phone.close();
    const reader = await chat.connect(recruiter, room.uuid);
    reader.send({ type: 'message_read', message_id: message.uuid });
    expect(await laptop.nextAny()).toStrictEqual({
      type: 'unread_changed',
      room_id: room.uuid,
      unread_count: 0,
      seq: 3,
    });
  });

  it('takes the token in the subprotocol and answers with `hirechat`, or as ?token=', async () => {
    const chat = await harness.start();
    const [recruiter, client] = [chat.user(), chat.user()];

    const viaHeader = chat.openInbox({ token: null, protocols: ['hirechat', `bearer.${recruiter.token}`] });
    expect(await viaHeader.handshake).toEqual({ kind: 'open' });
    expect(viaHeader.protocol).toBe('hirechat');
    const viaQuery = await chat.inbox(recruiter);
    expect(viaQuery.protocol).toBe('');

    const room = await chat.room(recruiter, [client]);
    for (const socket of [viaHeader, viaQuery]) {
      expect(await socket.nextAny()).toStrictEqual({ type: 'room_created', room, seq: 1 });
    }
  });

  it('answers at /ws/inbox without the trailing slash too', async () => {
    const chat = await harness.start();
    const [recruiter, client] = [chat.user(), chat.user()];
    const bare = chat.openInbox({ token: recruiter.token, path: INBOX_SOCKET_PATH.slice(0, -1) });
    expect(await bare.handshake).toEqual({ kind: 'open' });

    const room = await chat.room(recruiter, [client]);

    expect(await bare.nextAny()).toStrictEqual({ type: 'room_created', room, seq: 1 });
  });

  describe('refusals', () => {
    it.each([
      ['no token', () => ({ token: null })],
      ['a garbage token', () => ({ token: 'not-a-jwt' })],
      ['a garbage token in the subprotocol', () => ({ token: null, protocols: ['hirechat', 'bearer.nope'] })],
    ])('closes with 4401 for %s, and sends nothing', async (_, options) => {
      const chat = await harness.start();
      const socket = chat.openInbox(options());
      expect(await socket.handshake).toEqual({ kind: 'open' });
      expect((await socket.closed()).code).toBe(4401);
      expect(socket.received).toEqual([]);
    });

    it('closes with 4401 when a connected token expires', async () => {
      const chat = await harness.start();
      const token = chat.ts.token({}, 1);
      const socket = chat.openInbox({ token });
      expect(await socket.handshake).toEqual({ kind: 'open' });
      expect((await socket.closed(4_000)).code).toBe(4401);
    });
  });

  describe('client frames', () => {
    it.each([
      ['a typing event', { type: 'typing', typing: true }, 'unknown_event'],
      ['a message_read event', { type: 'message_read', message_id: randomUUID() }, 'unknown_event'],
      ['an unknown type', { type: 'subscribe' }, 'unknown_event'],
      ['no type', { ping: true }, 'unknown_event'],
      ['JSON that is not an object', [1, 2], 'invalid_json'],
      ['a ping with an unknown field', { type: 'ping', room: 'x' }, 'invalid_input'],
    ] as const)('answers %s with an error event and stays open', async (_, frame, code) => {
      const chat = await harness.start();
      const socket = await chat.inbox(chat.user());

      socket.send(frame);

      const error = await socket.nextAny();
      expect(error).toMatchObject({ type: 'error', code });
      if (code === 'unknown_event') expect(error).toMatchObject({ detail: expect.stringMatching(/ping/) });
      if (code === 'invalid_input') expect(error).toMatchObject({ detail: 'room: Unknown field.' });
      await expectNothingMore(socket);
      expect(socket.isOpen).toBe(true);
    });

    it('answers text that is not JSON, and a binary frame, with invalid_json', async () => {
      const chat = await harness.start();
      const socket = await chat.inbox(chat.user());

      socket.sendRaw('not json');
      socket.sendRaw(new Uint8Array([1, 2, 3]));

      expect(await frames(socket, 2)).toEqual([
        { type: 'error', code: 'invalid_json', detail: expect.any(String) },
        { type: 'error', code: 'invalid_json', detail: expect.any(String) },
      ]);
      await expectNothingMore(socket);
    });
  });

  describe('resuming with ?since=', () => {
    /** A user with five inbox events: a room's creation and four messages to them. */
    async function userWithFive(chat: Chat) {
      const [recruiter, client] = [chat.user(), chat.user()];
      const live = await chat.inbox(client);
      const room = await chat.room(recruiter, [client]);
      for (const content of ['one', 'two', 'three', 'four']) await chat.post(recruiter, room.uuid, content);
      const sent = await frames(live, 5);
      return { recruiter, client, room, sent };
    }

    it('replays the events after since exactly as they were sent, then synced, then live ones', async () => {
      const chat = await harness.start();
      const { recruiter, client, room, sent } = await userWithFive(chat);

      const resumed = await chat.inbox(client, { since: '2' });

      expect(await frames(resumed, 4)).toStrictEqual([...sent.slice(2), { type: 'synced', seq: 5 }]);
      const live = await chat.post(recruiter, room.uuid, 'five');
      expect(await resumed.nextAny()).toStrictEqual({
        type: 'message_created',
        message: live,
        unread_count: 5,
        seq: 6,
      });
    });

    it('replays everything from 0, nothing from latest, and answers synced with the newest seq', async () => {
      const chat = await harness.start();
      const { client, sent } = await userWithFive(chat);

      const fromStart = await chat.inbox(client, { since: '0' });
      expect(await frames(fromStart, 6)).toStrictEqual([...sent, { type: 'synced', seq: 5 }]);
      const latest = await chat.inbox(client, { since: 'latest' });
      expect(await latest.nextAny()).toStrictEqual({ type: 'synced', seq: 5 });
      const upToDate = await chat.inbox(client, { since: '5' });
      expect(await upToDate.nextAny()).toStrictEqual({ type: 'synced', seq: 5 });
      const newcomer = await chat.inbox(chat.user(), { since: '0' });
      expect(await newcomer.nextAny()).toStrictEqual({ type: 'synced', seq: 0 });
    });

    it('asks for a resync when since is ahead of the user’s inbox', async () => {
      const chat = await harness.start();
      const { client } = await userWithFive(chat);

      const socket = await chat.inbox(client, { since: '9' });

      expect(await frames(socket, 2)).toStrictEqual([
        { type: 'resync_required' },
        { type: 'synced', seq: 5 },
      ]);
    });

    it(`asks for a resync when the log no longer reaches back to since (it keeps the newest ${INBOX_LOG_MIN_EVENTS})`, async () => {
      const chat = await harness.start();
      const [recruiter, client] = [chat.user(), chat.user()];
      const room = await chat.room(recruiter, [client]);
      const others = [await chat.room(chat.user(), [client]), await chat.room(chat.user(), [client])];
      // Written straight to the storage, three rooms at once, for speed: a thousand posts over
      // HTTP would take long.
      const writes = INBOX_LOG_MIN_EVENTS + 100;
      await Promise.all(
        [room, ...others].map(async (each, i) => {
          const record = {
            uuid: each.uuid,
            recruiter: each.recruiter,
            clients: each.clients,
            createdAt: each.created_at,
          };
          for (let k = i; k < writes; k += 3) {
            await chat.ts.storage.insertMessage(
              newMessage(record, each.recruiter),
              messageEvent('message_created'),
            );
          }
        }),
      );
      const newest = await chat.ts.storage.inboxSeq(client.id);
      expect(newest).toBe(3 + writes);

      const tooOld = await chat.inbox(client, { since: '1' });
      expect(await frames(tooOld, 2)).toStrictEqual([
        { type: 'resync_required' },
        { type: 'synced', seq: newest },
      ]);
      // Live events follow the resync as usual.
      const live = await chat.post(recruiter, room.uuid, 'after the resync');
      expect(await tooOld.nextAny()).toMatchObject({
        type: 'message_created',
        message: live,
        seq: newest + 1,
      });

      // The newest ones are still there to replay.
      const recent = await chat.inbox(client, { since: String(newest + 1 - INBOX_LOG_MIN_EVENTS) });
      const replayed = await frames(recent, INBOX_LOG_MIN_EVENTS);
      expect(replayed.map((event) => ('seq' in event ? event.seq : null))).toEqual(
        Array.from({ length: INBOX_LOG_MIN_EVENTS }, (_, i) => newest + 2 - INBOX_LOG_MIN_EVENTS + i),
      );
      expect(await recent.nextAny()).toStrictEqual({ type: 'synced', seq: newest + 1 });
    }, 120_000);

    it('answers a bad since with invalid_input, and then serves the socket as one without since', async () => {
      const chat = await harness.start();
      const { recruiter, client, room } = await userWithFive(chat);

      const socket = await chat.inbox(client, { since: 'yesterday' });

      expect(await socket.nextAny()).toStrictEqual({
        type: 'error',
        code: 'invalid_input',
        detail: 'since: Must be a whole number of 0 or more, or "latest".',
      });
      const live = await chat.post(recruiter, room.uuid, 'live');
      expect(await socket.nextAny()).toMatchObject({ type: 'message_created', message: live, seq: 6 });
    });
  });

  it('carries file URLs valid from when each event is sent: live, and replayed after the first expired', async () => {
    const chat = await harness.start({ mediaUrlTtlSeconds: 1 });
    const [recruiter, client, newcomer] = [chat.user(), chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const inbox = await chat.inbox(newcomer);
    const form = new FormData();
    form.append('chat_room', room.uuid);
    form.append('file', new Blob(['%PDF-1.4\n']), 'cv.pdf');
    const posted = await fetch(new URL(RestPaths.createMessage, chat.ts.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${client.token}` },
      body: form,
    });
    expect(posted.status).toBe(201);
    const statusOf = async (url: string) => {
      const response = await fetch(new URL(url, chat.ts.url));
      await response.arrayBuffer();
      return response.status;
    };

    // Added after the file was posted: the room comes with it as the last message, its URL live.
    await chat.addClients(recruiter, room.uuid, [newcomer]);
    const added = await inbox.next('room_updated');
    const firstUrl = added.room.last_message?.file_url;
    expect(firstUrl).toMatch(/^\/media\/chat_files\/cv_\w{7}\.pdf\?/);
    expect(await statusOf(firstUrl!)).toBe(200);

    // Long after, as lifetimes go: once that URL is refused, a replay carries a fresh one.
    const deadline = Date.now() + 5_000;
    while ((await statusOf(firstUrl!)) === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await statusOf(firstUrl!)).toBe(401);
    const resumed = await chat.inbox(newcomer, { since: '0' });
    const replayed = await resumed.next('room_updated');
    expect(replayed.room.last_message?.file_url).not.toBe(firstUrl);
    expect(await statusOf(replayed.room.last_message!.file_url!)).toBe(200);
  });

  it('fills a gap in live delivery from the log, in order, and sends each event once', async () => {
    const broadcaster = new LossyInboxes();
    broadcasters.push(broadcaster);
    const chat = await harness.start({ broadcaster });
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const plain = await chat.inbox(client);
    const resumed = await chat.inbox(client, { since: 'latest' });
    expect(await resumed.nextAny()).toStrictEqual({ type: 'synced', seq: 1 });

    // Lost on the way to both of the client's sockets (one publish per user and event).
    broadcaster.loseNextOf(client.id, 2);
    const lost = await chat.post(recruiter, room.uuid, 'lost on the way');
    const lostEdit = await chat.edit(recruiter, lost.uuid, 'lost too');
    const found = await chat.post(recruiter, room.uuid, 'reveals the gap');

    const expected: InboxServerEvent[] = [
      { type: 'message_created', message: lost, unread_count: 1, seq: 2 },
      { type: 'message_updated', message: lostEdit, seq: 3 },
      { type: 'message_created', message: found, unread_count: 2, seq: 4 },
    ];
    for (const socket of [plain, resumed]) {
      expect(await frames(socket, 3)).toStrictEqual(expected);
      await expectNothingMore(socket);
    }
  });
});
