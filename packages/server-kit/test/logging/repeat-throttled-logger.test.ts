import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RepeatThrottledLogger } from '../../src/logging/repeat-throttled-logger.js';
import type { Logger } from '../../src/ports/logger.js';

/** A logger that keeps every line it is given. */
function recording(): Logger & { lines: { level: string; fields: object; message?: string }[] } {
  const lines: { level: string; fields: object; message?: string }[] = [];
  const keep = (level: string) => (fields: object, message?: string) => {
    lines.push({ level, fields, ...(message === undefined ? {} : { message }) });
  };
  return { lines, info: keep('info'), warn: keep('warn'), error: keep('error') };
}

describe('RepeatThrottledLogger', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes an error once, counts its repeats for the window, then writes how many came', () => {
    const inner = recording();
    const logger = new RepeatThrottledLogger(inner, 1_000);
    const outage = new Error('Connection is closed.');

    for (let i = 0; i < 500; i++) logger.error({ err: outage, room: `room ${i}` }, 'event not broadcast');
    expect(inner.lines).toEqual([
      { level: 'error', fields: { err: outage, room: 'room 0' }, message: 'event not broadcast' },
    ]);

    vi.advanceTimersByTime(1_000);
    expect(inner.lines).toHaveLength(2);
    expect(inner.lines[1]).toEqual({
      level: 'error',
      fields: { err: outage, room: 'room 499', repeated: 499 },
      message: 'event not broadcast',
    });

    // A new window: the next one is written at once again.
    logger.error({ err: outage, room: 'later' }, 'event not broadcast');
    expect(inner.lines).toHaveLength(3);
    vi.advanceTimersByTime(1_000);
    expect(inner.lines).toHaveLength(3); // nothing repeated, so no summary
  });

  it('tells failures apart by level, message and error, and lets info through', () => {
    const inner = recording();
    const logger = new RepeatThrottledLogger(inner, 1_000);

    for (let i = 0; i < 3; i++) {
      logger.error({ err: new Error('Connection is closed.') }, 'request failed');
      logger.error({ err: new TypeError('x is undefined') }, 'request failed');
      logger.warn({ err: new Error('Connection is closed.') }, 'request failed');
      logger.error({}, 'typing not ended after send');
      logger.info({ path: '/chats/' }, 'request');
    }

    expect(inner.lines.map((line) => `${line.level} ${line.message}`)).toEqual([
      'error request failed',
      'error request failed',
      'warn request failed',
      'error typing not ended after send',
      'info request',
      'info request',
      'info request',
    ]);
    expect(inner.lines[1]!.fields).toMatchObject({ err: { message: 'x is undefined' } });
  });
});
