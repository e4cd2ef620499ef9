import type { Writable } from 'node:stream';
import type { Request, Server } from '@hapi/hapi';
import { type Logger, pino } from 'pino';
import type { LogLevel } from './config.js';
import { LogDestination } from './log-destination.js';

/** The reference server's logger, and the destination it writes to. */
export interface ServerLog {
  logger: Logger;
  destination: LogDestination;
}

/**
 * The reference server's logger: JSON lines on stdout, one object per event, written so that a
 * stdout that stalls or breaks never holds up or ends the server (see LogDestination). Writing to
 * stderr cannot end it either.
 */
export function createLogger(level: LogLevel, out: Writable = process.stdout): ServerLog {
  // Node's console writes there (warnings, a config error); an EPIPE there is no reason to stop.
  if (out === process.stdout) process.stderr.on('error', () => undefined);
  let logger: Logger | undefined;
  const destination = new LogDestination(out, {
    onDropped: (lines) => logger?.warn({ lines }, 'log lines dropped while stdout was not read'),
  });
  logger = pino({ level }, destination);
  return { logger, destination };
}

/**
 * Writes one line per HTTP request once its response has gone out: method, path, status, duration
 * and remote address. Deliberately nothing else: access tokens travel in the `Authorization` header
 * and in the WebSocket `?token=` query, so neither headers nor query strings are ever logged.
 * (WebSocket upgrades never reach Hapi's routing; the plugin logs those connections itself.)
 */
export function logRequests(server: Server, logger: Logger): void {
  server.events.on('response', (request: Request) => {
    const { info } = request;
    // `responded` stays 0 when the client went away before the answer; `completed` is still set.
    const end = info.responded || info.completed || Date.now();
    logger.info(
      {
        method: request.method.toUpperCase(),
        // `request.path` is the pathname alone: the query string is not part of it.
        path: request.path,
        // What actually went out on the wire, whichever of response object or Boom produced it.
        status: request.raw.res.statusCode,
        durationMs: end - info.received,
        remoteAddress: info.remoteAddress,
      },
      'request',
    );
  });
}
