/**
 * Milliseconds (with microseconds) on the machine's monotonic clock. Every process on one machine
 * reads the same clock (CLOCK_MONOTONIC on Linux), so a time stamped by a writer process can be
 * subtracted from a time read by a subscriber process; wall-clock time could step between them.
 */
export function nowMs(): number {
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` every `everyMs` until it answers true or `timeoutMs` has passed. Answers whether
 * it became true, so that every wait in the bench is bounded and the caller decides what a
 * timeout means.
 */
export async function pollUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}
