import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  RedisPresenceState,
  type RedisPresenceStateOptions,
} from '../../src/presence/redis-presence-state.js';
import { connectRedis, deleteKeys, eventually, keysOf, quitAll, testPrefix } from '../redis/redis-clients.js';
import { describePresenceState } from './presence-state-suite.js';

describePresenceState('redis', async ({ timeoutMs }) => {
  const prefix = testPrefix();
  const redis = await connectRedis();
  const presence = new RedisPresenceState({ redis, timeoutMs, prefix });
  return {
    presence,
    async cleanup() {
      await presence.close();
      await deleteKeys(redis, prefix);
      await quitAll(redis);
    },
  };
});

const TIMEOUT_MS = 600;

function users(count: number): string[] {
  return Array.from({ length: count }, () => randomUUID());
}

describe('RedisPresenceState', () => {
  /** One "process": a presence state with a client of its own. */
  interface Node {
    presence: RedisPresenceState;
    redis: Redis;
    /** Every user this process announced offline by expiry, in order. */
    expired: string[];
    restored: string[];
    /** Resolves once this process has announced all of these users offline. */
    expiryOf(users: string[]): Promise<void>;
  }

  const started: Node[] = [];
  const extraClients: Redis[] = [];
  let prefix = testPrefix();

  async function node(options: Partial<RedisPresenceStateOptions> = {}): Promise<Node> {
    const redis = await connectRedis();
    const presence = new RedisPresenceState({ redis, prefix, timeoutMs: TIMEOUT_MS, ...options });
    const expired: string[] = [];
    const restored: string[] = [];
    const waiters: { users: string[]; resolve: () => void }[] = [];
    presence.onExpire((users) => {
      expired.push(...users);
      for (const waiter of [...waiters]) {
        if (waiter.users.every((user) => expired.includes(user))) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    });
    presence.onRestore((users) => restored.push(...users));
    const created: Node = {
      presence,
      redis,
      expired,
      restored,
      expiryOf: (users) =>
        users.every((user) => expired.includes(user))
          ? Promise.resolve()
          : new Promise((resolve) => waiters.push({ users, resolve })),
    };
    started.push(created);
    return created;
  }

  /** Dies: no clean-up, its connection just stops (ioredis does not reconnect after this). */
  function kill(dying: Node): void {
    dying.redis.disconnect();
  }

  afterEach(async () => {
    const nodes = started.splice(0);
    await Promise.all(nodes.map((n) => n.presence.close()));
    const live = nodes.find((n) => n.redis.status === 'ready');
    if (live) await deleteKeys(live.redis, prefix);
    await quitAll(...nodes.map((n) => n.redis), ...extraClients.splice(0));
    prefix = testPrefix();
  });

  it('shares presence between processes: a user stays online until their last socket anywhere closes', async () => {
    const [a, b] = [await node(), await node()];
    const [alice, bob] = [randomUUID(), randomUUID()];

    expect(await a.presence.connect(alice)).toBe(true);
    expect(await b.presence.connect(alice)).toBe(false);
    expect(await b.presence.connect(bob)).toBe(true);
    expect(await a.presence.online([bob, alice])).toEqual([bob, alice]);

    expect(await a.presence.disconnect(alice)).toBe(false);
    expect(await a.presence.online([alice])).toEqual([alice]);
    expect(await b.presence.disconnect(alice)).toBe(true);
    expect(await a.presence.online([alice, bob])).toEqual([bob]);
  });

  it('answers exactly one true when two processes connect or disconnect a user at the same moment', async () => {
    const [a, b] = [await node(), await node()];
    for (let round = 0; round < 20; round++) {
      const alice = randomUUID();
      const opened = await Promise.all([a.presence.connect(alice), b.presence.connect(alice)]);
      expect(opened.filter(Boolean)).toHaveLength(1);
      const closed = await Promise.all([a.presence.disconnect(alice), b.presence.disconnect(alice)]);
      expect(closed.filter(Boolean)).toHaveLength(1);
    }
  });

  it('announces the users of a process that died within the timeout, and keeps the users it shared', async () => {
    // Room for a loaded machine's late timers within the tenth of the timeout left after a lease.
    const timeoutMs = 2_000;
    const doomed = await node({ timeoutMs });
    const survivor = await node({ timeoutMs, sweepIntervalMs: 50 });
    const [alice, bob] = [randomUUID(), randomUUID()];
    await doomed.presence.connect(alice);
    await doomed.presence.connect(bob);
    await survivor.presence.connect(bob);

    const diedAt = Date.now();
    kill(doomed);
    await survivor.expiryOf([alice]);

    expect(Date.now() - diedAt).toBeLessThan(timeoutMs);
    expect(survivor.expired).toEqual([alice]);
    expect(await survivor.presence.online([alice, bob])).toEqual([bob]);
    // Bob's last socket, on the live process, still says so.
    expect(await survivor.presence.disconnect(bob)).toBe(true);
  });

  it("announces each of a dead process's users once across the processes that survive it", async () => {
    const doomed = await node();
    const [b, c] = [await node({ sweepIntervalMs: 20 }), await node({ sweepIntervalMs: 20 })];
    const held = users(2_500);
    await Promise.all(held.map((user) => doomed.presence.connect(user)));

    const announced = expiryAcross([b, c], held);
    kill(doomed);
    await announced;

    // The only wait that cannot be an event: proving that no second announcement comes.
    await delay(200);
    expect([...b.expired, ...c.expired].sort()).toEqual([...held].sort());
    expect(await b.presence.online(held)).toEqual([]);
    expect(await keysOf(b.redis, prefix)).toEqual([`${prefix}:presence:procs`]);
  });

  it('announces once when processes sweep the same dead process at the same moment', async () => {
    // What a process that died leaves behind: a lease that has ended, and its users.
    const writer = await connectRedis();
    extraClients.push(writer);
    const held = users(300);
    const [seconds] = await writer.time();
    await writer.zadd(`${prefix}:presence:procs`, Number(seconds) * 1000 - 1_000, 'dead');
    await writer.sadd(`${prefix}:presence:proc:dead`, ...held);

    // Each sweeps on start: all find the lease ended, and race to take its users.
    const nodes = await Promise.all([node(), node(), node(), node()]);
    await expiryAcross(nodes, held);

    // The only wait that cannot be an event: proving that no second announcement comes.
    await delay(100);
    expect(nodes.flatMap((n) => n.expired).sort()).toEqual([...held].sort());
  });

  it('does not announce a user who opened a socket elsewhere while the dead were being announced', async () => {
    // Users taken from a dead process and not announced yet, as a sweeper that died mid-way leaves them.
    const writer = await connectRedis();
    extraClients.push(writer);
    const [alice, bob] = [randomUUID(), randomUUID()];
    await writer.sadd(`${prefix}:presence:dying`, alice, bob);

    const live = await node();
    // Sent before its first sweep: alice never stopped being online.
    expect(await live.presence.connect(alice)).toBe(false);
    await live.expiryOf([bob]);
    await eventually(async () => expect(await writer.exists(`${prefix}:presence:dying`)).toBe(0));
    // One more trip on its connection: whatever sweep emptied the set has been answered.
    expect(await live.presence.online([alice, bob])).toEqual([alice]);
    expect(live.expired).toEqual([bob]);
  });

  it('announces the users of a process that died before any live process started', async () => {
    const doomed = await node();
    const [alice] = [randomUUID()];
    await doomed.presence.connect(alice);
    kill(doomed);

    // Came up after the death: it learns of the dead process from the shared registry.
    const survivor = await node({ sweepIntervalMs: 50 });

    await survivor.expiryOf([alice]);
    expect(await survivor.presence.online([alice])).toEqual([]);
  });

  it('keeps the users of a process online while it lives, even with sweepers around', async () => {
    const holder = await node();
    const sweeper = await node({ sweepIntervalMs: 20 });
    const [alice] = [randomUUID()];
    await holder.presence.connect(alice);

    // Waiting is the point: several leases come and go, renewed each time.
    await delay(TIMEOUT_MS * 3);

    expect(await sweeper.presence.online([alice])).toEqual([alice]);
    expect(sweeper.expired).toEqual([]);
    expect(holder.restored).toEqual([]);
  });

  it('asks Redis once for a room of 1,000, and renews a lease of thousands of users in one call', async () => {
    const { presence, redis } = await node({ sweepIntervalMs: 60_000 });
    const held = users(3_000);
    await Promise.all(held.map((user) => presence.connect(user)));
    const room = users(1_000);
    room.splice(0, 400, ...held.slice(0, 400));
    const roomMembers = new Set(room);

    // Loads the script, so that the call below is the one EVALSHA it takes.
    await presence.online(room);
    // Redis' own record of the commands it runs, filtered to this test's keys.
    const monitor = await redis.monitor();
    const seen: string[][] = [];
    let renewals = 0;
    let onRenewal: () => void = () => undefined;
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      // What a script runs is listed too, as from `lua`: only what a client sent costs a trip.
      if (source === 'lua' || !args.some((arg) => arg.startsWith(prefix))) return;
      seen.push(args);
      if (args[0]?.toLowerCase() === 'eval') {
        renewals++;
        onRenewal();
      }
    });

    expect(await presence.online(room)).toEqual(room.slice(0, 400));
    // Two renewals in a row: everything between them is what keeping 3,000 users online costs.
    await new Promise<void>((resolve) => {
      onRenewal = () => renewals >= 2 && resolve();
    });
    // A monitoring connection takes no more commands, QUIT included.
    monitor.disconnect();

    const naming = (args: string[]) => args.filter((arg) => roomMembers.has(arg)).length;
    const asking = seen.filter((args) => naming(args) > 0);
    expect(asking).toHaveLength(1);
    expect(naming(asking[0] ?? [])).toBe(1_000);
    const renewing = seen.filter((args) => args[0]?.toLowerCase() === 'eval');
    for (const args of renewing) expect(args.filter((arg) => held.includes(arg))).toEqual([]);
    expect(seen.length).toBeLessThan(10);
  });

  it('writes its users back at its next write when Redis lost its keys, and says who went or came meanwhile', async () => {
    // A long timeout: no renewal comes in between, so the writes below are the first to notice.
    const a = await node({ timeoutMs: 60_000 });
    const b = await node({ timeoutMs: 60_000 });
    const [alice, bob, carol] = [randomUUID(), randomUUID(), randomUUID()];
    await a.presence.connect(alice);
    await a.presence.connect(bob);

    // As eviction would (maxmemory with allkeys-lru), or a restart b saw but a did not.
    await deleteKeys(b.redis, prefix);

    // Nobody was told alice left Redis' view, so her last socket closing says she went offline.
    expect(await a.presence.disconnect(alice)).toBe(true);
    expect(await a.presence.connect(carol)).toBe(true);
    await eventually(() => expect(a.restored).toEqual([bob]));
    expect(await b.presence.online([alice, bob, carol])).toEqual([bob, carol]);
  });

  it('gives its keys a time to live, and leaves only its registration once its users are gone', async () => {
    const { presence, redis } = await node({ sweepIntervalMs: 60_000 });
    const [alice] = [randomUUID()];
    await presence.connect(alice);

    const keys = await keysOf(redis, prefix);
    expect(keys.filter((key) => !key.startsWith(`${prefix}:presence:proc:`))).toEqual([
      `${prefix}:presence:procs`,
    ]);
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(TIMEOUT_MS + 60_000);
    }

    await presence.disconnect(alice);
    expect(await keysOf(redis, prefix)).toEqual([`${prefix}:presence:procs`]);
  });

  it('stops on close, and leaves the client and its users for the others to expire', async () => {
    const a = await node();
    const b = await node({ sweepIntervalMs: 50 });
    const [alice] = [randomUUID()];
    await a.presence.connect(alice);

    await a.presence.close();

    await expect(a.redis.ping()).resolves.toBe('PONG');
    await expect(a.presence.connect(alice)).rejects.toThrow(/closed/);
    await expect(a.presence.online([alice])).rejects.toThrow(/closed/);
    expect(await b.presence.online([alice])).toEqual([alice]);
    await b.expiryOf([alice]);
    expect(a.expired).toEqual([]);
  });

  it('keeps calling the other listeners when one throws, and reports the error', async () => {
    const errors: unknown[] = [];
    const doomed = await node();
    const survivor = await node({ sweepIntervalMs: 50, onListenerError: (error) => errors.push(error) });
    const failure = new Error('listener failed');
    survivor.presence.onExpire(() => {
      throw failure;
    });
    const heardAfter = new Promise<string[]>((resolve) => survivor.presence.onExpire(resolve));
    const [alice] = [randomUUID()];
    await doomed.presence.connect(alice);

    kill(doomed);

    expect(await heardAfter).toEqual([alice]);
    expect(errors).toEqual([failure]);
  });

  it('refuses a client, timeout or sweep interval that is not usable', async () => {
    const redis = await connectRedis();
    extraClients.push(redis);
    expect(() => new RedisPresenceState({} as RedisPresenceStateOptions)).toThrow(/redis/);
    expect(() => new RedisPresenceState({ redis, timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => new RedisPresenceState({ redis, sweepIntervalMs: Number.NaN })).toThrow(/sweepIntervalMs/);
    expect(() => new RedisPresenceState({ redis, timeoutMs: 2 ** 31 })).toThrow(/at most 2147483647/);
  });
});

/** Resolves once the processes have announced all the users between them. */
function expiryAcross(
  nodes: { presence: RedisPresenceState; expired: string[] }[],
  users: string[],
): Promise<void> {
  const pending = new Set(users);
  for (const node of nodes) for (const user of node.expired) pending.delete(user);
  return new Promise((resolve) => {
    if (pending.size === 0) resolve();
    for (const node of nodes) {
      node.presence.onExpire((expired) => {
        for (const user of expired) pending.delete(user);
        if (pending.size === 0) resolve();
      });
    }
  });
}
