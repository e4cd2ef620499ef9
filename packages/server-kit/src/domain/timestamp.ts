let lastMicros = 0n;

/**
 * Now as Django writes it: ISO 8601 with microseconds and `+00:00`. Strictly increasing within a
 * process, so that messages written in one order also sort in that order by time.
 */
export function nowTimestamp(): string {
  const nowMicros = BigInt(Date.now()) * 1000n;
  lastMicros = nowMicros > lastMicros ? nowMicros : lastMicros + 1n;
  return formatMicros(lastMicros);
}

/** Formats microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`. */
export function formatMicros(micros: bigint): string {
  const millis = Number(micros / 1000n);
  const fraction = (micros % 1_000_000n).toString().padStart(6, '0');
  return `${new Date(millis).toISOString().slice(0, 19)}.${fraction}+00:00`;
}
