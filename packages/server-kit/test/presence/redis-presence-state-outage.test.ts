import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisPresenceState } from '../../src/presence/redis-presence-state.js';
import { type PrivateRedis, privateRedis } from '../../src/testing/private-redis.js';
import { connectRedis, eventually, quitAll, testPrefix } from '../redis/redis-clients.js';

/** "While down" means at once: no reconnect waited for. */
const FAST_MS = 200;

/** Reconnects quickly, so that the test does not wait out ioredis' default back-off. */
const retryStrategy = (attempt: number) => Math.min(attempt * 20, 200);

describe('RedisPresenceState when Redis crashes and comes back', () => {
  let server: PrivateRedis | undefined;
  const clients: Redis[] = [];
  const states: RedisPresenceState[] = [];

  afterEach(async () => {
    await Promise.all(states.splice(0).map((state) => state.close()));
    await quitAll(...clients.splice(0));
    await server?.kill();
    server = undefined;
  });

  /** A process on the private Redis, with what its listeners heard. */
  async function node(url: string, prefix: string) {
    const redis = await connectRedis(url, { retryStrategy });
    clients.push(redis);
    const backgroundErrors: unknown[] = [];
    const presence = new RedisPresenceState({
      redis,
      prefix,
      timeoutMs: 1_000,
      sweepIntervalMs: 20,
      onBackgroundError: (error) => backgroundErrors.push(error),
    });
    states.push(presence);
    const expired: string[] = [];
    const restored: string[] = [];
    presence.onExpire((users) => expired.push(...users));
    presence.onRestore((users) => restored.push(...users));
    return { redis, presence, expired, restored, backgroundErrors };
  }

  it('rejects at once while Redis is down, then writes its users back and announces what changed meanwhile', async () => {
    server = await privateRedis();
    const a = await node(server.url, testPrefix());
    const [alice, bob, carol, dave] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await a.presence.connect(alice);
    await a.presence.connect(bob);
    await a.presence.connect(dave);

    await server.kill();
    await eventually(() => expect(a.redis.status).not.toBe('ready'));
    const startedAt = Date.now();
    await expect(a.presence.connect(carol)).rejects.toThrow(/not ready/);
    await expect(a.presence.disconnect(bob)).rejects.toThrow(/not ready/);
    await expect(a.presence.online([alice])).rejects.toThrow(/not ready/);
    // Neither a user's first nor last socket here: nothing to tell Redis.
    expect(await a.presence.connect(dave)).toBe(false);
    expect(await a.presence.disconnect(dave)).toBe(false);
    expect(Date.now() - startedAt).toBeLessThan(FAST_MS);

    // The restarted server lost everything (no persistence).
    await server.start();
    await eventually(() => {
      expect([...a.restored].sort()).toEqual([alice, carol, dave].sort());
      expect(a.expired).toEqual([bob]);
    });
    expect(await a.presence.online([alice, bob, carol, dave])).toEqual([alice, carol, dave]);
    // Each socket counted all along: the last of each user still says so.
    expect(await a.presence.disconnect(carol)).toBe(true);
    expect(await a.presence.disconnect(dave)).toBe(true);
    // Background steps skip an outage quietly: at most one in flight when Redis died is reported.
    expect(a.backgroundErrors.length).toBeLessThanOrEqual(2);
  });

  it('lets every process write its own users back after a restart, and announces none offline', async () => {
    server = await privateRedis();
    const prefix = testPrefix();
    const [a, b] = [await node(server.url, prefix), await node(server.url, prefix)];
    const [alice, bob, shared] = [randomUUID(), randomUUID(), randomUUID()];
    await a.presence.connect(alice);
    await b.presence.connect(bob);
    await a.presence.connect(shared);
    await b.presence.connect(shared);

    await server.kill();
    await eventually(() => expect(a.redis.status).not.toBe('ready'));
    await server.start();

    await eventually(async () => {
      expect(await a.presence.online([alice, bob, shared])).toEqual([alice, bob, shared]);
      // Each user announced back once, by one of the two.
      expect([...a.restored, ...b.restored].sort()).toEqual([alice, bob, shared].sort());
    });
    expect([...a.expired, ...b.expired]).toEqual([]);
    // The shared user is held by both again: one process letting go does not take them offline.
    expect(await a.presence.disconnect(shared)).toBe(false);
    expect(await b.presence.online([shared])).toEqual([shared]);
  });
});
