import { BurstyRateLimiter, type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { BurstRate } from './limit-options.js';
import type { LimiterStore } from './limiter-store.js';

/** Where a user stands against one limit after a request, for its answer's headers. */
export interface LimitState {
  /** Whether the request may go on. */
  allowed: boolean;
  /** `RateLimit-Limit`: requests at once after a quiet spell (the rate's `burst`). */
  limit: number;
  /** `RateLimit-Remaining`: requests the user may make right now. */
  remaining: number;
  /**
   * `RateLimit-Reset`, whole seconds: refused, until the next request may pass (also
   * `Retry-After`); allowed, until the allowance counted so far is whole again.
   */
  resetSeconds: number;
}

/**
 * One per-user rate with bursts (a REST kind: writes or reads), as rate-limiter-flexible's
 * BurstyRateLimiter: a sustained limiter of half the rate in one-second windows, and a burst
 * limiter, used when the sustained one is spent, whose window refills it at the other half. So
 * that a user at rest may make `burst` requests at once (half a second's worth from the first, the
 * rest from the second) and the average over time is never above `perSecond`:
 * `half + (burst - half) / window <= perSecond`.
 */
export class UserRateLimit {
  private readonly bursty: BurstyRateLimiter;
  private readonly burstLimiter: RateLimiterAbstract;
  private readonly sustainedPoints: number;
  private readonly burstPoints: number;

  constructor(store: LimiterStore, name: string, rate: BurstRate) {
    this.sustainedPoints = Math.floor(rate.perSecond / 2);
    this.burstPoints = rate.burst - this.sustainedPoints;
    const burstSeconds = Math.ceil(this.burstPoints / (rate.perSecond - this.sustainedPoints));
    const sustained = store.limiter({ name, points: this.sustainedPoints, seconds: 1 });
    this.burstLimiter = store.limiter({
      name: `${name}:burst`,
      points: this.burstPoints,
      seconds: burstSeconds,
    });
    this.bursty = new BurstyRateLimiter(sustained, this.burstLimiter);
  }

  /**
   * Counts one request of the user and answers whether it may go on.
   *
   * @throws only what the store throws when its insurance fails too (not for a refusal).
   */
  async take(user: string): Promise<LimitState> {
    const limit = this.sustainedPoints + this.burstPoints;
    // BurstyRateLimiter answers with the sustained limiter's figures alone; what is left of the
    // burst is read beside it (sent before the consume, so it is the count before this request).
    const burstBefore = this.burstLimiter.get(user).catch(() => null);
    try {
      const taken = await this.bursty.consume(user);
      const before = await burstBefore;
      const burstLeft = this.burstPoints - (before?.consumedPoints ?? 0);
      // Past the sustained points, this request came out of the burst.
      const fromBurst = taken.consumedPoints > this.sustainedPoints ? 1 : 0;
      const sustainedLeft = Math.max(this.sustainedPoints - taken.consumedPoints, 0);
      const wholeInMs = Math.max(taken.msBeforeNext, before?.msBeforeNext ?? 0);
      return {
        allowed: true,
        limit,
        remaining: Math.max(sustainedLeft + burstLeft - fromBurst, 0),
        resetSeconds: Math.max(Math.ceil(wholeInMs / 1000), 0),
      };
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      // The sooner of the two windows to end lets requests through again.
      return {
        allowed: false,
        limit,
        remaining: 0,
        resetSeconds: Math.max(Math.ceil(refusal.msBeforeNext / 1000), 1),
      };
    }
  }
}
