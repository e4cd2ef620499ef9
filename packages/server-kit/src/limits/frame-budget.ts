import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { WindowBudget } from './limit-options.js';
import type { LimiterStore } from './limiter-store.js';

/** What becomes of one client frame. */
export type FrameVerdict =
  /** Within the budget: handle it. */
  | 'handle'
  /** Over the budget: drop it and answer `rate_limited`. */
  | 'drop'
  /** Over the budget by `closeAtTimes` times within one window: close the socket with 1008. */
  | 'close';

/**
 * The client frames of each socket (contract, "Limits": 50 per 10 s by default), counted in
 * process: a socket lives in one process, so nothing is gained by sharing its count.
 */
export class FrameBudget {
  private readonly limiter: RateLimiterAbstract;
  private nextSocket = 0;

  constructor(
    store: LimiterStore,
    private readonly budget: WindowBudget,
    private readonly closeAtTimes: number,
  ) {
    this.limiter = store.local({ name: 'frames', points: budget.points, seconds: budget.seconds });
  }

  /** The budget as a client is told it, e.g. "50 frames every 10 s". */
  get description(): string {
    return `${this.budget.points} frames every ${this.budget.seconds} s`;
  }

  /** A counter for one socket's frames. */
  forSocket(): SocketFrames {
    const key = String(this.nextSocket++);
    const { limiter, budget, closeAtTimes } = this;
    return {
      async take(): Promise<FrameVerdict> {
        try {
          await limiter.consume(key);
          return 'handle';
        } catch (refusal) {
          if (!(refusal instanceof RateLimiterRes)) throw refusal;
          // A refused frame is counted too, so the count says how far over the socket has gone.
          return refusal.consumedPoints >= budget.points * closeAtTimes ? 'close' : 'drop';
        }
      },
      forget() {
        void limiter.delete(key);
      },
    };
  }
}

/** One socket's frame count. */
export interface SocketFrames {
  /** Counts a frame and says what becomes of it. Frames are counted in the order they are taken. */
  take(): Promise<FrameVerdict>;
  /** The socket closed: its count goes. */
  forget(): void;
}
