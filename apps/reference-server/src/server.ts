import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import Hapi from '@hapi/hapi';
import {
  createSqliteKnex,
  errorResponder,
  hirechat,
  JwtIdentity,
  KnexChatStorage,
  LocalFileStore,
} from '@hirechat/server-kit';
import type { Logger } from 'pino';
import type { JwtKey, ReferenceServerConfig } from './config.js';
import { DEV_SECRET_WARNING, ensureDevSecret } from './dev-secret.js';
import { logRequests } from './logging.js';

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
   * to 10 s) and then closes the database. Safe to call more than once.
   */
  close(): Promise<void>;
}

/**
 * Builds the reference server from its configuration: Hapi on one port for REST and WebSocket, the
 * hirechat plugin over SQLite and local files in `config.dataDir`, and a log line per request.
 */
export async function createReferenceServer(
  config: ReferenceServerConfig,
  logger: Logger,
): Promise<ReferenceServer> {
  await mkdir(config.dataDir, { recursive: true });
  const jwt = await resolveJwtKey(config, logger);

  const server = Hapi.server({
    port: config.port,
    host: config.host,
    // Hapi's debug output goes straight to the console, bypassing pino; the plugin logs its 5xx
    // errors through the logger instead.
    debug: false,
    // No `routes.cors` here: the plugin answers CORS itself, from `allowedOrigins`.
  });
  logRequests(server, logger);
  // The plugin shapes errors on its own routes; this gives every other answer (unknown paths, URLs
  // Hapi cannot parse) the same `{"detail": ...}` body, as a server of the contract only.
  server.ext('onPreResponse', errorResponder(logger));

  const storage = new KnexChatStorage(createSqliteKnex(path.join(config.dataDir, DATABASE_FILE)));
  try {
    await server.register({
      plugin: hirechat,
      options: {
        storage,
        identity: new JwtIdentity(jwt),
        files: new LocalFileStore(path.join(config.dataDir, MEDIA_FOLDER)),
        maxUploadBytes: config.maxUploadBytes,
        allowedOrigins: config.allowedOrigins,
        typingTimeoutMs: config.typingTimeoutMs,
        logger,
      },
    });
  } catch (error) {
    // Registration failed, so nobody else will ever close the database we just opened.
    await storage.close();
    throw error;
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
        await storage.close();
      }
    })();
    return closing;
  };

  return { server, close };
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
