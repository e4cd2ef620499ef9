import { RestPaths, type ServerEventMap } from '@hirechat/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisBroadcaster } from '../../src/broadcast/redis-broadcaster.js';
import type { BroadcastEvent, Broadcaster, Topic } from '../../src/ports/broadcaster.js';
import { RedisPresenceState } from '../../src/presence/redis-presence-state.js';
import { ForwardingBroadcaster } from '../broadcast/forwarding-broadcaster.js';
import { connectRedis, deleteKeys, testPrefix } from '../redis/redis-clients.js';
import { type Chat, type User, useChat } from './fixture.js';
import type { TestSocket } from './socket.js';

/*
 * Contract, "Presence": a room socket hears the room's online set whenever it changes. Many users
 * coming or going together are told as one set, not one whole set per user: a room of 1,000
 * filling up used to send each of its sockets ~1,000 sets of up to 39 KB. Every socket still
 * hears the exact set last, and a socket that opens hears the set on open, without waiting for
 * the room's announcements.
 */

/** Sockets that come, and go, together in these tests. */
const CROWD = 12;

/**
 * Holds the room's presence events while `held`, then lets them through in the order they came:
 * an announcement stays out for as long as the test likes, as one does in a busy room of 1,000.
 */
class HoldingPresence extends ForwardingBroadcaster {
  private gate: Promise<void> | null = null;
  private open = () => {};

  hold(): void {
    this.gate = new Promise((resolve) => {
      this.open = resolve;
    });
  }

  release(): void {
    this.gate = null;
    this.open();
  }

  override async publish<E extends BroadcastEvent>(topic: Topic<E>, event: E): Promise<void> {
    const gate = this.gate;
    if (gate && (event as { type?: string }).type === 'presence') await gate;
    return this.inner.publish(topic, event);
  }
}

type Presence = ServerEventMap['presence'];

function presenceOf(socket: TestSocket): Presence[] {
  return socket.received.filter((event): event is Presence => event.type === 'presence');
}

/** Waits until the room detail, which reads the presence state, lists exactly `online`. */
async function untilOnline(chat: Chat, by: User, room: string, online: readonly string[]): Promise<void> {
  for (;;) {
    const response = await fetch(new URL(RestPaths.roomDetail(room), chat.ts.url), {
      headers: { authorization: `Bearer ${by.token}` },
    });
    expect(response.status).toBe(200);
    const { online_users } = (await response.json()) as { online_users: string[] };
    if (JSON.stringify(online_users) === JSON.stringify(online)) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Resolves once the socket hears exactly `online`, in a frame after its first `from` frames. */
function hears(socket: TestSocket, online: readonly string[], from = 0): Promise<Presence> {
  return socket.next(
    'presence',
    (event) =>
      socket.received.indexOf(event) >= from && JSON.stringify(event.online_users) === JSON.stringify(online),
  );
}

/** Every socket has heard everything sent before a message posted now. */
async function barrier(chat: Chat, by: User, room: string, sockets: readonly TestSocket[]): Promise<void> {
  const { uuid } = await chat.post(by, room, 'a barrier');
  await Promise.all(sockets.map((socket) => socket.next('message_created', (e) => e.message.uuid === uuid)));
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** In process (the defaults), and over Redis: a RedisPresenceState and a RedisBroadcaster. */
const setups: Array<[string, () => Promise<{ holding: HoldingPresence; presence?: RedisPresenceState }>]> = [
  ['in process', async () => ({ holding: new HoldingPresence() })],
  [
    'over Redis',
    async () => {
      const prefix = testPrefix();
      const [state, pub, sub] = [await connectRedis(), await connectRedis(), await connectRedis()];
      const presence = new RedisPresenceState({ redis: state, prefix });
      const inner: Broadcaster = new RedisBroadcaster({ pub, sub, prefix });
      cleanups.push(async () => {
        await presence.close();
        await inner.close();
        await deleteKeys(state, prefix);
        await Promise.all([state.quit(), pub.quit(), sub.quit()]);
      });
      return { holding: new HoldingPresence(inner), presence };
    },
  ],
];

describe.each(setups)('WebSocket: presence in batches (%s)', (_, setup) => {
  const harness = useChat();
  const holdings: HoldingPresence[] = [];
  // Registered after the harness, so run before it: a failed test must not leave announcements
  // held, for the server's stop waits for them.
  afterEach(() => {
    for (const holding of holdings.splice(0)) holding.release();
  });

  it('tells a socket that opens while an announcement is out the set at once', async () => {
    const { holding, presence } = await setup();
    holdings.push(holding);
    const chat = await harness.start({ broadcaster: holding, ...(presence && { presence }) });
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const watcher = await chat.connect(recruiter, room.uuid, { presence: true });
    await hears(watcher, [recruiter.id]);

    holding.hold();
    const socket = await chat.connect(client, room.uuid, { presence: true });

    // Its own set, read once its user counts: it does not wait for the room's announcement.
    await hears(socket, [recruiter.id, client.id]);
    holding.release();
    await hears(watcher, [recruiter.id, client.id]);
  });

  it('tells a crowd that comes, then goes, while an announcement is out in one set each time', async () => {
    const { holding, presence } = await setup();
    holdings.push(holding);
    const chat = await harness.start({ broadcaster: holding, ...(presence && { presence }) });
    const recruiter = chat.user();
    const crowd = Array.from({ length: CROWD }, () => chat.user());
    const room = await chat.room(recruiter, crowd);
    const everyone = [recruiter.id, ...crowd.map((user) => user.id).sort()];
    const watcher = await chat.connect(recruiter, room.uuid, { presence: true });
    // The set on open, then the room's announcement that the recruiter came.
    await hears(watcher, [recruiter.id]);
    await hears(watcher, [recruiter.id], 1);
    const toldFirst = presenceOf(watcher).length;

    // The crowd comes while the room's announcements are held.
    holding.hold();
    const sockets = await Promise.all(crowd.map((user) => chat.connect(user, room.uuid, { presence: true })));
    await untilOnline(chat, recruiter, room.uuid, everyone);
    holding.release();

    // Each socket: the set on open, then one for the announcement that was out and one for
    // everyone who came meanwhile, not one for each; the last is everyone.
    const all = [watcher, ...sockets];
    await Promise.all(all.map((socket) => hears(socket, everyone)));
    await barrier(chat, recruiter, room.uuid, all);
    expect(presenceOf(watcher).length - toldFirst).toBeLessThanOrEqual(2);
    for (const socket of sockets) expect(presenceOf(socket).length).toBeLessThanOrEqual(1 + 2);
    for (const socket of all) expect(presenceOf(socket).at(-1)?.online_users).toEqual(everyone);

    // The crowd goes, all but one, while the announcements are held again.
    const stay = [watcher, sockets[0]!];
    const [toldBefore, framesBefore] = [presenceOf(watcher).length, stay.map((s) => s.received.length)];
    const left = [recruiter.id, crowd[0]!.id];
    holding.hold();
    await Promise.all(sockets.slice(1).map((socket) => socket.close()));
    await untilOnline(chat, recruiter, room.uuid, left);
    holding.release();
    await Promise.all(stay.map((socket, i) => hears(socket, left, framesBefore[i])));
    await barrier(chat, recruiter, room.uuid, stay);
    expect(presenceOf(watcher).length - toldBefore).toBeLessThanOrEqual(2);
    for (const socket of stay) expect(presenceOf(socket).at(-1)?.online_users).toEqual(left);
  });
});
