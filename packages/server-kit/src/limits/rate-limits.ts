import type { Logger } from '../ports/logger.js';
import { FrameBudget } from './frame-budget.js';
import type { ResolvedRateLimits } from './limit-options.js';
import { LimiterStore } from './limiter-store.js';
import { SocketCount } from './socket-count.js';
import { UserRateLimit } from './user-rate-limit.js';

/**
 * Every limit of the contract's "Limits" section, made from one set of options over one store
 * (in process, or Redis): the mounts ask it, REST per request and the gateway per socket and frame.
 */
export class RateLimits {
  /** REST writes (POST, PUT, PATCH, DELETE), per user. */
  readonly restWrites: UserRateLimit;
  /** REST reads (GET, HEAD), per user. */
  readonly restReads: UserRateLimit;
  /** Client frames, per socket. */
  readonly frames: FrameBudget;
  /** Open sockets, per user. */
  readonly sockets: SocketCount;

  constructor(options: ResolvedRateLimits, logger: Logger) {
    const store = new LimiterStore(options.redis, options.keyPrefix);
    this.restWrites = new UserRateLimit(store, 'writes', options.restWrites);
    this.restReads = new UserRateLimit(store, 'reads', options.restReads);
    this.frames = new FrameBudget(store, options.socketFrames, options.closeSocketAtBudgetTimes);
    this.sockets = new SocketCount(store, options.socketsPerUser, options.socketLeaseSeconds, logger);
  }

  /** Stops the background renewal of socket counts. */
  close(): void {
    this.sockets.close();
  }
}
