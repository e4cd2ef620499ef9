import type { RateLimitOptions } from '@hirechat/server-kit';

/**
 * Limits raised out of reach, for suites that send thousands of requests and frames as a handful
 * of users (fuzzing, the matrices): they test what each route answers, not the limits, which
 * test/limits/ tests. Sockets per user keep their default.
 */
export const LOAD_LIMITS: RateLimitOptions = {
  restWrites: { perSecond: 1_000_000, burst: 10_000_000 },
  restReads: { perSecond: 1_000_000, burst: 10_000_000 },
  socketFrames: { points: 10_000_000, seconds: 1 },
};
