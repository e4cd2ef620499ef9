import { CloseCode, type ServerEvent } from '@hirechat/protocol';
import type { BroadcastEvent, Broadcaster } from '@hirechat/server-kit';
import { afterEach, describe, expect, it } from 'vitest';
import type { KnexChatStorage } from '../../src/storage/knex-chat-storage.js';
import { ForwardingBroadcaster } from '../broadcast/forwarding-broadcaster.js';
import { type Chat, type User, useChat } from './fixture.js';
import type { TestSocket } from './socket.js';

/*
 * Contract, "Rooms that change": a client removed from a room (or who leaves) loses it at once:
 * their sockets to the room close with 4403, and they receive none of its events after the
 * removal, not even one already on its way to them, however the events reach their process.
 */

/**
 * The in-process broadcaster, misdelivering the next `room_updated` of a room as a cluster can, with
 * the unnumbered events (presence, typing) that its process publishes after it, which travel
 * behind it: `late`, they arrive after the room's next numbered event (another process published
 * that one first); `lost`, they never arrive (the subscriber's connection to the broker dropped).
 */
class MisdeliveredUpdate extends ForwardingBroadcaster {
  private mode: 'late' | 'lost' | null = null;
  private holding: 'late' | 'lost' | null = null;
  private readonly held: Array<() => Promise<void>> = [];
  misdeliverNext(mode: 'late' | 'lost'): void {
    this.mode = mode;
  }
  override async publish(topic: string, event: BroadcastEvent) {
    if (!topic.startsWith('room:')) return this.inner.publish(topic, event);
    if (this.mode && event.type === 'room_updated') {
      this.holding = this.mode;
      this.mode = null;
    } else if (this.holding && 'seq' in event) {
      // The next numbered event, from "another process": it arrives first.
      const late = this.holding === 'late' ? this.held.splice(0) : [];
      this.holding = null;
      this.held.length = 0;
      await this.inner.publish(topic, event);
      for (const deliver of late) await deliver();
      return;
    }
    if (this.holding) {
      this.held.push(() => this.inner.publish(topic, event));
      return;
    }
    await this.inner.publish(topic, event);
  }
}

/**
 * Holds the server's next read of a room's event log until released, so that a change can commit
 * while a resuming socket's replay is being read. Answers when that read has started.
 */
function holdNextLogRead(storage: KnexChatStorage): { started: Promise<void>; release(): void } {
  const read = storage.eventsAfter.bind(storage);
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let started!: () => void;
  const reading = new Promise<void>((resolve) => {
    started = resolve;
  });
  storage.eventsAfter = async (room, since) => {
    storage.eventsAfter = read;
    started();
    await released;
    return read(room, since);
  };
  return { started: reading, release };
}

const seqOf = (event: ServerEvent) => ('seq' in event && event.type !== 'synced' ? event.seq : null);

/**
 * Closed with 4403 as removed, having been sent every event from `firstSeq` (1: the room's first)
 * up to the removal, and nothing of the room from `removalSeq` on.
 */
async function expectShutOut(socket: TestSocket, user: User, removalSeq: number, firstSeq = 1) {
  expect(await socket.closed()).toEqual({
    code: CloseCode.Forbidden,
    reason: 'You are no longer in this chat room.',
  });
  const logged = socket.received.flatMap((event) => {
    const seq = seqOf(event);
    return seq === null ? [] : [seq];
  });
  // Every event before the removal, in order, none after it, and the removal itself neither.
  expect(logged).toEqual(Array.from({ length: removalSeq - firstSeq }, (_, i) => i + firstSeq));
  for (const event of socket.received) {
    // Nothing that only makes sense after the removal either: no resync, no error...
    expect(['resync_required', 'error']).not.toContain(event.type);
    // ...no synced past it, and no presence of the room without them.
    if (event.type === 'synced') expect(event.seq).toBeLessThan(removalSeq);
    if (event.type === 'presence') expect(event.online_users).toContain(user.id);
  }
}

