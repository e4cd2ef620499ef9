import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import Hapi from '@hapi/hapi';
import {
  type Broadcaster,
  ChatError,
  createPostgresKnex,
  createSqliteKnex,
  errorResponder,
  hirechat,
  JwtIdentity,
  KnexChatStorage,
  LocalFileStore,
  type PresenceState,
  RedisBroadcaster,
  RedisPresenceState,
  RedisTypingState,
  redactUrl,
  type TypingState,
} from '@hirechat/server-kit';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { JwtKey, ReferenceServerConfig } from './config.js';
import { mountDemoWeb } from './demo-web/demo-web-routes.js';
import { DEV_SECRET_WARNING, ensureDevSecret } from './dev-secret.js';
import { mountDevSignIn } from './dev-sign-in/dev-sign-in-routes.js';
import { logRequests } from './logging.js';
import { mediaUrlSecret } from './media-url-secret.js';
import { connectRedis, type RedisConnections } from './redis-connections.js';
import { webhookOptions } from './webhooks/webhook-config.js';

/** SQLite file in DATA_DIR. */
export const DATABASE_FILE = 'hirechat.sqlite';
/** Folder in DATA_DIR that uploads are kept in (Django's MEDIA_ROOT). */
export const MEDIA_FOLDER = 'media';
/** How long a shutdown waits for in-flight requests before cutting them off. */
const STOP_TIMEOUT_MS = 10_000;

export interface ReferenceServer {
  /** Not started yet: call `server.start()`. */
  server: Hapi.Server;
  /**
   * Stops accepting connections, closes sockets with 1001, lets in-flight requests finish (for up
   * to 10 s), then closes the Redis ports, quits their connections and closes the database. Safe
   * to call more than once.
   */
  close(): Promise<void>;
}

/**
 * Builds the reference server from its configuration: Hapi on one port for REST and WebSocket, the
 * hirechat plugin over PostgreSQL (DATABASE_URL) or SQLite in `config.dataDir`, events, typing state
 * and presence in Redis (REDIS_URL) or in process, uploads in `config.dataDir`, and a log line per
 * request.
 * Beside the API: the demo web app at `/` (unless DEMO_WEB=off), and, only while tokens are signed
 * with the development secret, the development sign-in that the app uses (`/dev/`).
 */
