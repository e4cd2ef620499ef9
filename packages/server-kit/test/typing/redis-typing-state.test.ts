import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisTypingState, type RedisTypingStateOptions } from '../../src/typing/redis-typing-state.js';
import { connectRedis, deleteKeys, keysOf, quitAll, testPrefix } from '../redis/redis-clients.js';
import { describeTypingState } from './typing-state-suite.js';

describeTypingState('redis', async ({ timeoutMs }) => {
  const prefix = testPrefix();
  const redis = await connectRedis();
  const typing = new RedisTypingState({ redis, timeoutMs, prefix });
  return {
    typing,
    async cleanup() {
      await typing.close();
      await deleteKeys(redis, prefix);
      await quitAll(redis);
    },
  };
});

const TIMEOUT_MS = 150;

interface Expiry {
  room: string;
  typingUsers: string[];
}

describe('RedisTypingState', () => {
  /** One "process": a typing state with a client of its own. */
  interface Node {
    typing: RedisTypingState;
    redis: Redis;
    expiries: Expiry[];
    /** The next expiry this process announces for the room. */
    nextExpiry(room: string): Promise<Expiry>;
  }

  const started: Node[] = [];
  let prefix = testPrefix();

  async function node(options: Partial<RedisTypingStateOptions> = {}): Promise<Node> {
    const redis = await connectRedis();
    const typing = new RedisTypingState({ redis, prefix, timeoutMs: TIMEOUT_MS, ...options });
    const expiries: Expiry[] = [];
    const waiters: { room: string; resolve: (expiry: Expiry) => void }[] = [];
    typing.onExpire((room, typingUsers) => {
      const expiry = { room, typingUsers };
      expiries.push(expiry);
      for (const waiter of waiters.filter((w) => w.room === room)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(expiry);
      }
    });
    const created: Node = {
      typing,
      redis,
      expiries,
      nextExpiry: (room) => new Promise((resolve) => waiters.push({ room, resolve })),
    };
    started.push(created);
    return created;
  }

  afterEach(async () => {
    const nodes = started.splice(0);
    await Promise.all(nodes.map((n) => n.typing.close()));
    const live = nodes.find((n) => n.redis.status === 'ready');
    if (live) await deleteKeys(live.redis, prefix);
    await quitAll(...nodes.map((n) => n.redis));
    prefix = testPrefix();
  });

  it('shares typing_users between processes, in the order typists started', async () => {
    const [a, b] = [await node(), await node()];
    const room = randomUUID();
    const [alice, bob, carol] = [randomUUID(), randomUUID(), randomUUID()];

    expect(await a.typing.set(room, alice, true)).toEqual([alice]);
    expect(await b.typing.get(room)).toEqual([alice]);
    expect(await b.typing.set(room, bob, true)).toEqual([alice, bob]);
    // A renewal on the other process is a renewal, not a newcomer, and keeps alice first.
    expect(await b.typing.set(room, alice, true)).toBeNull();
    expect(await a.typing.set(room, carol, true)).toEqual([alice, bob, carol]);
    expect(await b.typing.set(room, bob, false)).toEqual([alice, carol]);
    expect(await a.typing.set(room, bob, false)).toBeNull();
    expect(await a.typing.get(room)).toEqual([alice, carol]);
  });

  it('takes a user out whichever process says so', async () => {
    // A stop, a sent message and a disconnect look alike through the port, so each process's
    // `false` counts: a message sent over REST to another process must end the typing.
    const [a, b] = [await node(), await node()];
    const room = randomUUID();
    const alice = randomUUID();
    await a.typing.set(room, alice, true);

    expect(await b.typing.set(room, alice, false)).toEqual([]);
    expect(await a.typing.get(room)).toEqual([]);
  });

  it('announces an expiry once across processes that both track the typist', async () => {
    const [a, b] = [await node(), await node()];
    const [room, markerRoom] = [randomUUID(), randomUUID()];
    const alice = randomUUID();
    // Both processes time a sweep for alice: a set her, b renewed her.
    await a.typing.set(room, alice, true);
    await b.typing.set(room, alice, true);

    const first = await Promise.race([a.nextExpiry(room), b.nextExpiry(room)]);
    expect(first.typingUsers).toEqual([]);

    // A later expiry that both also track: once it is announced, both have long swept the room.
    const marker = randomUUID();
    await a.typing.set(markerRoom, marker, true);
    await b.typing.set(markerRoom, marker, true);
    await Promise.race([a.nextExpiry(markerRoom), b.nextExpiry(markerRoom)]);

    const all = [...a.expiries, ...b.expiries];
    expect(all.filter((e) => e.room === room)).toEqual([{ room, typingUsers: [] }]);
    expect(all.filter((e) => e.room === markerRoom)).toHaveLength(1);
  });

  it('announces an expiry once when processes sweep the same room at the same moment', async () => {
    // An expired typist that no one announced yet, as a process that died would leave it.
    const writer = await connectRedis();
    const room = randomUUID();
    const alice = randomUUID();
    try {
      const [seconds] = await writer.time();
      const past = Number(seconds) * 1000 - 1_000;
      await writer.zadd(`${prefix}:typing:${room}`, past, alice);
      await writer.zadd(`${prefix}:typing:${room}:started`, past * 1000, alice);
      await writer.zadd(`${prefix}:typing-rooms`, past, room);
    } finally {
      await quitAll(writer);
    }

    // Each sweeps on start: all find the room due, and race to remove alice.
    const nodes = await Promise.all([node(), node(), node(), node()]);
    const first = await Promise.race(nodes.map((n) => n.nextExpiry(room)));
    expect(first.typingUsers).toEqual([]);

    // The only wait that cannot be an event: proving that no second announcement comes.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(nodes.flatMap((n) => n.expiries)).toEqual([{ room, typingUsers: [] }]);
  });

  it('lets the typists of a process that died expire, and another process announces it', async () => {
    const doomed = await node();
    const survivor = await node({ sweepIntervalMs: 50 });
    const room = randomUUID();
    const [alice, bob] = [randomUUID(), randomUUID()];
    await doomed.typing.set(room, alice, true);
    await survivor.typing.set(room, bob, true);
    const expiring = survivor.nextExpiry(room);

    // Dies: no clean-up, its timers and connection just stop.
    await doomed.typing.close();
    doomed.redis.disconnect();
    expect(await survivor.typing.get(room)).toEqual([alice, bob]);

    // Bob keeps typing on the process that lives; alice is never renewed.
    const renewBob = setInterval(() => void survivor.typing.set(room, bob, true), TIMEOUT_MS / 3);
    try {
      expect(await expiring).toEqual({ room, typingUsers: [bob] });
      expect(await survivor.typing.get(room)).toEqual([bob]);
    } finally {
      clearInterval(renewBob);
    }
  });

  it('announces the typists of a process that died even when no live process set any', async () => {
    const doomed = await node();
    const room = randomUUID();
    const alice = randomUUID();
    await doomed.typing.set(room, alice, true);
    await doomed.typing.close();
    doomed.redis.disconnect();

    // Came up after the typist: it learns of her from the shared index.
    const survivor = await node({ sweepIntervalMs: 50 });

    expect(await survivor.nextExpiry(room)).toEqual({ room, typingUsers: [] });
    expect(await keysOf(survivor.redis, prefix)).toEqual([]);
  });

  it('never counts an expired typist, even one that no sweep has removed', async () => {
    // A huge sweep interval and no index entry: nothing will sweep this room.
    const { typing, redis } = await node({ sweepIntervalMs: 60_000 });
    const room = randomUUID();
    const alice = randomUUID();
    const [seconds] = await redis.time();
    const past = Number(seconds) * 1000 - 1_000;
    await redis.zadd(`${prefix}:typing:${room}`, past, alice);
    await redis.zadd(`${prefix}:typing:${room}:started`, past * 1000, alice);

    expect(await typing.get(room)).toEqual([]);
    // Starting again makes her new, so the answer announces her.
    expect(await typing.set(room, alice, true)).toEqual([alice]);
  });

  it('gives its keys a time to live, and leaves none once the typists are gone', async () => {
    const { typing, redis } = await node();
    const room = randomUUID();
    const alice = randomUUID();
    await typing.set(room, alice, true);

    const keys = await keysOf(redis, prefix);
    expect(keys).toEqual(
      [`${prefix}:typing-rooms`, `${prefix}:typing:${room}`, `${prefix}:typing:${room}:started`].sort(),
    );
    for (const key of keys) {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(TIMEOUT_MS + 60_000);
    }

    await typing.set(room, alice, false);
    expect(await keysOf(redis, prefix)).toEqual([]);
  });

  it('stops sweeping on close, and leaves the client and the typists for the others', async () => {
    const [a, b] = [await node(), await node()];
    const room = randomUUID();
    const alice = randomUUID();
    await a.typing.set(room, alice, true);
    const expiring = b.nextExpiry(room);

    await a.typing.close();

    await expect(a.redis.ping()).resolves.toBe('PONG');
    await expect(a.typing.set(room, alice, true)).rejects.toThrow(/closed/);
    expect(await b.typing.get(room)).toEqual([alice]);
    // b learns of alice on its next sweep (default interval) and announces her once a cannot.
    expect(await expiring).toEqual({ room, typingUsers: [] });
    expect(a.expiries).toEqual([]);
  });

  it('refuses a timeout or sweep interval that is not a positive number', async () => {
    const redis = await connectRedis();
    try {
      expect(() => new RedisTypingState({ redis, timeoutMs: 0 })).toThrow(/timeoutMs/);
      expect(() => new RedisTypingState({ redis, sweepIntervalMs: Number.NaN })).toThrow(/sweepIntervalMs/);
      // Past setInterval's largest delay, the sweep would run every millisecond.
      expect(() => new RedisTypingState({ redis, sweepIntervalMs: 2 ** 31 })).toThrow(/at most 2147483647/);
    } finally {
      await quitAll(redis);
    }
  });
});
