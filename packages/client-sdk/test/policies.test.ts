import { describe, expect, it } from 'vitest';
import { backoffDelay, closeAction, DEFAULT_RECONNECT } from '../src/index.js';
import { TypingSignal } from '../src/typing-signal.js';

describe('backoffDelay', () => {
  const at = (attempt: number, random: number) => backoffDelay(attempt, {}, () => random);

  it('doubles its ceiling with each attempt, from 500 ms up to 30 s', () => {
    const ceilings = [0, 1, 2, 3, 6, 7, 20, 1_000].map((attempt) => at(attempt, 1));
    expect(ceilings).toEqual([500, 1_000, 2_000, 4_000, 30_000, 30_000, 30_000, 30_000]);
  });

  it('waits at least half its ceiling, and a random part of the other half', () => {
    expect([at(0, 0), at(0, 0.5), at(3, 0), at(9, 0), at(9, 0.25)]).toEqual([
      250, 375, 2_000, 15_000, 18_750,
    ]);
  });

  it('keeps spreading clients once the ceiling is reached', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(12)));
    expect(delays.size).toBeGreaterThan(40);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(DEFAULT_RECONNECT.maxDelayMs / 2);
  });

  it('takes other bounds', () => {
    expect(backoffDelay(2, { baseDelayMs: 20, maxDelayMs: 50 }, () => 1)).toBe(50);
    expect(backoffDelay(1, { baseDelayMs: 20 }, () => 0)).toBe(20);
  });
});

describe('closeAction', () => {
  it('refreshes the token on 4401, stops on 4403 and 4404, and retries on anything else', () => {
    expect(closeAction(4401, 'Token expired.', true)).toEqual({ kind: 'refresh' });
    expect(closeAction(4401, 'Token expired.', false)).toEqual({
      kind: 'stop',
      code: 'not_authenticated',
      detail: 'Token expired.',
    });
    expect(closeAction(4403, '', true)).toEqual({
      kind: 'stop',
      code: 'forbidden',
      detail: 'You are not in this chat room.',
    });
    expect(closeAction(4404, 'No such chat room.', true)).toMatchObject({ kind: 'stop', code: 'not_found' });
    for (const code of [1000, 1001, 1006, 1009, 1011, 4000, 4500]) {
      expect(closeAction(code, '', true), `code ${code}`).toEqual({ kind: 'retry' });
    }
  });
});

describe('TypingSignal', () => {
  /** A signal over a clock the test moves, recording the frames it sends. */
  function signal(options: { open?: () => boolean } = {}) {
    let now = 0;
    const sent: boolean[] = [];
    const typing = new TypingSignal(
      (value) => {
        if (options.open && !options.open()) return false;
        sent.push(value);
        return true;
      },
      { intervalMs: 2_000, idleMs: 60_000 },
      () => now,
    );
    return {
      typing,
      sent,
      advance(ms: number) {
        now += ms;
      },
    };
  }

  it('sends true at once, then at most once every 2 s while typing continues', () => {
    const { typing, sent, advance } = signal();
    for (let ms = 0; ms <= 5_000; ms += 100) {
      typing.set(true);
      advance(100);
    }
    typing.set(false);

    // At 0, 2000 and 4000 ms; then the one false.
    expect(sent).toEqual([true, true, true, false]);
  });

  it('sends false once, and only after a true', () => {
    const { typing, sent } = signal();
    typing.set(false);
    typing.set(true);
    typing.set(false);
    typing.set(false);

    expect(sent).toEqual([true, false]);
  });

  it('tries again on the next call when the socket could not send', () => {
    let open = false;
    const { typing, sent } = signal({ open: () => open });
    typing.set(true);
    open = true;
    typing.set(true);
    typing.set(false);

    expect(sent).toEqual([true, false]);
  });

  it('forgets what it sent on reset, as the server does when the socket goes', () => {
    const { typing, sent } = signal();
    typing.set(true);
    typing.reset();
    typing.set(true);
    typing.set(false);

    expect(sent).toEqual([true, true, false]);
  });
});
