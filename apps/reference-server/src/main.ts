#!/usr/bin/env node
import { ConfigError, loadConfig, type ReferenceServerConfig } from './config.js';
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

const logger = createLogger(config.logLevel);

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
    app.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (error) {
  logger.fatal({ err: error }, 'could not start');
  process.exit(1);
}