describe('WebSocket: a client removed from the room', () => {
  const harness = useChat();
  const broadcasters: Broadcaster[] = [];

  afterEach(async () => {
    await Promise.all(broadcasters.splice(0).map((broadcaster) => broadcaster.close()));
  });

  /** A room of a recruiter and two clients, with the recruiter's socket hearing every event. */
  async function roomWithWatcher(chat: Chat) {
    const [recruiter, a, b] = [chat.user(), chat.user(), chat.user()];
    const room = await chat.room(recruiter, [a, b]);
    const watcher = await chat.connect(recruiter, room.uuid);
    return { recruiter, a, b, room, watcher };
  }

  it('closes every one of their room sockets with 4403; the others hear room_updated', async () => {
    const chat = await harness.start();
    const { recruiter, a, b, room, watcher } = await roomWithWatcher(chat);
    const aSockets = [await chat.connect(a, room.uuid), await chat.connect(a, room.uuid, { since: '0' })];
    const bSocket = await chat.connect(b, room.uuid);
    const before = await chat.post(recruiter, room.uuid, 'before');

    await chat.removeClient(recruiter, room.uuid, a);

    const updated = {
      type: 'room_updated',
      room: { uuid: room.uuid, recruiter: recruiter.id, clients: [b.id], created_at: room.created_at },
      seq: 2,
    };
    expect(await watcher.next('room_updated')).toStrictEqual(updated);
    expect(await bSocket.next('room_updated')).toStrictEqual(updated);
    for (const socket of aSockets) {
      await expectShutOut(socket, a, 2);
      expect(socket.received).toContainEqual({ type: 'message_created', message: before, seq: 1 });
    }
    // And cannot come back in.
    const again = chat.open({ room: room.uuid, token: a.token });
    expect((await again.closed()).code).toBe(CloseCode.Forbidden);
  });

  it('closes the sockets of a client who leaves, in the same way', async () => {
    const chat = await harness.start();
    const { a, room, watcher } = await roomWithWatcher(chat);
    const socket = await chat.connect(a, room.uuid);

    await chat.removeClient(a, room.uuid, a);

    expect((await watcher.next('room_updated')).seq).toBe(1);
    await expectShutOut(socket, a, 1);
  });

  it('sends them every message before the removal and none after, while a burst is in flight', async () => {
    const chat = await harness.start();
    const { recruiter, a, b, room, watcher } = await roomWithWatcher(chat);
    const socket = await chat.connect(a, room.uuid);

    const burst = Array.from({ length: 30 }, (_, i) => i);
    await Promise.all([
      ...burst.map((i) => chat.post(i % 2 ? recruiter : b, room.uuid, `burst ${i}`)),
      chat.removeClient(recruiter, room.uuid, a),
    ]);

    const removal = await watcher.next('room_updated');
    await expectShutOut(socket, a, removal.seq);
    // The watcher heard all of it, so the removal did land inside the burst or after it.
    const all = [removal.seq];
    for (let i = 0; i < burst.length; i++) all.push((await watcher.next('message_created')).seq);
    expect(all.sort((x, y) => x - y)).toEqual(Array.from({ length: burst.length + 1 }, (_, i) => i + 1));
  });

  it('closes them, sending nothing after it, when the removal reaches their process after a later event', async () => {
    const broadcaster = new MisdeliveredUpdate();
    broadcasters.push(broadcaster);
    const chat = await harness.start({ broadcaster });
    const { recruiter, a, room, watcher } = await roomWithWatcher(chat);
    const socket = await chat.connect(a, room.uuid);
    await chat.post(recruiter, room.uuid, 'before');

    broadcaster.misdeliverNext('late');
    await chat.removeClient(recruiter, room.uuid, a);
    const after = await chat.post(recruiter, room.uuid, 'after: not for them');

    // The watcher gets both in seq order however they came (the gap is filled from the log).
    expect((await watcher.next('room_updated')).seq).toBe(2);
    expect(await watcher.next('message_created', (e) => e.seq === 3)).toMatchObject({ message: after });
    await expectShutOut(socket, a, 2);
  });

  it('closes them, sending nothing after it, when the removal never reaches their process', async () => {
    const broadcaster = new MisdeliveredUpdate();
    broadcasters.push(broadcaster);
    const chat = await harness.start({ broadcaster });
    const { recruiter, a, room, watcher } = await roomWithWatcher(chat);
    const socket = await chat.connect(a, room.uuid);

    broadcaster.misdeliverNext('lost');
    await chat.removeClient(recruiter, room.uuid, a);
    // The next event of the room reveals the gap, which the log fills.
    await chat.post(recruiter, room.uuid, 'after: not for them');

    expect((await watcher.next('room_updated')).seq).toBe(1);
    await expectShutOut(socket, a, 1);
  });

  it.each([
    ['0', 1],
    ['latest', 2],
  ])(
    'closes a socket resuming with since=%s when the removal commits while its replay is read',
    async (since, firstSeq) => {
      const chat = await harness.start();
      const { recruiter, a, room } = await roomWithWatcher(chat);
      await chat.post(recruiter, room.uuid, 'before');
      const held = holdNextLogRead(chat.ts.storage);

      const resuming = chat.open({ room: room.uuid, token: a.token, since });
      await held.started;
      await chat.removeClient(recruiter, room.uuid, a);
      held.release();
      await chat.post(recruiter, room.uuid, 'after: not for them');

      await expectShutOut(resuming, a, 2, firstSeq);
    },
  );

  it('closes a resuming socket whose log no longer reaches back, when it was removed meanwhile', async () => {
    const chat = await harness.start({ eventLogSize: 3 });
    const { recruiter, a, room } = await roomWithWatcher(chat);
    await chat.post(recruiter, room.uuid, 'before');
    const held = holdNextLogRead(chat.ts.storage);

    const resuming = chat.open({ room: room.uuid, token: a.token, since: '0' });
    await held.started;
    await chat.removeClient(recruiter, room.uuid, a);
    // Two more events push the first out of a log of three: a replay from 0 would be a resync.
    await chat.post(recruiter, room.uuid, 'after: not for them');
    await chat.post(recruiter, room.uuid, 'after, again');
    held.release();

    await expectShutOut(resuming, a, 2, 2);
  });

  it('takes them out of the typing set', async () => {
    const chat = await harness.start();
    const { recruiter, a, room, watcher } = await roomWithWatcher(chat);
    const typist = await chat.connect(a, room.uuid);
    typist.send({ type: 'typing', typing: true });
    expect((await watcher.next('typing')).typing_users).toEqual([a.id]);

    await chat.removeClient(recruiter, room.uuid, a);

    expect((await watcher.next('room_updated')).room.clients).not.toContain(a.id);
    expect(await watcher.next('typing')).toStrictEqual({ type: 'typing', typing_users: [] });
  });

  it('asks a client who was removed and added back, resuming from before, to resync', async () => {
    const chat = await harness.start();
    const { recruiter, a, room, watcher } = await roomWithWatcher(chat);
    await chat.post(recruiter, room.uuid, 'before');
    await chat.removeClient(recruiter, room.uuid, a);
    await chat.post(recruiter, room.uuid, 'while they were out');
    await chat.addClients(recruiter, room.uuid, [a]);
    const back = await chat.post(recruiter, room.uuid, 'once they are back');
    for (let i = 0; i < 2; i++) await watcher.next('room_updated');

    // From before the removal: the log holds events they must not see, so no replay at all.
    const fromBefore = await chat.connect(a, room.uuid, { since: '1' });
    expect([
      await fromBefore.nextAny(),
      await fromBefore.nextAny(),
      await fromBefore.nextAny(),
    ]).toStrictEqual([
      { type: 'resync_required' },
      { type: 'typing', typing_users: [] },
      { type: 'synced', seq: 5 },
    ]);
    // From after they came back: the replay as usual.
    const fromBack = await chat.connect(a, room.uuid, { since: '4' });
    expect(await fromBack.nextAny()).toStrictEqual({ type: 'message_created', message: back, seq: 5 });
  });
});
