import { setTimeout as sleep } from 'node:timers/promises';
import type { RoomEvent } from '@hirechat/protocol';
import { CloseCode } from '@hirechat/protocol';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { InProcessBroadcaster } from '../../src/broadcast/in-process-broadcaster.js';
import {
  type BroadcastEvent,
  roomTopic,
  type Topic,
  type TopicListener,
} from '../../src/ports/broadcaster.js';
import { InProcessPresenceState } from '../../src/presence/in-process-presence-state.js';
import { RedisTypingState } from '../../src/typing/redis-typing-state.js';
import { connectRedis, deleteKeys, quitAll, testPrefix } from '../redis/redis-clients.js';
import { useChat } from './fixture.js';

/** An in-process broadcaster whose first subscription fails, as a broker's brief outage would. */
class FlakyBroadcaster extends InProcessBroadcaster {
  private failuresLeft = 1;

  override async subscribe<E extends BroadcastEvent>(
    room: Topic<E>,
    listener: TopicListener<E>,
  ): Promise<() => Promise<void>> {
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new Error('broker unreachable');
    }
    return super.subscribe(room, listener);
  }
}

/** In-process presence whose departures wait until the test lets them go on. */
class HeldDepartures extends InProcessPresenceState {
  private release!: () => void;
  private readonly released = new Promise<void>((resolve) => {
    this.release = resolve;
  });
  private entered!: () => void;
  /** Resolves once a departure is waiting. */
  readonly waiting = new Promise<void>((resolve) => {
    this.entered = resolve;
  });

  override async disconnect(user: string): Promise<boolean> {
    this.entered();
    await this.released;
    return super.disconnect(user);
  }

  letGo(): void {
    this.release();
  }
}

/** An in-process broadcaster that notes each presence event it publishes. */
class NotingPresence extends InProcessBroadcaster {
  constructor(private readonly noted: string[]) {
    super();
  }
  override async publish<E extends BroadcastEvent>(topic: Topic<E>, event: E): Promise<void> {
    if (event.type === 'presence') this.noted.push(`presence ${JSON.stringify(event.online_users)}`);
    await super.publish(topic, event);
  }
}

