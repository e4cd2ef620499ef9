import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisBroadcaster } from '../../src/broadcast/redis-broadcaster.js';
import { type BroadcastEvent, inboxTopic, type Publication, roomTopic } from '../../src/ports/broadcaster.js';
import { connectRedis, deleteKeys, quitAll, testPrefix } from '../redis/redis-clients.js';
import {
  describeBroadcaster,
  eventsOf,
  type Recorder,
  record,
  typingEvent,
  writeBatch,
} from './broadcaster-suite.js';

describeBroadcaster('redis', async () => {
  const prefix = testPrefix();
  const [pub, sub] = await Promise.all([connectRedis(), connectRedis()]);
  const broadcaster = new RedisBroadcaster({ pub, sub, prefix });
  return {
    broadcaster,
    async cleanup() {
      await broadcaster.close();
      await deleteKeys(pub, prefix);
      await quitAll(pub, sub);
    },
  };
});

describe('RedisBroadcaster', () => {
  /** One "process": a broadcaster with a client pair of its own. */
  interface Node {
    broadcaster: RedisBroadcaster;
    pub: Redis;
    sub: Redis;
  }

  const started: Node[] = [];
  let prefix = testPrefix();

  async function node(extra: Partial<ConstructorParameters<typeof RedisBroadcaster>[0]> = {}): Promise<Node> {
    const [pub, sub] = await Promise.all([connectRedis(), connectRedis()]);
    const created = { broadcaster: new RedisBroadcaster({ pub, sub, prefix, ...extra }), pub, sub };
    started.push(created);
    return created;
  }

  /** The channels of this test's rooms that some connection is subscribed to. */
  async function channels(client: Redis): Promise<string[]> {
    return ((await client.pubsub('CHANNELS', `${prefix}*`)) as string[]).sort();
  }

  async function subscribers(client: Redis, room: string): Promise<number> {
    const [, count] = (await client.pubsub('NUMSUB', `${prefix}:${room}`)) as [string, number];
    return Number(count);
  }

  afterEach(async () => {
    const nodes = started.splice(0);
    await Promise.all(nodes.map((n) => n.broadcaster.close()));
    if (nodes[0]) await deleteKeys(nodes[0].pub, prefix);
    await quitAll(...nodes.flatMap((n) => [n.pub, n.sub]));
    prefix = testPrefix();
  });

  it('delivers an event published on one process to the listeners of both, once each, in order', async () => {
    const [a, b] = [await node(), await node()];
    const room = randomUUID();
    const recorders = [
      await record(a.broadcaster, room),
      await record(a.broadcaster, room),
      await record(b.broadcaster, room),
    ];
    const burst = Array.from({ length: 50 }, () => typingEvent());

    await Promise.all(burst.map((event) => a.broadcaster.publish(room, event)));
    // A marker from the other process: anything duplicated would have arrived before it.
    const marker = typingEvent();
    for (const recorder of recorders) await recorder.waitFor(burst.length);
    await b.broadcaster.publish(room, marker);

    for (const recorder of recorders) {
      expect(await recorder.waitFor(burst.length + 1)).toEqual([...burst, marker]);
    }
  });

  it('shows every process the same order when several publish to a room at once', async () => {
    const [a, b] = [await node(), await node()];
    const room = randomUUID();
    const recorders = [await record(a.broadcaster, room), await record(b.broadcaster, room)];
    const fromA = Array.from({ length: 30 }, () => typingEvent());
    const fromB = Array.from({ length: 30 }, () => typingEvent());

    await Promise.all([
      ...fromA.map((event) => a.broadcaster.publish(room, event)),
      ...fromB.map((event) => b.broadcaster.publish(room, event)),
    ]);

    const [seenOnA = [], seenOnB] = await Promise.all(recorders.map((r) => r.waitFor(60)));
    expect(seenOnB).toEqual(seenOnA);
    // Each publisher's events keep the order it published them in.
    const idsOf = (events: BroadcastEvent[]) => events.map((e) => JSON.stringify(e));
    const [idsA, idsB] = [new Set(idsOf(fromA)), new Set(idsOf(fromB))];
    expect(idsOf(seenOnA).filter((id) => idsA.has(id))).toEqual(idsOf(fromA));
    expect(idsOf(seenOnA).filter((id) => idsB.has(id))).toEqual(idsOf(fromB));
  });

  it('sends a batch to Redis in one write to its socket, every event delivered', async () => {
    const { broadcaster, pub } = await node();
    const room = randomUUID();
    const users = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const recorders = await Promise.all(
      [roomTopic(room), ...users.map(inboxTopic)].map((t) => record(broadcaster, t)),
    );
    // The socket's own writes, counted where Node hands them to the kernel (one per write or writev).
    const socket = pub.stream as unknown as {
      _writev(...args: unknown[]): void;
      _write(...args: unknown[]): void;
    };
    const writes = { count: 0 };
    const counted = <F extends (...args: unknown[]) => void>(original: F) =>
      function (this: unknown, ...args: unknown[]) {
        writes.count++;
        return original.apply(this, args);
      };
    const [writev, write] = [socket._writev, socket._write];
    socket._writev = counted(writev);
    socket._write = counted(write);
    try {
      const outcomes = await broadcaster.publishAll(writeBatch(room, users, 1));
      expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(5).fill('fulfilled'));
    } finally {
      socket._writev = writev;
      socket._write = write;
    }

    expect(writes.count).toBe(1);
    for (const recorder of recorders) expect(await recorder.waitFor(1)).toHaveLength(1);
  });

  it('delivers batches published on two processes at once to both, each topic in one order everywhere, each batch in its order', async () => {
    const [a, b] = [await node(), await node()];
    const room = randomUUID();
    const users = [randomUUID(), randomUUID()];
    const topics = [roomTopic(room), ...users.map(inboxTopic)];
    const recordersOn = async (n: Node) => Promise.all(topics.map((topic) => record(n.broadcaster, topic)));
    const [onA, onB] = [await recordersOn(a), await recordersOn(b)];
    const fromA = Array.from({ length: 20 }, (_, i) => writeBatch(room, users, i + 1));
    const fromB = Array.from({ length: 20 }, (_, i) => writeBatch(room, users, 100 + i));

    const outcomes = await Promise.all([
      ...fromA.map((batch) => a.broadcaster.publishAll(batch)),
      ...fromB.map((batch) => b.broadcaster.publishAll(batch)),
    ]);

    expect(outcomes.flat().every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    const ids = (events: BroadcastEvent[]) => events.map((event) => JSON.stringify(event));
    for (const [t, topic] of topics.entries()) {
      const count = eventsOf([...fromA.flat(), ...fromB.flat()], topic).length;
      const seenOnA = await onA[t]!.waitFor(count);
      const seenOnB = await onB[t]!.waitFor(count);
      // Redis orders a channel's messages once for every subscriber.
      expect(ids(seenOnB)).toEqual(ids(seenOnA));
      // Each process's events keep the order it published them in.
      for (const sent of [fromA.flat(), fromB.flat()]) {
        const mine = new Set(ids(eventsOf(sent, topic)));
        expect(ids(seenOnA).filter((id) => mine.has(id))).toEqual(ids(eventsOf(sent, topic)));
      }
    }
  });

  it('answers every event of a batch rejected after close, and resolves', async () => {
    const { broadcaster } = await node();
    await broadcaster.close();

    const outcomes = await broadcaster.publishAll(writeBatch(randomUUID(), [randomUUID()], 1));

    expect(outcomes).toEqual([
      { status: 'rejected', reason: expect.objectContaining({ message: expect.stringMatching(/closed/) }) },
      { status: 'rejected', reason: expect.objectContaining({ message: expect.stringMatching(/closed/) }) },
    ]);
  });

  it('subscribes a process only to the rooms it has listeners for', async () => {
    const [a, b] = [await node(), await node()];
    const [roomA, roomB, shared] = [randomUUID(), randomUUID(), randomUUID()];
    const onA = await record(a.broadcaster, roomA);
    const onB = await record(b.broadcaster, roomB);
    const sharedOnA = await record(a.broadcaster, shared);
    const alsoSharedOnA = await record(a.broadcaster, shared);
    const sharedOnB = await record(b.broadcaster, shared);

    expect(await channels(a.pub)).toEqual([roomA, roomB, shared].map((room) => `${prefix}:${room}`).sort());
    expect(await subscribers(a.pub, roomA)).toBe(1);
    expect(await subscribers(a.pub, roomB)).toBe(1);
    // One subscription per process, however many listeners it has.
    expect(await subscribers(a.pub, shared)).toBe(2);

    await sharedOnA.unsubscribe();
    expect(await subscribers(a.pub, shared)).toBe(2);
    await alsoSharedOnA.unsubscribe();
    expect(await subscribers(a.pub, shared)).toBe(1);
    await sharedOnB.unsubscribe();
    await onA.unsubscribe();
    await onB.unsubscribe();
    expect(await channels(a.pub)).toEqual([]);
  });

  it('ends subscribed when the last listener leaves and a new one comes at the same time', async () => {
    const { broadcaster, pub } = await node();
    const room = randomUUID();
    let current: Recorder = await record(broadcaster, room);

    // The newcomer comes before the UNSUBSCRIBE is sent, while it is in flight, or just after.
    const pauses = [
      async () => {},
      () => new Promise<void>((resolve) => queueMicrotask(resolve)),
      () => new Promise<void>((resolve) => setImmediate(resolve)),
    ];
    for (let i = 0; i < 30; i++) {
      const leaving = current.unsubscribe();
      await pauses[i % pauses.length]?.();
      const [, next] = await Promise.all([leaving, record(broadcaster, room)]);
      current = next;
      expect(await subscribers(pub, room)).toBe(1);
    }
    const event = typingEvent();
    await broadcaster.publish(room, event);

    expect(await current.waitFor(1)).toEqual([event]);
    expect(await subscribers(pub, room)).toBe(1);
  });

  it('keeps delivering to the others when a listener throws, and reports the error', async () => {
    const errors: unknown[] = [];
    const { broadcaster } = await node({ onListenerError: (error) => errors.push(error) });
    const room = randomUUID();
    const failure = new Error('listener failed');
    await broadcaster.subscribe(room, () => {
      throw failure;
    });
    const after = await record(broadcaster, room);
    const event = typingEvent();

    await broadcaster.publish(room, event);

    expect(await after.waitFor(1)).toEqual([event]);
    expect(errors).toEqual([failure]);
  });

  it('reports a message on a room channel that is not JSON, and goes on', async () => {
    const malformed: string[] = [];
    const { broadcaster, pub } = await node({ onMalformedMessage: (_error, room) => malformed.push(room) });
    const room = randomUUID();
    const recorder = await record(broadcaster, room);
    const event = typingEvent();

    await pub.publish(`${prefix}:${room}`, 'not json');
    await broadcaster.publish(room, event);

    expect(await recorder.waitFor(1)).toEqual([event]);
    expect(malformed).toEqual([room]);
  });

  it('unsubscribes and stops listening on close, and leaves the clients open', async () => {
    const { broadcaster, pub, sub } = await node();
    const messageListeners = sub.listenerCount('message');
    const room = randomUUID();
    const recorder = await record(broadcaster, room);

    await broadcaster.close();

    expect(await channels(pub)).toEqual([]);
    expect(sub.listenerCount('message')).toBe(messageListeners - 1);
    await expect(pub.ping()).resolves.toBe('PONG');
    await expect(sub.ping()).resolves.toBe('PONG');
    await expect(broadcaster.publish(room, typingEvent())).rejects.toThrow(/closed/);
    await expect(broadcaster.subscribe(room, () => {})).rejects.toThrow(/closed/);
    await recorder.unsubscribe(); // nothing left to undo, and no error
    expect(recorder.events).toEqual([]);
  });

  it('publishes each event, alone or in a batch, as the JSON of the event, on <prefix>:room:<room> and <prefix>:user:<user>', async () => {
    const { broadcaster } = await node();
    const listener = await connectRedis();
    try {
      const [room, user] = [randomUUID(), randomUUID()];
      const received: [string, string][] = [];
      const both = new Promise<void>((resolve) =>
        listener.on('message', (channel: string, message: string) => {
          received.push([channel, message]);
          if (received.length === 4) resolve();
        }),
      );
      await listener.subscribe(`${prefix}:room:${room}`, `${prefix}:user:${user}`);
      const event: BroadcastEvent = typingEvent();
      const inboxEvent: BroadcastEvent = { type: 'room_removed', room_id: room, seq: 1 };

      await broadcaster.publish(roomTopic(room), event);
      await broadcaster.publish(inboxTopic(user), inboxEvent);
      await broadcaster.publishAll([
        { topic: roomTopic(room), event },
        { topic: inboxTopic(user), event: inboxEvent },
      ] as Publication[]);

      await both;
      const published = [
        [`${prefix}:room:${room}`, event],
        [`${prefix}:user:${user}`, inboxEvent],
      ];
      // Alone, and in a batch.
      expect(received.map(([channel, message]) => [channel, JSON.parse(message)])).toEqual([
        ...published,
        ...published,
      ]);
    } finally {
      await quitAll(listener);
    }
  });

  it('refuses the same client as pub and sub', async () => {
    const client = await connectRedis();
    try {
      expect(() => new RedisBroadcaster({ pub: client, sub: client })).toThrow(/two clients/);
    } finally {
      await quitAll(client);
    }
  });

  it('answers ping with both clients up', async () => {
    const { broadcaster, sub } = await node();
    await record(broadcaster, randomUUID());
    // In subscriber mode, the subscriber's PING is answered too.
    expect(sub.mode).toBe('subscriber');
    await expect(broadcaster.ping()).resolves.toBeUndefined();
  });
});
