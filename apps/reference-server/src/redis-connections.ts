import { once } from 'node:events';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/**
 * The client options that the Redis ports are made for: a command that Redis does not answer fails
 * after a second instead of holding a room's writes, and commands lost with a dropped connection are
 * not sent again later, out of order. ioredis' defaults do the rest: it reconnects forever (backing
 * off to one attempt every 2 s) and subscribes the subscriber connection to its channels again.
 */
const CLIENT_OPTIONS: RedisOptions = { commandTimeout: 1_000, autoResendUnfulfilledCommands: false };

/**
 * How long start-up waits for Redis' first answer. Not longer: a server whose Redis is down still
 * serves REST, so it starts anyway and connects in the background (see connectRedis).
 */
const FIRST_CONNECTION_WAIT_MS = 3_000;

/** Log messages of the connections' state, one line per change (tests wait for them too). */
export const REDIS_LOG = {
  ready: 'Redis connection ready',
  down: 'Redis connection down; reconnecting in the background',
  restored: 'Redis connection restored',
  unreachable: 'Redis is unreachable: serving REST without live events or typing until it is back',
} as const;

/** The two connections the Redis ports take: one for commands, one in subscriber mode. */
export interface RedisConnections {
  /** Publishes events and runs the typing scripts. */
  pub: Redis;
  /** Subscribed to the rooms that have sockets in this process; nothing else may use it. */
  sub: Redis;
  /** Whether both were ready when start-up stopped waiting. */
  readyAtStart: boolean;
  /** Quits both: politely when they are connected, at once when they are not. Safe to call twice. */
  quit(): Promise<void>;
}

/**
 * Opens the publisher and subscriber connections to `url` and waits for their first connection
 * attempt, for at most three seconds. Start-up is never held longer than that: with Redis down, the
 * server starts anyway, stores and answers REST writes, refuses sockets (1011, to be retried) and
 * answers 503 on /healthz, while ioredis keeps reconnecting; once Redis is back, events and typing
 * flow again without a restart. Each change of a connection's state is logged once.
 */
export async function connectRedis(url: string, logger: Logger): Promise<RedisConnections> {
  const pub = new Redis(url, CLIENT_OPTIONS);
  const sub = new Redis(url, CLIENT_OPTIONS);
  const watchers = [watchConnection(pub, 'pub', logger), watchConnection(sub, 'sub', logger)];

  const readyAtStart = await firstConnection([pub, sub], FIRST_CONNECTION_WAIT_MS);
  if (!readyAtStart) logger.warn(REDIS_LOG.unreachable);

  let quitting: Promise<void> | undefined;
  return {
    pub,
    sub,
    readyAtStart,
    quit() {
      quitting ??= (async () => {
        for (const watcher of watchers) watcher.stop();
        await Promise.all([quitClient(pub), quitClient(sub)]);
      })();
      return quitting;
    },
  };
}

/** Resolves true once every client is ready; false at the first error or after `timeoutMs`. */
async function firstConnection(clients: Redis[], timeoutMs: number): Promise<boolean> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    // events.once rejects on an 'error' event, here a refused or failed first connection.
    await Promise.all(
      clients.map((client) =>
        client.status === 'ready' ? undefined : once(client, 'ready', { signal: controller.signal }),
      ),
    );
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/**
 * Logs a connection's ups and downs, once per change rather than once per reconnect attempt. Its
 * 'error' listener is also what keeps ioredis from printing every failed attempt to the console.
 */
function watchConnection(client: Redis, name: 'pub' | 'sub', logger: Logger): { stop(): void } {
  let state: 'starting' | 'up' | 'down' = 'starting';
  let everUp = false;
  let stopped = false;
  const down = (error?: Error) => {
    if (stopped || state === 'down') return;
    state = 'down';
    logger.warn({ redis: name, ...(error && { error: error.message }) }, REDIS_LOG.down);
  };
  client.on('ready', () => {
    if (stopped) return;
    logger.info({ redis: name }, everUp ? REDIS_LOG.restored : REDIS_LOG.ready);
    state = 'up';
    everUp = true;
  });
  client.on('error', (error: Error) => down(error));
  client.on('close', () => {
    // A close while starting is the failed first attempt, which 'error' reports.
    if (state === 'up') down();
  });
  return {
    stop() {
      stopped = true;
    },
  };
}

async function quitClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    // QUIT would wait in the offline queue for a connection that may never come.
    client.disconnect();
    return;
  }
  await client.quit().catch(() => client.disconnect());
}
