import type { Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';

/** What one limiter counts: `points` in each window of `seconds`, under its own name. */
export interface LimiterSpec {
  /** Part of every key, e.g. `writes`; unique within one store. */
  name: string;
  points: number;
  seconds: number;
}

/**
 * Makes rate-limiter-flexible limiters: RateLimiterMemory in this process, or RateLimiterRedis when
 * given a Redis client, so that every process sharing it counts together. The one place that
 * chooses between them.
 */
export class LimiterStore {
  constructor(
    private readonly redis: Redis | null,
    private readonly keyPrefix: string,
  ) {}

  /** Whether counts are shared with other processes. */
  get shared(): boolean {
    return this.redis !== null;
  }

  /**
   * A limiter over this store. Over Redis, a command that fails (Redis down) is counted by an
   * in-process insurance limiter instead, rate-limiter-flexible's own fallback, so that an outage
   * neither lifts the limits nor refuses every request.
   */
  limiter(spec: LimiterSpec): RateLimiterAbstract {
    const options = {
      keyPrefix: `${this.keyPrefix}:limits:${spec.name}`,
      points: spec.points,
      duration: spec.seconds,
    };
    if (!this.redis) return new RateLimiterMemory(options);
    return new RateLimiterRedis({
      ...options,
      storeClient: this.redis,
      // Fail over at once while the connection is down, rather than wait in ioredis' offline queue.
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(options),
    });
  }

  /** A limiter that always counts in this process (what is per socket needs nothing shared). */
  local(spec: LimiterSpec): RateLimiterAbstract {
    return new RateLimiterMemory({ keyPrefix: spec.name, points: spec.points, duration: spec.seconds });
  }
}