describe('WebSocket: server lifecycle', () => {
  const harness = useChat();
  const broadcasters: InProcessBroadcaster[] = [];

  afterEach(async () => {
    await Promise.all(broadcasters.splice(0).map((broadcaster) => broadcaster.close()));
  });

  it('closes every socket with 1001 when the server stops', async () => {
    const chat = await harness.start();
    const [recruiter, client] = [chat.user(), chat.user()];
    const first = await chat.room(recruiter, [client]);
    const second = await chat.room(client, [recruiter]);
    const sockets = [
      await chat.connect(recruiter, first.uuid),
      await chat.connect(client, first.uuid),
      await chat.connect(client, second.uuid),
    ];

    await chat.ts.server.stop();

    for (const socket of sockets) expect((await socket.closed()).code).toBe(CloseCode.GoingAway);
  });

  it('stops only once the sockets that closed have told their rooms the user went', async () => {
    const order: string[] = [];
    const presence = new HeldDepartures();
    const broadcaster = new NotingPresence(order);
    broadcasters.push(broadcaster);
    const chat = await harness.start({ presence, broadcaster });
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const socket = await chat.connect(client, room.uuid, { presence: true });
    expect(await socket.next('presence')).toEqual({ type: 'presence', online_users: [client.id] });
    // The room's announcement that the client came, which follows the set the socket got on open.
    expect(await socket.next('presence')).toEqual({ type: 'presence', online_users: [client.id] });
    order.length = 0;

    await socket.terminate();
    await presence.waiting;
    const stopping = chat.ts.server.stop().then(() => order.push('stopped'));
    // Nothing can be awaited for something that must not happen: a stop that did not wait for the
    // departure is over well within this (it takes milliseconds).
    await sleep(500);
    expect(order).toEqual([]);
    presence.letGo();
    await stopping;

    // The departure reached storage and the broadcaster while they were still open.
    expect(order).toEqual(['presence []', 'stopped']);
  });

  it('tells the rooms of the users whose sockets it closed that they left, before it has stopped', async () => {
    // The caller owns this broadcaster and closes it as soon as the server has stopped, as the
    // reference server does with its Redis one: an announcement made after that would be lost.
    const broadcaster = new InProcessBroadcaster();
    broadcasters.push(broadcaster);
    const chat = await harness.start({ broadcaster });
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    await chat.connect(client, room.uuid);
    const heard: RoomEvent[] = [];
    await broadcaster.subscribe(roomTopic(room.uuid), (event) => heard.push(event));

    await chat.ts.server.stop();
    await broadcaster.close();

    expect(heard).toContainEqual({ type: 'presence', online_users: [] });
  });

  it('tells the room that a typist whose socket it closed stopped typing, before it has stopped', async () => {
    const broadcaster = new InProcessBroadcaster();
    broadcasters.push(broadcaster);
    // A typing state that takes a round trip to clear, as across processes.
    const prefix = testPrefix();
    const redis = await connectRedis();
    const typingState = new RedisTypingState({ redis, timeoutMs: 5_000, prefix });
    onTestFinished(async () => {
      await typingState.close();
      await deleteKeys(redis, prefix);
      await quitAll(redis);
    });
    const chat = await harness.start({ broadcaster, typingState });
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const typist = await chat.connect(client, room.uuid);
    typist.send({ type: 'typing', typing: true });
    expect(await typist.next('typing')).toEqual({ type: 'typing', typing_users: [client.id] });
    const heard: RoomEvent[] = [];
    await broadcaster.subscribe(roomTopic(room.uuid), (event) => heard.push(event));

    await chat.ts.server.stop();
    await broadcaster.close();

    expect(heard).toContainEqual({ type: 'typing', typing_users: [] });
  });

  it('drops a client that stops answering pings, and keeps one that answers', async () => {
    const chat = await harness.start({ pingIntervalMs: 200 });
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const live = await chat.connect(recruiter, room.uuid);
    const dead = await chat.connect(client, room.uuid, { autoPong: false });
    const pinged = new Promise<void>((resolve) => dead.ws.once('ping', () => resolve()));

    await pinged;
    // The server ends the connection without a close frame: the client sees an abnormal closure.
    expect((await dead.closed(2_000)).code).toBe(1006);

    // Two more rounds of pings later, the live socket is still served.
    let pings = 0;
    await new Promise<void>((resolve) =>
      live.ws.on('ping', () => {
        if (++pings === 2) resolve();
      }),
    );
    expect(live.isOpen).toBe(true);
    const message = await chat.post(recruiter, room.uuid, 'still here');
    expect(await live.next('message_created')).toStrictEqual({ type: 'message_created', message, seq: 1 });
  });

  it('answers a client’s ping with a pong, to that socket alone', async () => {
    const chat = await harness.start();
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const pinger = await chat.connect(client, room.uuid);
    const other = await chat.connect(recruiter, room.uuid);

    pinger.send({ type: 'ping' });
    pinger.send({ type: 'ping' });
    expect(await pinger.nextAny()).toStrictEqual({ type: 'pong' });
    expect(await pinger.nextAny()).toStrictEqual({ type: 'pong' });

    // The room hears nothing of it: the other socket's next frame is the next message.
    const message = await chat.post(recruiter, room.uuid, 'after the pings');
    expect(await other.nextAny()).toStrictEqual({ type: 'message_created', message, seq: 1 });
  });

  it('clears the typing of a client dropped for not answering pings', async () => {
    const chat = await harness.start({ pingIntervalMs: 200 });
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const live = await chat.connect(recruiter, room.uuid);
    const dead = await chat.connect(client, room.uuid, { autoPong: false });
    dead.send({ type: 'typing', typing: true });
    expect(await live.next('typing')).toStrictEqual({ type: 'typing', typing_users: [client.id] });

    expect((await dead.closed(2_000)).code).toBe(1006);

    expect(await live.next('typing')).toStrictEqual({ type: 'typing', typing_users: [] });
  });

  it('refuses a socket with 1011 when its room cannot be subscribed to, and lets the next one in', async () => {
    const broadcaster = new FlakyBroadcaster();
    broadcasters.push(broadcaster);
    const chat = await harness.start({ broadcaster });
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);

    const refused = chat.open({ room: room.uuid, token: client.token });
    expect((await refused.closed()).code).toBe(CloseCode.InternalError);

    // The failure was the broker's, and passing: it must not stay stuck to the room.
    const socket = await chat.connect(client, room.uuid);
    const message = await chat.post(recruiter, room.uuid, 'the broker is back');
    expect(await socket.next('message_created')).toStrictEqual({ type: 'message_created', message, seq: 1 });
  });
});
