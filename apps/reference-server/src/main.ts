#!/usr/bin/env node
import { ConfigError, loadConfig, type ReferenceServerConfig } from './config.js';
import { configWarnings } from './config-warnings.js';
import { listenFailure } from './listen-address.js';
import { createLogger } from './logging.js';
import { createReferenceServer } from './server.js';

let config: ReferenceServerConfig;
try {
  config = loadConfig(process.env);
} catch (error) {
  // Plain text, not a log line: this is read by a person fixing their environment.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}

const { logger, destination } = createLogger(config.logLevel);
for (const warning of configWarnings(process.env))
  logger.warn({ variable: warning.variable }, warning.message);

/**
 * A shutdown ends within this long, whatever holds it up: in-flight requests get 10 s, closing
 * Redis and the database the rest (systemd's unit waits 20 s before it kills).
 */
const SHUTDOWN_DEADLINE_MS = 15_000;
/** How long the last log lines may take to go out before the process exits without them. */
const LOG_FLUSH_MS = 1_000;

/** Exits once the log's last lines are out, or have had their time. */
async function exit(code: number): Promise<never> {
  await destination.flush(LOG_FLUSH_MS);
  process.exit(code);
}

try {
  const app = await createReferenceServer(config, logger);
  await app.server.start();

  // The port the listener really got: PORT=0 asks the OS for a free one.
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  logger.info(
    { port: app.server.info.port, dataDir: config.dataDir },
    `listening on http://${host}:${app.server.info.port}`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second Ctrl+C means "now": don't wait for in-flight requests any longer.
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Nothing in this process waits on a write, so this timer fires even if a step of the
    // shutdown never finishes.
    setTimeout(() => {
      logger.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'shutdown took too long; exiting');
      void exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    app.close().then(
      () => {
        logger.info('stopped');
        void exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        void exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (error) {
  // A HOST or PORT this machine cannot listen on is a setting to fix: one line, no stack.
  const failure = listenFailure(error, config.host, config.port);
  if (failure !== null) logger.fatal({ host: config.host, port: config.port }, failure);
  else logger.fatal({ err: error }, 'could not start');
  await exit(1);
}
