import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisBroadcaster } from '../../src/broadcast/redis-broadcaster.js';
import { type BroadcastEvent, inboxTopic, type Publication, roomTopic } from '../../src/ports/broadcaster.js';
import { type PrivateRedis, privateRedis } from '../../src/testing/private-redis.js';
import { connectRedis, eventually, quitAll, testPrefix } from '../redis/redis-clients.js';
import { eventsOf, record, typingEvent, writeBatch } from './broadcaster-suite.js';

/** "While down" means at once: well under the health check's 2 s, and no reconnect waited for. */
const FAST_MS = 200;

/** Reconnects quickly, so that the test does not wait out ioredis' default back-off. */
const retryStrategy = (attempt: number) => Math.min(attempt * 20, 200);

describe('RedisBroadcaster when Redis crashes and comes back', () => {
  let server: PrivateRedis | undefined;
  let clients: Redis[] = [];
  let broadcaster: RedisBroadcaster | undefined;

  afterEach(async () => {
    await broadcaster?.close();
    await quitAll(...clients);
    await server?.kill();
    [server, broadcaster, clients] = [undefined, undefined, []];
  });

  async function setUp() {
    server = await privateRedis();
    const url = server.url;
    const [pub, sub] = await Promise.all([
      connectRedis(url, { retryStrategy }),
      connectRedis(url, { retryStrategy }),
    ]);
    clients = [pub, sub];
    broadcaster = new RedisBroadcaster({ pub, sub, prefix: testPrefix() });
    return { server, broadcaster, pub, sub };
  }

  it('rejects publish and ping at once while Redis is down, and delivers again through the same subscription', async () => {
    const { server, broadcaster, pub } = await setUp();
    const room = randomUUID();
    const leavingRoom = randomUUID();
    const recorder = await record(broadcaster, room);
    const leaving = await record(broadcaster, leavingRoom);

    // Traffic: a publish every few milliseconds, each one's fate written down.
    const attempted: BroadcastEvent[] = [];
    const resolvedAfterRestart: BroadcastEvent[] = [];
    let restarted = false;
    let stopped = false;
    const traffic = (async () => {
      while (!stopped) {
        const event = typingEvent();
        attempted.push(event);
        const after = restarted;
        await broadcaster.publish(room, event).then(
          () => after && resolvedAfterRestart.push(event),
          () => undefined,
        );
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();

    try {
      await recorder.waitFor(5);
      await server.kill();

      // ioredis notices the closed connection; from then on nothing waits for Redis.
      await eventually(() => expect(pub.status).not.toBe('ready'));
      let startedAt = Date.now();
      await expect(broadcaster.publish(room, typingEvent())).rejects.toThrow(/not ready/);
      expect(Date.now() - startedAt).toBeLessThan(FAST_MS);
      startedAt = Date.now();
      await expect(broadcaster.ping()).rejects.toThrow(/not ready/);
      expect(Date.now() - startedAt).toBeLessThan(FAST_MS);
      // A room left during the outage: the listener is off at once; Redis is told later.
      await expect(leaving.unsubscribe()).rejects.toThrow(/not ready/);

      await server.start();
      await eventually(() => broadcaster.ping());
      restarted = true;

      // The subscription made before the outage delivers again, without subscribing by hand.
      const marker = typingEvent();
      attempted.push(marker);
      await broadcaster.publish(room, marker);
      await eventually(() => expect(recorder.events).toContainEqual(marker));
      await eventually(() => expect(resolvedAfterRestart.length).toBeGreaterThanOrEqual(3));
      // ...and the room left during the outage is unsubscribed now that Redis can be told.
      await eventually(async () =>
        expect(await pub.pubsub('CHANNELS', '*')).toEqual([expect.stringContaining(room)]),
      );
    } finally {
      stopped = true;
      await traffic;
    }

    // Nothing twice and nothing out of order: what arrived is a subsequence of what was tried.
    const received = recorder.events.map((e) => JSON.stringify(e));
    const tried = attempted.map((e) => JSON.stringify(e));
    let cursor = 0;
    for (const event of received) {
      const at = tried.indexOf(event, cursor);
      expect(at).toBeGreaterThanOrEqual(cursor);
      cursor = at + 1;
    }
    // Every publish that succeeded after the restart was delivered.
    const last = resolvedAfterRestart.at(-1);
    if (last) await eventually(() => expect(recorder.events).toContainEqual(last));
    for (const event of resolvedAfterRestart) expect(recorder.events).toContainEqual(event);
    expect(resolvedAfterRestart.length).toBeGreaterThan(0);
  });

  it('answers a batch at once while Redis is down, every event rejected, and carries batches again once it is back', async () => {
    const { server, broadcaster, pub } = await setUp();
    const room = randomUUID();
    const users = [randomUUID(), randomUUID()];
    const topics = [roomTopic(room), ...users.map(inboxTopic)];
    const recorders = await Promise.all(topics.map((topic) => record(broadcaster, topic)));

    // Traffic: a write's batch every few milliseconds, each event's outcome written down.
    const attempted: Publication[] = [];
    const fulfilledAfterRestart: Publication[] = [];
    let restarted = false;
    let stopped = false;
    let seq = 0;
    const traffic = (async () => {
      while (!stopped) {
        const batch = writeBatch(room, users, ++seq);
        attempted.push(...batch);
        const after = restarted;
        const outcomes = await broadcaster.publishAll(batch);
        // A connection lost mid-batch answers those before the loss and rejects the rest.
        const firstRejected = outcomes.findIndex((outcome) => outcome.status === 'rejected');
        if (firstRejected >= 0) {
          expect(outcomes.slice(firstRejected).every((outcome) => outcome.status === 'rejected')).toBe(true);
        }
        if (after) fulfilledAfterRestart.push(...batch.filter((_, i) => outcomes[i]?.status === 'fulfilled'));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();

    try {
      await recorders[0]!.waitFor(5);
      await server.kill();
      await eventually(() => expect(pub.status).not.toBe('ready'));

      const startedAt = Date.now();
      const outcomes = await broadcaster.publishAll(writeBatch(room, users, 0));
      expect(Date.now() - startedAt).toBeLessThan(FAST_MS);
      expect(outcomes).toEqual(
        Array(3).fill({
          status: 'rejected',
          reason: expect.objectContaining({ message: expect.stringMatching(/not ready/) }),
        }),
      );

      await server.start();
      await eventually(() => broadcaster.ping());
      restarted = true;
      await eventually(() => expect(fulfilledAfterRestart.length).toBeGreaterThanOrEqual(9));
    } finally {
      stopped = true;
      await traffic;
    }

    // Per topic: nothing twice and nothing out of order, and everything answered after the
    // restart delivered.
    for (const [t, topic] of topics.entries()) {
      const delivered = eventsOf(fulfilledAfterRestart, topic);
      await eventually(() => expect(recorders[t]!.events).toContainEqual(delivered.at(-1)));
      const received = recorders[t]!.events.map((e) => JSON.stringify(e));
      const tried = eventsOf(attempted, topic).map((e) => JSON.stringify(e));
      let cursor = 0;
      for (const event of received) {
        const at = tried.indexOf(event, cursor);
        expect(at).toBeGreaterThanOrEqual(cursor);
        cursor = at + 1;
      }
      for (const event of delivered) expect(recorders[t]!.events).toContainEqual(event);
    }
  });

  it('resolves a batch cut by a crash: the events answered before it, the rest rejected, none delivered twice', async () => {
    const { server, broadcaster } = await setUp();
    const room = randomUUID();
    const recorder = await record(broadcaster, room);
    // Big enough that Redis is still working through it when it dies.
    const batch = Array.from(
      { length: 50_000 },
      () => ({ topic: room, event: typingEvent() }) as Publication,
    );

    const publishing = broadcaster.publishAll(batch);
    await server.kill();
    const outcomes = await publishing;

    const fulfilled = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
    expect(outcomes.slice(0, fulfilled).every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    expect(outcomes.slice(fulfilled)).toEqual(
      Array(batch.length - fulfilled).fill({ status: 'rejected', reason: expect.any(Error) }),
    );
    expect(fulfilled).toBeLessThan(batch.length);
    // What arrived is the start of the batch, once each, in order.
    expect(recorder.events).toEqual(batch.slice(0, recorder.events.length).map((p) => p.event));
  });

  it('refuses a subscription while Redis is down, and takes one again once it is back', async () => {
    const { server, broadcaster, sub } = await setUp();
    const room = randomUUID();
    await server.kill();
    await eventually(() => expect(sub.status).not.toBe('ready'));

    const startedAt = Date.now();
    await expect(broadcaster.subscribe(room, () => {})).rejects.toThrow(/not ready/);
    expect(Date.now() - startedAt).toBeLessThan(FAST_MS);

    await server.start();
    await eventually(() => broadcaster.ping());
    const recorder = await record(broadcaster, room);
    const event = typingEvent();
    await broadcaster.publish(room, event);
    expect(await recorder.waitFor(1)).toEqual([event]);
  });
});
