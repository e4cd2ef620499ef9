import { redactUrl, WebhookDeliverer } from '@hirechat/server-kit';
import type { ReferenceServerConfig } from '../config.js';
import { DEV_SECRET_FILE, DEV_SECRET_WARNING, readDevSecret } from '../dev-secret.js';
import { createLogger } from '../logging.js';
import { mediaUrlSecret } from '../media-url-secret.js';
import { WebhookCommandError } from './command-error.js';
import { type WebhookConfig, webhookOptions } from './webhook-config.js';
import { openWebhookDatabase } from './webhook-database.js';

/** How long the last log lines may take to go out before the process exits without them. */
const LOG_FLUSH_MS = 1_000;
/** Beyond the attempts in flight (each within WEBHOOK_TIMEOUT_MS), what a stop may take. */
const STOP_MARGIN_MS = 5_000;

/**
 * `npm run webhooks -- deliver`: sends the webhook queue of servers started with
 * WEBHOOK_DELIVER=off, in this process alone, with their configuration (the same environment).
 * Runs until SIGTERM or SIGINT; then lets the attempts in flight finish and records how they went,
 * leaves the rest queued for the next run (of this or any process), and exits 0. Never returns.
 */
export async function deliver(config: ReferenceServerConfig & { webhooks: WebhookConfig }): Promise<never> {
  // Both refuse in one line (WebhookCommandError) before anything is made, or sent.
  const key = await signingKey(config);
  const database = await openWebhookDatabase(config);
  const { logger, destination } = createLogger(config.logLevel);
  const exit = async (code: number): Promise<never> => {
    await destination.flush(LOG_FLUSH_MS);
    process.exit(code);
  };
  try {
    if (key.devSecretFile) logger.warn({ file: key.devSecretFile }, DEV_SECRET_WARNING);
    const deliverer = new WebhookDeliverer({
      queue: database.queue,
      webhooks: webhookOptions(config.webhooks),
      mediaUrlSecret: key.secret,
      mediaUrlTtlSeconds: config.mediaUrlTtlS,
      logger,
    });
    deliverer.start();
    logger.info(
      {
        urls: config.webhooks.urls.map(redactUrl),
        pollIntervalMs: config.webhooks.pollIntervalMs,
      },
      'delivering webhooks',
    );
    await new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals) => {
        logger.info({ signal }, 'shutting down');
        process.on(signal, () => {
          logger.warn({ signal }, 'second signal: exiting without waiting');
          process.exit(1);
        });
        resolve();
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      void exit(1);
    }, config.webhooks.timeoutMs + STOP_MARGIN_MS).unref();
    await deliverer.stop();
    await database.close();
    logger.info('stopped');
    return await exit(0);
  } catch (error) {
    logger.fatal({ err: error }, 'could not deliver webhooks');
    return await exit(1);
  }
}

/**
 * The key the servers sign file URLs with, so that the links inside delivered Messages open:
 * MEDIA_URL_SECRET, or the one derived from JWT_SECRET, or from the development secret the servers
 * made in DATA_DIR (with DATABASE_URL, only a DATA_DIR that was set). Never a development secret of
 * its own: the servers would refuse its URLs (401).
 *
 * @throws WebhookCommandError when none of them is there.
 */
export async function signingKey(
  config: ReferenceServerConfig,
): Promise<{ secret: string | Buffer; devSecretFile: string | null }> {
  if (config.jwt) return { secret: mediaUrlSecret(config, config.jwt).secret, devSecretFile: null };
  if (config.mediaUrlSecret !== null) return { secret: config.mediaUrlSecret, devSecretFile: null };
  // On PostgreSQL the servers' folder is not the default's: `./data` is where a quick start on
  // SQLite leaves a development secret of its own, which would sign links the servers refuse.
  const dev = config.databaseUrl && !config.dataDirGiven ? null : await readDevSecret(config.dataDir);
  if (dev === null) {
    throw new WebhookCommandError(
      "deliver needs the servers' key to sign the file URLs in webhooks: set JWT_SECRET (or " +
        `MEDIA_URL_SECRET) as the servers have it, or DATA_DIR to the folder whose ${DEV_SECRET_FILE} ` +
        `they use (${config.databaseUrl && !config.dataDirGiven ? 'DATA_DIR is not set' : `${config.dataDir} has none`})`,
    );
  }
  return { secret: mediaUrlSecret(config, { secret: dev.secret }).secret, devSecretFile: dev.file };
}
