import { createTimeout } from 'retry';

/** The backoff between attempts of one delivery. */
export interface RetrySchedule {
  /** The first retry waits between this and twice this, in ms. */
  minDelayMs: number;
  /** No wait is longer, in ms. */
  maxDelayMs: number;
}

/**
 * How long to wait after failed attempt `attempt` (from 1) before the next: exponential backoff
 * with jitter, computed by the `retry` package (`createTimeout`): `minDelayMs × 2^(attempt-1)`,
 * times a random factor from 1 to 2 so that deliveries that failed together do not come back
 * together, and never more than `maxDelayMs`.
 */
export function retryDelay(attempt: number, schedule: RetrySchedule): number {
  return createTimeout(Math.max(0, attempt - 1), {
    minTimeout: schedule.minDelayMs,
    maxTimeout: schedule.maxDelayMs,
    factor: 2,
    randomize: true,
  });
}
