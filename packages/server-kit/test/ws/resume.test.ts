import type { ServerEvent } from '@hirechat/protocol';
import type { BroadcastEvent, Broadcaster } from '@hirechat/server-kit';
import { afterEach, describe, expect, it } from 'vitest';
import type { KnexChatStorage } from '../../src/storage/knex-chat-storage.js';
import { ForwardingBroadcaster } from '../broadcast/forwarding-broadcaster.js';
import { type Chat, useChat } from './fixture.js';
import type { TestSocket } from './socket.js';

/** The in-process broadcaster, losing the events it is told to lose (as a broker outage would). */
class LossyBroadcaster extends ForwardingBroadcaster {
  private toLose = 0;
  loseNext(count: number): void {
    this.toLose = count;
  }
  override async publish(room: string, event: BroadcastEvent) {
    if (this.toLose > 0) {
      this.toLose--;
      return;
    }
    await this.inner.publish(room, event);
  }
}

/**
 * Holds the server's reads of its event log until released, so that live events arrive while a
 * resuming socket's replay is being read. Answers when the first read has started.
 */
function holdLogReads(storage: KnexChatStorage): { started: Promise<void>; release(): void } {
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
    started();
    await released;
    return read(room, since);
  };
  return { started: reading, release };
}

/** The next `count` frames of the socket, in order. */
async function frames(socket: TestSocket, count: number): Promise<ServerEvent[]> {
  const taken: ServerEvent[] = [];
  for (let i = 0; i < count; i++) taken.push(await socket.nextAny());
  return taken;
}

