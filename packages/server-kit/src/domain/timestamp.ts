/**
 * Microseconds since the epoch are kept as numbers: exact integers until the year 2255 (2^53 µs).
 * BigInt arithmetic and a Date's `toISOString` per call cost a message more than a microsecond
 * each at the rates a chat server runs (issue 13's profile: 1 % of a message's CPU for its
 * timestamps), so the date and time of day are formatted once per second.
 */
let lastMicros = 0;
/** The whole second (since the epoch) whose `YYYY-MM-DDTHH:MM:SS` is in `secondText`. */
let cachedSecond = Number.NaN;
let secondText = '';

/**
 * Now as Django writes it: ISO 8601 with microseconds and `+00:00`. Strictly increasing within a
 * process, so that messages written in one order also sort in that order by time.
 */
export function nowTimestamp(): string {
  const nowMicros = Date.now() * 1000;
  lastMicros = nowMicros > lastMicros ? nowMicros : lastMicros + 1;
  return formatMicros(lastMicros);
}

/**
 * Formats microseconds since the epoch (a whole number) as `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`.
 *
 * @throws RangeError for a time outside what a Date holds.
 */
export function formatMicros(micros: number): string {
  const second = Math.floor(micros / 1_000_000);
  if (second !== cachedSecond) {
    secondText = new Date(second * 1000).toISOString().slice(0, 19);
    cachedSecond = second;
  }
  const fraction = micros - second * 1_000_000;
  return `${secondText}.${String(fraction).padStart(6, '0')}+00:00`;
}
