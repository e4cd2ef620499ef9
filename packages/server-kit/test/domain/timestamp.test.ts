import { describe, expect, it } from 'vitest';
import { formatMicros, nowTimestamp } from '../../src/domain/timestamp.js';

/** The format as Django writes it (contract, "timestamp"). */
const DJANGO_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;

describe('timestamps', () => {
  it('formats microseconds as ISO 8601 with six digits and +00:00, across seconds and days', () => {
    expect(formatMicros(1_731_920_656_376_929)).toBe('2024-11-18T09:04:16.376929+00:00');
    expect(formatMicros(1_731_920_656_000_007)).toBe('2024-11-18T09:04:16.000007+00:00');
    expect(formatMicros(1_731_920_656_999_999)).toBe('2024-11-18T09:04:16.999999+00:00');
    // The next second, and a day back, after the one before was formatted.
    expect(formatMicros(1_731_920_657_000_000)).toBe('2024-11-18T09:04:17.000000+00:00');
    expect(formatMicros(1_731_834_256_500_000)).toBe('2024-11-17T09:04:16.500000+00:00');
    expect(formatMicros(0)).toBe('1970-01-01T00:00:00.000000+00:00');
  });

  it('agrees with Date for every millisecond it formats', () => {
    for (let ms = Date.UTC(2026, 11, 31, 23, 59, 58); ms < Date.UTC(2027, 0, 1, 0, 0, 1); ms += 7) {
      const micros = ms * 1000 + (ms % 1000);
      expect(formatMicros(micros)).toBe(
        `${new Date(ms).toISOString().slice(0, 23)}${String(ms % 1000).padStart(3, '0')}+00:00`,
      );
    }
  });

  it('answers now, strictly increasing however many are asked for within a millisecond', () => {
    const before = Date.now();
    const stamps = Array.from({ length: 5_000 }, () => nowTimestamp());

    for (const stamp of stamps) expect(stamp).toMatch(DJANGO_ISO);
    // Strings of one width sort as the times they name.
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]! > stamps[i - 1]!).toBe(true);
    expect(Date.parse(stamps[0]!)).toBeGreaterThanOrEqual(before);
  });
});
