import { redactUrl, WebhookDeliverer } from '@hirechat/server-kit';
import type { ReferenceServerConfig } from '../config.js';
import { createLogger } from '../logging.js';
import { mediaUrlSecret } from '../media-url-secret.js';
import { resolveJwtKey } from '../server.js';
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
  const { logger, destination } = createLogger(config.logLevel);
  const exit = async (code: number): Promise<never> => {
    await destination.flush(LOG_FLUSH_MS);
    process.exit(code);
  };
  try {
    // File URLs inside Messages are signed as they leave, with the key the servers check.
    const media = mediaUrlSecret(config, await resolveJwtKey(config, logger));
    const database = await openWebhookDatabase(config);
    const deliverer = new WebhookDeliverer({
      queue: database.queue,
      webhooks: webhookOptions(config.webhooks),
      mediaUrlSecret: media.secret,
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
