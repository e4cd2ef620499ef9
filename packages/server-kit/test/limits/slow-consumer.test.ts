import { CloseCode, type ServerEventMap } from '@hirechat/protocol';
import { describe, expect, it } from 'vitest';
import { InProcessPresenceState } from '../../src/presence/in-process-presence-state.js';
import { useChat } from '../ws/fixture.js';

/*
 * Slow consumers (contract, "Limits"): a socket that stops reading is closed with 1013 once what
 * the server holds for it unsent passes the bound, and sent nothing more; a socket of the same room
 * that reads gets every event all the while. A replay larger than the bound is paced by the
 * client's reading instead: closing it would only make it reconnect and ask for the same replay.
 */

/** Bound of these tests: small, so that a few MB of events pass it behind the kernel's buffers. */
const BOUND = 256 * 1024;
/** 8 KB messages, 8 MB in all: more than the loopback's socket buffers (a few MB) and the bound. */
const MESSAGES = 1_000;
const CONTENT = 'x'.repeat(8_000);

describe('WebSocket: slow consumers', () => {
  const harness = useChat();

  it('closes a socket that does not read with 1013 past the bound, while a socket that reads gets every event', async () => {
    const chat = await harness.start({ maxSocketBacklogBytes: BOUND });
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const reader = await chat.connect(recruiter, room.uuid);
    const slow = await chat.connect(client, room.uuid);
    // Reads nothing more from the network: the kernel's buffers fill, then the server's backlog.
    slow.ws.pause();

    // Posted through the plugin's ChatService, so that REST's limits do not pace the test.
    const service = chat.ts.server.plugins.hirechat.chat;
    const { caller } = await service.authenticate(recruiter.token);
    // Each message once the reader has the one before: a client that keeps up, however slow the
    // test process (server and client both) may be.
    for (let i = 0; i < MESSAGES; i++) {
      await service.createMessage(caller, { chat_room: room.uuid, content: `${i} ${CONTENT}` });
      await reader.next('message_created', (event) => event.message.content?.startsWith(`${i} `) === true);
    }
    const read = reader.received.filter((event) => event.type === 'message_created');
    expect(read.map((event) => event.message.content?.split(' ')[0])).toEqual(
      Array.from({ length: MESSAGES }, (_, i) => String(i)),
    );

    slow.ws.resume();
    const closed = await slow.closed(30_000);
    expect(closed.code).toBe(CloseCode.TryAgainLater);
    // What it got before the close is the start of the room's events, in order, and not all of them.
    const got = slow.received.filter(
      (event): event is ServerEventMap['message_created'] => event.type === 'message_created',
    );
    expect(got.length).toBeLessThan(MESSAGES);
    expect(got.map((event) => event.message.content?.split(' ')[0])).toEqual(
      Array.from({ length: got.length }, (_, i) => String(i)),
    );
    // The reader is still served.
    reader.send({ type: 'ping' });
    await reader.next('pong');
  });

  /** The room's MESSAGES messages of CONTENT, posted by the recruiter, and the client. */
  async function busyRoom() {
    const chat = await harness.start({ maxSocketBacklogBytes: BOUND });
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const service = chat.ts.server.plugins.hirechat.chat;
    const { caller } = await service.authenticate(recruiter.token);
    for (let i = 0; i < MESSAGES; i++) {
      await service.createMessage(caller, { chat_room: room.uuid, content: `${i} ${CONTENT}` });
    }
    const postLive = () => service.createMessage(caller, { chat_room: room.uuid, content: 'live' });
    return { chat, client, room, postLive };
  }

  /** Lets the socket read nothing for a while, as a phone waking up would, until `done` settles. */
  async function readingLate<T>(socket: { ws: { pause(): void; resume(): void } }, done: Promise<T>) {
    socket.ws.pause();
    const resumed = setTimeout(() => socket.ws.resume(), 500);
    return done.finally(() => clearTimeout(resumed));
  }

  const contents = (events: readonly { type: string }[]) =>
    events.flatMap((event) =>
      event.type === 'message_created'
        ? [(event as ServerEventMap['message_created']).message.content?.split(' ')[0]]
        : [],
    );
  const everyOne = [...Array.from({ length: MESSAGES }, (_, i) => String(i)), 'live'];

  it('replays a room log larger than the bound to a client that reads it late, then its live events', async () => {
    const { chat, client, room, postLive } = await busyRoom();
    const late = await chat.connect(client, room.uuid, { since: '0' });
    await readingLate(late, late.next('synced', undefined, 60_000));
    await postLive();
    await late.next('message_created', (event) => event.message.content === 'live');
    expect(late.isOpen).toBe(true);
    expect(contents(late.received)).toEqual(everyOne);
  });

  it('replays an inbox larger than the bound to a client that reads it late, then its live events', async () => {
    const { chat, client, postLive } = await busyRoom();
    const late = await chat.inbox(client, { since: '0' });
    await readingLate(late, late.next('synced', undefined, 60_000));
    await postLive();
    await late.next('message_created', (event) => event.message.content === 'live');
    expect(late.isOpen).toBe(true);
    expect(contents(late.received)).toEqual(everyOne);
  });

  it('never closes a socket that lags for presence, however much of it comes', async () => {
    const chat = await harness.start({ maxSocketBacklogBytes: BOUND, presence: new EveryoneOnline() });
    const [recruiter, comer] = [chat.user(), chat.user()];
    // A room of 1,000: each presence event carries 1,000 ids (about 39 KB).
    const others = Array.from({ length: 998 }, () => chat.user());
    const room = await chat.room(recruiter, [comer, ...others]);
    const lagging = await chat.connect(recruiter, room.uuid, { presence: true });
    lagging.ws.pause();

    // One user comes and goes: two changes each time, which were two presence events (about 12 MB in
    // all for the lagging socket, past the loopback's buffers and the bound) before they were told
    // in batches; what passes half the bound waits, the newest set only.
    for (let i = 0; i < COMINGS_AND_GOINGS; i++) await (await chat.inbox(comer)).close();
    const message = await chat.post(recruiter, room.uuid, 'after the flood');
    lagging.ws.resume();
    await lagging.next('message_created', (event) => event.message.uuid === message.uuid, 30_000);
    expect(lagging.isOpen).toBe(true);
    const presence = lagging.received.filter((event) => event.type === 'presence');
    expect(presence.length).toBeLessThan(2 * COMINGS_AND_GOINGS);
  });
});

const COMINGS_AND_GOINGS = 150;

/** Presence that counts every participant online, so that each presence event is a room's worth. */
class EveryoneOnline extends InProcessPresenceState {
  override async online(users: readonly string[]): Promise<string[]> {
    return [...users];
  }
}
