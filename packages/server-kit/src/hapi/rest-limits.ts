import type { Request, ResponseToolkit, Server } from '@hapi/hapi';
import { ChatError } from '../domain/chat-error.js';
import type { RateLimits } from '../limits/rate-limits.js';
import type { LimitState } from '../limits/user-rate-limit.js';
import type { Logger } from '../ports/logger.js';

/** Headers of a limited answer, which browsers may read too (CORS). */
export const RATE_LIMIT_HEADERS = [
  'Retry-After',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
];

declare module '@hapi/hapi' {
  interface PluginsStates {
    hirechat?: {
      /** Where the caller stands against the limit this request counted against. */
      limit?: LimitState;
    };
  }
}

/**
 * Counts every request of a signed-in user against their REST limit (reads: GET and HEAD; writes:
 * the rest), after authentication and before the body is read: a request over it is answered 429
 * `rate_limited` with `Retry-After`. Every answer to a counted request carries `RateLimit-Limit`,
 * `RateLimit-Remaining` and `RateLimit-Reset` (contract, "Errors, continued"), so that a client
 * can pace itself before it is refused. Requests without a user (the health check, downloads by
 * signed URL, refused tokens) are not counted. Must be applied after the plugin's error responder,
 * so that its headers land on the answer that goes out.
 */
export function applyRestLimits(server: Server, limits: RateLimits, logger: Logger): void {
  server.ext(
    'onPostAuth',
    async (request: Request, h: ResponseToolkit) => {
      const user = request.auth.isAuthenticated ? request.auth.credentials.user : undefined;
      if (!user) return h.continue;
      const reads = request.method === 'get' || request.method === 'head';
      let state: LimitState;
      try {
        state = await (reads ? limits.restReads : limits.restWrites).take(user.id);
      } catch (err) {
        // Only when the store and its in-process insurance both failed: serve uncounted.
        logger.warn({ err }, 'request not counted against its rate limit');
        return h.continue;
      }
      request.plugins.hirechat = { ...request.plugins.hirechat, limit: state };
      if (!state.allowed) throw throttled(state.resetSeconds);
      return h.continue;
    },
    { sandbox: 'plugin' },
  );
  server.ext(
    'onPreResponse',
    (request: Request, h: ResponseToolkit) => {
      const state = request.plugins.hirechat?.limit;
      const response = request.response;
      if (!state || 'isBoom' in response) return h.continue;
      response.header('RateLimit-Limit', String(state.limit));
      response.header('RateLimit-Remaining', String(state.remaining));
      response.header('RateLimit-Reset', String(state.resetSeconds));
      if (!state.allowed) response.header('Retry-After', String(state.resetSeconds));
      return h.continue;
    },
    { sandbox: 'plugin' },
  );
}

/** Django REST Framework's words for a throttled request, which the original's clients know. */
function throttled(seconds: number): ChatError {
  return ChatError.of(
    'rate_limited',
    `Request was throttled. Expected available in ${seconds} second${seconds === 1 ? '' : 's'}.`,
  );
}
