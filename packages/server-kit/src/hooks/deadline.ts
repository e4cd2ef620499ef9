import { setTimeout as sleep } from 'node:timers/promises';

/** Thrown by withDeadline when the work has not settled in time. */
export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';

  constructor(readonly ms: number) {
    super(`did not finish within ${ms} ms`);
  }
}

/**
 * Settles as `work` does, or rejects with DeadlineExceeded after `ms`. The work itself goes on (a
 * promise cannot be cancelled); its late result is ignored. `work` is called inside, so that a
 * synchronous throw is a rejection too.
 */
export async function withDeadline<T>(ms: number, work: () => T | Promise<T>): Promise<T> {
  const timer = new AbortController();
  try {
    return await Promise.race([
      Promise.resolve().then(work),
      sleep(ms, undefined, { signal: timer.signal }).then(() => {
        throw new DeadlineExceeded(ms);
      }),
    ]);
  } finally {
    timer.abort();
  }
}
