import type { Request, Server } from '@hapi/hapi';
import { type Logger, pino } from 'pino';
import type { LogLevel } from './config.js';

/** The reference server's logger: JSON lines on stdout, one object per event. */
export function createLogger(level: LogLevel): Logger {
  return pino({ level });
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
