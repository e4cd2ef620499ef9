import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';

/** The shared test Redis (CI starts one); override with `HIRECHAT_TEST_REDIS_URL`. */
export const TEST_REDIS_URL = process.env.HIRECHAT_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** The client options the server-kit README recommends for the Redis ports. */
export const RECOMMENDED_OPTIONS: RedisOptions = {
  commandTimeout: 1_000,
  autoResendUnfulfilledCommands: false,
};

/** A key prefix of its own, so that tests never see each other's keys or channels. */
export function testPrefix(): string {
  return `hirechat-test-${randomBytes(6).toString('hex')}`;
}

/** A client with the recommended options, once it is ready. */
export async function connectRedis(url: string = TEST_REDIS_URL, options: RedisOptions = {}): Promise<Redis> {
  const client = new Redis(url, { ...RECOMMENDED_OPTIONS, ...options, lazyConnect: true });
  // A test Redis that is not there should fail the test, not log reconnect errors forever.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw error;
  }
  return client;
}

/** Deletes every key under the prefix. */
export async function deleteKeys(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== '0');
}

/** The keys under the prefix. */
export async function keysOf(client: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found.sort();
}

/** Closes clients politely, or at once when their server is gone. */
export async function quitAll(...clients: Redis[]): Promise<void> {
  await Promise.all(
    clients.map(async (client) => {
      if (client.status === 'end') return;
      if (client.status !== 'ready') {
        client.disconnect();
        return;
      }
      await client.quit().catch(() => client.disconnect());
    }),
  );
}

/** Polls until the check passes (returns without throwing), for at most `timeoutMs`. */
export async function eventually<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  everyMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }
}
