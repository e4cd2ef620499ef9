import type { Server as HttpServer } from 'node:http';
import type { RequestDeadlines } from './request-deadlines.js';

/**
 * How often Node looks for connections past their header deadline. Its default, 30 s, would let a
 * deadline run up to that much late.
 */
const CHECK_INTERVAL_MS = 1_000;

/**
 * Gives the listener's connections the header and keep-alive deadlines, through Node's own
 * `headersTimeout` and `keepAliveTimeout`. Call before the listener starts listening: Node reads
 * how often to check the deadlines when it does.
 *
 * A request whose headers are late is answered 408 in the contract's JSON by `answerClientErrors`.
 */
export function applyListenerDeadlines(listener: HttpServer, deadlines: RequestDeadlines): void {
  listener.headersTimeout = deadlines.headersMs;
  listener.keepAliveTimeout = deadlines.keepAliveMs;
  // Node wants the whole request's deadline no shorter than the headers'.
  if (listener.requestTimeout > 0 && listener.requestTimeout < deadlines.headersMs) {
    listener.requestTimeout = deadlines.headersMs;
  }
  const checking = listener as HttpServer & { connectionsCheckingInterval: number };
  checking.connectionsCheckingInterval = Math.min(checking.connectionsCheckingInterval, CHECK_INTERVAL_MS);
}