describe('WebSocket: resuming with ?since=', () => {
  const harness = useChat();
  const broadcasters: Broadcaster[] = [];

  afterEach(async () => {
    await Promise.all(broadcasters.splice(0).map((broadcaster) => broadcaster.close()));
  });

  /** A room with a recruiter and a client, and the recruiter's live socket hearing every event. */
  async function roomWithWatcher(chat: Chat) {
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const watcher = await chat.connect(recruiter, room.uuid);
    return { recruiter, client, room, watcher };
  }

  it('replays the events after since as they were sent, then typing and synced, then live ones', async () => {
    const chat = await harness.start();
    const { recruiter, client, room, watcher } = await roomWithWatcher(chat);
    const reader = await chat.connect(client, room.uuid);
    const first = await chat.post(recruiter, room.uuid, 'one');
    const second = await chat.post(recruiter, room.uuid, 'two');
    await chat.edit(recruiter, second.uuid, 'two, edited');
    reader.send({ type: 'message_read', message_id: first.uuid });
    await chat.remove(recruiter, first.uuid);
    const sent = await frames(watcher, 5);
    expect(sent.map((event) => [event.type, 'seq' in event ? event.seq : null])).toEqual([
      ['message_created', 1],
      ['message_created', 2],
      ['message_updated', 3],
      ['message_read', 4],
      ['message_deleted', 5],
    ]);

    const resumed = await chat.connect(client, room.uuid, { since: '1' });

    expect(await frames(resumed, 6)).toStrictEqual([
      ...sent.slice(1),
      { type: 'typing', typing_users: [] },
      { type: 'synced', seq: 5 },
    ]);
    const live = await chat.post(recruiter, room.uuid, 'three');
    expect(await resumed.nextAny()).toStrictEqual({ type: 'message_created', message: live, seq: 6 });
  });

  it('starts from now with since=latest: the room’s newest seq, then live events', async () => {
    const chat = await harness.start();
    const { recruiter, client, room } = await roomWithWatcher(chat);
    await chat.post(recruiter, room.uuid, 'before');
    await chat.post(recruiter, room.uuid, 'before, again');

    const socket = await chat.connect(client, room.uuid, { since: 'latest' });

    expect(await frames(socket, 2)).toStrictEqual([
      { type: 'typing', typing_users: [] },
      { type: 'synced', seq: 2 },
    ]);
    const after = await chat.post(recruiter, room.uuid, 'after');
    expect(await socket.nextAny()).toStrictEqual({ type: 'message_created', message: after, seq: 3 });
  });

  it('replays nothing when the client has seen everything, and counts from 0 in a new room', async () => {
    const chat = await harness.start();
    const { recruiter, client, room } = await roomWithWatcher(chat);

    const fresh = await chat.connect(client, room.uuid, { since: '0' });
    expect(await frames(fresh, 2)).toStrictEqual([
      { type: 'typing', typing_users: [] },
      { type: 'synced', seq: 0 },
    ]);
    await chat.post(recruiter, room.uuid, 'one');
    const upToDate = await chat.connect(client, room.uuid, { since: '1' });
    expect(await frames(upToDate, 2)).toStrictEqual([
      { type: 'typing', typing_users: [] },
      { type: 'synced', seq: 1 },
    ]);
  });

  it('asks for a resync when the log no longer reaches back to since', async () => {
    const chat = await harness.start({ eventLogSize: 2 });
    const { recruiter, client, room, watcher } = await roomWithWatcher(chat);
    for (const content of ['one', 'two', 'three', 'four']) await chat.post(recruiter, room.uuid, content);
    const sent = await frames(watcher, 4);

    const tooOld = await chat.connect(client, room.uuid, { since: '1' });
    expect(await frames(tooOld, 3)).toStrictEqual([
      { type: 'resync_required' },
      { type: 'typing', typing_users: [] },
      { type: 'synced', seq: 4 },
    ]);
    // Live events follow the resync as usual.
    const live = await chat.post(recruiter, room.uuid, 'five');
    expect(await tooOld.nextAny()).toStrictEqual({ type: 'message_created', message: live, seq: 5 });

    // The two newest are still there to replay.
    const recent = await chat.connect(client, room.uuid, { since: '3' });
    expect((await frames(recent, 2))[0]).toStrictEqual(sent[3]);
  });

  it('asks for a resync when since is ahead of the room (another database, say)', async () => {
    const chat = await harness.start();
    const { recruiter, client, room } = await roomWithWatcher(chat);
    await chat.post(recruiter, room.uuid, 'one');

    const socket = await chat.connect(client, room.uuid, { since: '7' });

    expect(await frames(socket, 3)).toStrictEqual([
      { type: 'resync_required' },
      { type: 'typing', typing_users: [] },
      { type: 'synced', seq: 1 },
    ]);
  });

  it('answers a bad since with invalid_input, and then serves the socket as one without since', async () => {
    const chat = await harness.start();
    const { recruiter, client, room } = await roomWithWatcher(chat);

    for (const since of ['yesterday', '-1', '']) {
      const socket = await chat.connect(client, room.uuid, { since });
      expect(await socket.nextAny()).toStrictEqual({
        type: 'error',
        code: 'invalid_input',
        detail: 'since: Must be a whole number of 0 or more, or "latest".',
      });
      const message = await chat.post(recruiter, room.uuid, `live ${since}`);
      expect(await socket.nextAny()).toMatchObject({ type: 'message_created', message });
    }
  });

  it('sends a resuming socket the room’s typing set, which no log replays', async () => {
    const chat = await harness.start();
    const { client, room, watcher } = await roomWithWatcher(chat);
    const typist = await chat.connect(client, room.uuid);
    typist.send({ type: 'typing', typing: true });
    await watcher.next('typing');

    const resumed = await chat.connect(client, room.uuid, { since: '0' });

    expect(await frames(resumed, 2)).toStrictEqual([
      { type: 'typing', typing_users: [client.id] },
      { type: 'synced', seq: 0 },
    ]);
  });

  it('sends live events that arrive during the replay after it, each once', async () => {
    const chat = await harness.start();
    const { recruiter, client, room, watcher } = await roomWithWatcher(chat);
    await chat.post(recruiter, room.uuid, 'one');
    const held = holdLogReads(chat.ts.storage);

    const resuming = chat.open({ room: room.uuid, token: client.token, since: '0' });
    await held.started;
    // Committed while the replay waits: live to every socket, and in the log the replay will read.
    await chat.post(recruiter, room.uuid, 'two');
    await chat.post(recruiter, room.uuid, 'three');
    const sent = await frames(watcher, 3);
    held.release();

    expect(await frames(resuming, 5)).toStrictEqual([
      ...sent,
      { type: 'typing', typing_users: [] },
      { type: 'synced', seq: 3 },
    ]);
    const four = await chat.post(recruiter, room.uuid, 'four');
    // The next frame is the new event: the live copies of two and three were dropped.
    expect(await resuming.nextAny()).toStrictEqual({ type: 'message_created', message: four, seq: 4 });
  });

  it('fills a gap in live delivery from the log, in order, for sockets with and without since', async () => {
    const broadcaster = new LossyBroadcaster();
    broadcasters.push(broadcaster);
    const chat = await harness.start({ broadcaster });
    const { recruiter, client, room, watcher } = await roomWithWatcher(chat);
    const resumed = await chat.connect(client, room.uuid, { since: 'latest' });
    await frames(resumed, 2);
    const one = await chat.post(recruiter, room.uuid, 'one');
    for (const socket of [watcher, resumed]) {
      expect(await socket.nextAny()).toStrictEqual({ type: 'message_created', message: one, seq: 1 });
    }

    broadcaster.loseNext(2);
    const two = await chat.post(recruiter, room.uuid, 'lost on the way');
    const edited = await chat.edit(recruiter, two.uuid, 'lost too');
    const three = await chat.post(recruiter, room.uuid, 'three');

    for (const socket of [watcher, resumed]) {
      expect(await frames(socket, 3)).toStrictEqual([
        { type: 'message_created', message: two, seq: 2 },
        { type: 'message_updated', message: edited, seq: 3 },
        { type: 'message_created', message: three, seq: 4 },
      ]);
    }
  });
});