export async function createReferenceServer(
  config: ReferenceServerConfig,
  logger: Logger,
): Promise<ReferenceServer> {
  await mkdir(config.dataDir, { recursive: true });
  const jwt = await resolveJwtKey(config, logger);
  const media = mediaUrlSecret(config, jwt);
  logger.info({ key: media.source, ttlSeconds: config.mediaUrlTtlS }, 'signing media URLs');

  const server = Hapi.server({
    port: config.port,
    host: config.host,
    // Hapi's debug output goes straight to the console, bypassing pino; the plugin logs its 5xx
    // errors through the logger instead.
    debug: false,
    // No `routes.cors` here: the plugin answers CORS itself, from `allowedOrigins`.
  });
  logRequests(server, logger);
  // Every path the plugin does not serve is a 404, answered without reading whatever body comes:
  // Hapi's own not-found route would read it first, however slowly it trickles in.
  server.route({
    method: '*',
    path: '/{any*}',
    options: { payload: { parse: false, output: 'stream' } },
    handler: () => {
      throw ChatError.notFound();
    },
  });
  // The plugin shapes errors on its own routes; this gives every other answer (unknown paths, URLs
  // Hapi cannot parse) the same `{"detail": ...}` body, as a server of the contract only.
  server.ext('onPreResponse', errorResponder(logger));

  // Closed in this order on shutdown, after the server has stopped: the ports, then the Redis
  // connections under them, then the database. Steps are added as things are opened, so that a
  // failed start closes exactly what it had opened.
  const closers: Array<() => Promise<void>> = [];
  const closeOpened = () => closeInOrder(closers);
  try {
    const storage = openStorage(config, logger);
    closers.push(() => storage.close());
    const events = config.redisUrl ? await openRedisPorts(config.redisUrl, config, logger) : null;
    if (events) closers.unshift(...events.closers);
    else
      logger.info(
        'events, typing state and presence in process: run one process only (set REDIS_URL for more)',
      );

    await server.register({
      plugin: hirechat,
      options: {
        storage,
        identity: new JwtIdentity({ ...jwt, requireExp: config.jwtRequireExp }),
        files: new LocalFileStore(path.join(config.dataDir, MEDIA_FOLDER)),
        maxUploadBytes: config.maxUploadBytes,
        allowedOrigins: config.allowedOrigins,
        typingTimeoutMs: config.typingTimeoutMs,
        mediaUrlSecret: media.secret,
        mediaUrlTtlSeconds: config.mediaUrlTtlS,
        docs: config.apiDocs,
        ...(config.webhooks && {
          webhooks: webhookOptions(config.webhooks),
          unread: { notifyAfterS: config.unreadNotifyAfterS },
        }),
        // Without these the plugin makes in-process ones, and closes them itself.
        ...(events && {
          broadcaster: events.broadcaster,
          typingState: events.typingState,
          presence: events.presence,
        }),
        // Counted in Redis where events go through it, so that limits hold across processes.
        limits:
          config.rateLimits === null
            ? false
            : { ...config.rateLimits, ...(events && { redis: events.redis }) },
        maxSocketBacklogBytes: config.socketMaxBacklogBytes,
        logger,
      },
    });
    // Only with the development secret: with a configured key, tokens come from the platform alone.
    if (config.jwt === null && 'secret' in jwt) mountDevSignIn(server, jwt.secret, logger);
    if (config.demoWebDir !== null) await mountDemoWeb(server, config.demoWebDir, logger);
  } catch (error) {
    // Start-up failed, so nobody else will ever close what was opened here.
    await closeOpened().catch((closeError: unknown) =>
      logger.warn({ err: closeError }, 'cleanup after a failed start failed'),
    );
    throw error;
  }

  if (config.rateLimits === null) logger.warn('RATE_LIMITS=off: no request, frame or socket is limited');
  else logger.info({ limits: config.rateLimits, shared: config.redisUrl !== null }, 'rate limits');
  if (config.webhooks) {
    logger.info(
      {
        urls: config.webhooks.urls.map(redactUrl),
        unreadNotifyAfterS: config.unreadNotifyAfterS,
        delivery: config.webhooks.deliver ? 'this process' : 'npm run webhooks -- deliver',
      },
      config.webhooks.deliver ? 'sending webhooks' : 'queueing webhooks for npm run webhooks -- deliver',
    );
  }
  if (config.allowedOrigins === '*') {
    logger.warn('ALLOWED_ORIGINS is unset: pages from any origin may call the API and open sockets');
  } else {
    logger.info({ allowedOrigins: config.allowedOrigins }, 'browsers allowed from these origins only');
  }

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      try {
        // The plugin's onPreStop hook closes the sockets with 1001 (going away) before the
        // listener stops; Hapi then waits for in-flight requests up to the timeout.
        await server.stop({ timeout: STOP_TIMEOUT_MS });
      } finally {
        await closeOpened();
      }
    })();
    return closing;
  };

  return { server, close };
}

/** PostgreSQL when DATABASE_URL is set, else the SQLite file in DATA_DIR. Connects lazily. */
function openStorage(config: ReferenceServerConfig, logger: Logger): KnexChatStorage {
  if (config.databaseUrl) {
    logger.info({ database: redactUrl(config.databaseUrl) }, 'data in PostgreSQL');
    // knex writes its warnings (a connection it could not get, with a stack) to stdout with
    // console.log, in among the JSON lines of the log; they go through the log instead.
    const log = {
      warn: (message: unknown) => logger.warn({ knex: message }, 'knex warning'),
      error: (message: unknown) => logger.error({ knex: message }, 'knex error'),
      deprecate: (method: string, alternative: string) =>
        logger.warn({ method, alternative }, 'knex deprecation'),
    };
    return new KnexChatStorage(createPostgresKnex(config.databaseUrl, { log }));
  }
  const file = path.join(config.dataDir, DATABASE_FILE);
  logger.info({ database: file }, 'data in SQLite: run one process only (set DATABASE_URL for more)');
  return new KnexChatStorage(createSqliteKnex(file));
}

