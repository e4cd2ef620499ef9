/**
 * The longest delay a Node.js timer takes, in ms (2^31 - 1, about 24.8 days): a longer one fires
 * after 1 ms instead, with only a TimeoutOverflowWarning (Node.js, "timers": setTimeout). So a
 * duration option past it would make a deadline or interval fire at once, every time.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Checks an option of the plugin at registration: a whole number from 1 to `max`.
 * @throws Error naming the option and its range (the value is echoed: no option checked here is secret).
 */
export function checkWholeNumberOption(name: string, value: unknown, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > max) {
    throw new Error(`hirechat: "${name}" must be a whole number from 1 to ${max}, got ${String(value)}.`);
  }
}
