import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisPresenceState } from '../../src/presence/redis-presence-state.js';
import { connectRedis, deleteKeys, quitAll, TEST_REDIS_URL, testPrefix } from '../redis/redis-clients.js';

/** Long enough for a loaded machine to start a process and renew its lease in time. */
const TIMEOUT_MS = 2_000;
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./presence-process.ts', import.meta.url));

type ProcessMessage = { ready?: true; expired?: string[]; restored?: string[] };

/** A real server process holding sockets of `users`, started from source through tsx. */
async function startProcess(prefix: string, users: string[]) {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@hirechat/source',
      '--import',
      'tsx',
      FIXTURE,
      TEST_REDIS_URL,
      prefix,
      String(TIMEOUT_MS),
      ...users,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const messages: ProcessMessage[] = [];
  const waiters: { test: (message: ProcessMessage) => boolean; resolve: () => void }[] = [];
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString('utf8');
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const message = JSON.parse(line) as ProcessMessage;
    messages.push(message);
    for (const waiter of waiters.filter((w) => w.test(message))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  const next = (test: (message: ProcessMessage) => boolean) =>
    new Promise<void>((resolve, reject) => {
      waiters.push({ test, resolve });
      child.once('exit', (code, signal) => reject(new Error(`exited (${code ?? signal}):\n${errors}`)));
    });
  await next((message) => message.ready === true);
  return { child, messages, next };
}

describe('RedisPresenceState across real processes', () => {
  let prefix = testPrefix();
  const children: ChildProcess[] = [];
  const clients: Redis[] = [];
  const states: RedisPresenceState[] = [];

  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }
    }
    await Promise.all(states.splice(0).map((state) => state.close()));
    if (clients[0]) await deleteKeys(clients[0], prefix);
    await quitAll(...clients.splice(0));
    prefix = testPrefix();
  });

  /** A surviving process, here in the test runner, and the users it announces offline. */
  async function survivor() {
    const redis = await connectRedis();
    clients.push(redis);
    const presence = new RedisPresenceState({ redis, prefix, timeoutMs: TIMEOUT_MS, sweepIntervalMs: 50 });
    states.push(presence);
    const expired: string[] = [];
    const expiryOf = (users: string[]) =>
      new Promise<void>((resolve) =>
        presence.onExpire((announced) => {
          expired.push(...announced);
          if (users.every((user) => expired.includes(user))) resolve();
        }),
      );
    return { presence, expired, expiryOf };
  }

  it('announces the users of a SIGKILLed process offline within the timeout, but not those it shared', async () => {
    const [alice, bob] = [randomUUID(), randomUUID()];
    const live = await survivor();
    await live.presence.connect(bob);
    const doomed = await startProcess(prefix, [alice, bob]);
    children.push(doomed.child);
    expect(await live.presence.online([alice, bob])).toEqual([alice, bob]);

    const expiring = live.expiryOf([alice]);
    const killedAt = Date.now();
    doomed.child.kill('SIGKILL');
    await expiring;

    expect(Date.now() - killedAt).toBeLessThan(TIMEOUT_MS);
    expect(live.expired).toEqual([alice]);
    expect(await live.presence.online([alice, bob])).toEqual([bob]);
  });

  it('writes back the users of a process that stalled past the timeout, and announces them once it resumes', async () => {
    const [carol] = [randomUUID()];
    const live = await survivor();
    const stalled = await startProcess(prefix, [carol]);
    children.push(stalled.child);

    const expiring = live.expiryOf([carol]);
    stalled.child.kill('SIGSTOP');
    await expiring;
    expect(await live.presence.online([carol])).toEqual([]);

    const restoring = stalled.next((message) => message.restored?.includes(carol) === true);
    stalled.child.kill('SIGCONT');
    await restoring;

    expect(await live.presence.online([carol])).toEqual([carol]);
    // It announced its own users' return, and nobody else's departure.
    expect(stalled.messages.filter((message) => message.expired)).toEqual([]);
  });
});
