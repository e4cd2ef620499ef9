import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { type PrivateRedis, privateRedis } from '../../src/testing/private-redis.js';
import { RedisTypingState } from '../../src/typing/redis-typing-state.js';
import { connectRedis, eventually, quitAll, testPrefix } from '../redis/redis-clients.js';

const FAST_MS = 200;

describe('RedisTypingState when Redis crashes and comes back', () => {
  let server: PrivateRedis | undefined;
  let redis: Redis | undefined;
  let typing: RedisTypingState | undefined;

  afterEach(async () => {
    await typing?.close();
    if (redis) await quitAll(redis);
    await server?.kill();
    [server, redis, typing] = [undefined, undefined, undefined];
  });

  it('rejects at once while Redis is down, and works and announces expiries again once it is back', async () => {
    server = await privateRedis();
    redis = await connectRedis(server.url, { retryStrategy: (attempt) => Math.min(attempt * 20, 200) });
    const sweepErrors: unknown[] = [];
    typing = new RedisTypingState({
      redis,
      prefix: testPrefix(),
      timeoutMs: 100,
      sweepIntervalMs: 20,
      onSweepError: (error) => sweepErrors.push(error),
    });
    const expired = new Promise<string[]>((resolve) => typing?.onExpire((_room, users) => resolve(users)));
    const room = randomUUID();
    const alice = randomUUID();
    expect(await typing.set(room, alice, true)).toEqual([alice]);

    const client = redis;
    await server.kill();
    await eventually(() => expect(client.status).not.toBe('ready'));
    const startedAt = Date.now();
    await expect(typing.set(room, alice, true)).rejects.toThrow(/not ready/);
    await expect(typing.get(room)).rejects.toThrow(/not ready/);
    expect(Date.now() - startedAt).toBeLessThan(FAST_MS);

    await server.start();
    await eventually(() => expect(client.status).toBe('ready'));

    // The restarted server lost everything (no persistence): alice starts afresh, and expires.
    expect(await typing.set(room, alice, true)).toEqual([alice]);
    expect(await expired).toEqual([]);
    // Sweeps skip an outage quietly rather than failing every interval: at most the one in
    // flight when Redis died is reported.
    expect(sweepErrors.length).toBeLessThanOrEqual(1);
  });
});
