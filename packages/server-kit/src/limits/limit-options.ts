import type { Redis } from 'ioredis';

/**
 * A rate with room for bursts (contract, "Limits": "10 a second sustained with bursts of 100"):
 * after a quiet spell, `burst` requests at once; over time, `perSecond` on average. Counted in
 * rate-limiter-flexible's fixed windows (see UserRateLimit), so a client that times its requests
 * to the end of one window and the start of the next can get up to twice `burst` through in a
 * moment; the average over time holds all the same.
 */
export interface BurstRate {
  /** Requests a second, on average over time. A whole number, at least 2. */
  perSecond: number;
  /** Requests at once, after a quiet spell. A whole number, more than `perSecond`. */
  burst: number;
}

/** A budget of `points` in every window of `seconds` (fixed windows, starting at first use). */
export interface WindowBudget {
  /** A whole number, at least 1. */
  points: number;
  /** A whole number of seconds, at least 1. */
  seconds: number;
}

/**
 * The limits of the contract's "Limits" section, each per user unless said otherwise. Every
 * default is the contract's ceiling or lower, and far above what a person does by hand.
 */
export interface RateLimitOptions {
  /**
   * Where the counts are kept. Default: in this process. Give a Redis client (normal mode, not a
   * subscriber) so that every process that shares it counts together: a user's limits then hold
   * across all of them. Not closed by the plugin. When Redis fails, REST limits are counted in
   * process until it is back, and sockets are let in uncounted (they are counted again at the
   * next lease renewal); see `socketLeaseSeconds`.
   */
  redis?: Redis;
  /** Redis keys start with `<keyPrefix>:limits:`. Default `'hirechat'`. */
  keyPrefix?: string;
  /** REST writes (POST, PUT, PATCH, DELETE) of one user. Default 10 a second, bursts of 100. */
  restWrites?: BurstRate;
  /** REST reads (GET) of one user. Default 20 a second, bursts of 200. */
  restReads?: BurstRate;
  /** Client frames of one socket. Default 50 per 10 s. */
  socketFrames?: WindowBudget;
  /**
   * A socket that has sent this many times its frame budget within one window (the frames over it
   * each answered `rate_limited` and dropped) is closed with 1008. Default 2: the socket is told
   * `socketFrames.points` times before it is closed.
   */
  closeSocketAtBudgetTimes?: number;
  /** Open sockets of one user, room and inbox sockets together. Default 100. */
  socketsPerUser?: number;
  /**
   * How long a process's count of its open sockets stands without being renewed, in whole
   * seconds: each process renews its users' counts at the start of every lease, so the sockets of
   * a process that died stop counting within one lease. Default 30.
   */
  socketLeaseSeconds?: number;
}

/** The limits with every default filled in. */
export type ResolvedRateLimits = Required<Omit<RateLimitOptions, 'redis'>> & { redis: Redis | null };

/** The defaults (README, "Limits"). */
export const DEFAULT_RATE_LIMITS: Required<Omit<RateLimitOptions, 'redis'>> = {
  keyPrefix: 'hirechat',
  restWrites: { perSecond: 10, burst: 100 },
  restReads: { perSecond: 20, burst: 200 },
  socketFrames: { points: 50, seconds: 10 },
  closeSocketAtBudgetTimes: 2,
  socketsPerUser: 100,
  socketLeaseSeconds: 30,
};

/** Default of the plugin's `maxSocketBacklogBytes`: 4 MiB (README, "Limits"). */
export const DEFAULT_MAX_SOCKET_BACKLOG_BYTES = 4 * 1024 * 1024;

/**
 * Fills in the defaults and checks every value once, at registration.
 *
 * @throws Error naming the first option that is wrong.
 */
export function resolveRateLimits(options: RateLimitOptions): ResolvedRateLimits {
  const merged = { ...DEFAULT_RATE_LIMITS, ...withoutUndefined(options) };
  for (const name of ['restWrites', 'restReads'] as const) {
    const { perSecond, burst } = merged[name];
    if (!isWhole(perSecond, 2) || !isWhole(burst, perSecond + 1)) {
      throw new Error(
        `hirechat: "limits.${name}" must have a whole "perSecond" of at least 2 and a whole "burst" ` +
          `larger than it, got ${JSON.stringify(merged[name])}.`,
      );
    }
  }
  const { points, seconds } = merged.socketFrames;
  if (!isWhole(points, 1) || !isWhole(seconds, 1)) {
    throw new Error(
      `hirechat: "limits.socketFrames" must have whole "points" and "seconds" of at least 1, ` +
        `got ${JSON.stringify(merged.socketFrames)}.`,
    );
  }
  for (const name of ['closeSocketAtBudgetTimes', 'socketsPerUser', 'socketLeaseSeconds'] as const) {
    if (!isWhole(merged[name], 1)) {
      throw new Error(
        `hirechat: "limits.${name}" must be a whole number of at least 1, got ${merged[name]}.`,
      );
    }
  }
  return { ...merged, redis: options.redis ?? null };
}

function isWhole(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