interface RedisPorts {
  broadcaster: Broadcaster;
  typingState: TypingState;
  presence: PresenceState;
  /** The command connection, which the limits count on too. */
  redis: Redis;
  /** Close the ports, then quit their connections. */
  closers: Array<() => Promise<void>>;
}

/**
 * The Redis broadcaster, typing state and presence state, over two connections of their own (see
 * connectRedis for what happens when Redis is down at start-up). The ports report through the
 * server's log.
 */
async function openRedisPorts(
  url: string,
  config: ReferenceServerConfig,
  logger: Logger,
): Promise<RedisPorts> {
  logger.info(
    { redis: redactUrl(url), presenceTimeoutMs: config.presenceTimeoutMs },
    'events, typing state and presence in Redis',
  );
  const redis: RedisConnections = await connectRedis(url, logger);
  try {
    return redisPorts(redis, config, logger);
  } catch (error) {
    await redis.quit();
    throw error;
  }
}

function redisPorts(redis: RedisConnections, config: ReferenceServerConfig, logger: Logger): RedisPorts {
  const broadcaster = new RedisBroadcaster({
    pub: redis.pub,
    sub: redis.sub,
    onListenerError: (err, room, event) =>
      logger.error({ err, room, event: event.type }, 'a socket listener threw on a room event'),
    onMalformedMessage: (err, room) =>
      logger.error({ err, room }, 'a room channel carried a non-JSON message'),
  });
  const typingState = new RedisTypingState({
    redis: redis.pub,
    timeoutMs: config.typingTimeoutMs,
    onListenerError: (err, room) => logger.error({ err, room }, 'a typing expiry listener threw'),
    // Retried on the next sweep; a sweep cut short by an outage is expected, not an error.
    onSweepError: (err) => logger.warn({ err }, 'typing sweep failed'),
  });
  // The users of a process that dies are announced offline by the others, within the timeout.
  const presence = new RedisPresenceState({
    redis: redis.pub,
    timeoutMs: config.presenceTimeoutMs,
    onListenerError: (err) => logger.error({ err }, 'a presence listener threw'),
    // Each step is retried on its own (next renewal or sweep, or when Redis is back).
    onBackgroundError: (err) => logger.warn({ err }, 'presence lease renewal or sweep failed'),
  });
  return {
    broadcaster,
    typingState,
    presence,
    redis: redis.pub,
    closers: [
      () => presence.close(),
      () => typingState.close(),
      () => broadcaster.close(),
      () => redis.quit(),
    ],
  };
}

/** Runs every step, in order, even when one fails; rejects with the first failure. Runs once. */
async function closeInOrder(steps: Array<() => Promise<void>>): Promise<void> {
  let failure: unknown;
  for (const step of steps.splice(0)) {
    try {
      await step();
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== undefined) throw failure;
}

/** The configured key, or the development secret of DATA_DIR when none is configured. */
async function resolveJwtKey(config: ReferenceServerConfig, logger: Logger): Promise<JwtKey> {
  if (config.jwt) {
    logger.info(
      { jwt: 'secret' in config.jwt ? 'HS256 (JWT_SECRET)' : 'RS256/ES256 (JWT_PUBLIC_KEY)' },
      'verifying access tokens',
    );
    return config.jwt;
  }
  const dev = await ensureDevSecret(config.dataDir);
  logger.warn({ file: dev.file, created: dev.created }, DEV_SECRET_WARNING);
  return { secret: dev.secret };
}
