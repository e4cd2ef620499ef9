/** How long `until` waits before failing the test. */
const WAIT_MS = 8_000;

/** Conditions a test waits on, checked again whenever the recorder records something. */
export interface Waiters {
  /** Wraps a list's push so that every item recorded re-checks the waiting conditions. */
  pusher<T>(list: T[]): (item: T) => void;
  /**
   * Resolves once the condition holds: now, or after a later record. Fails after `timeoutMs` with
   * `describe()`, what was recorded, so that a test waits on events rather than on sleeps.
   */
  until(what: string, condition: () => boolean, describe: () => string, timeoutMs?: number): Promise<void>;
}

/** The waiting both recorders share (recorder.ts for room sockets, inbox-recorder.ts for inboxes). */
export function createWaiters(): Waiters {
  const waiters = new Set<() => void>();
  return {
    pusher: (list) => (item) => {
      list.push(item);
      for (const check of [...waiters]) check();
    },
    until(what, condition, describe, timeoutMs = WAIT_MS) {
      if (condition()) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!condition()) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${what} within ${timeoutMs} ms; recorded: ${describe()}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
  };
}
