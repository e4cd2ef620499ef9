import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InProcessTypingState } from '../../src/typing/in-process-typing-state.js';
import { describeTypingState } from './typing-state-suite.js';

describeTypingState('in process', async ({ timeoutMs }) => {
  const typing = new InProcessTypingState({ timeoutMs });
  return { typing, cleanup: () => typing.close() };
});

describe('InProcessTypingState', () => {
  it('refuses a timeout that is not a positive number', () => {
    expect(() => new InProcessTypingState({ timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => new InProcessTypingState({ timeoutMs: Number.NaN })).toThrow(/timeoutMs/);
    // Past setTimeout's largest delay, typing would end 1 ms after it began.
    expect(() => new InProcessTypingState({ timeoutMs: 2 ** 31 })).toThrow(/at most 2147483647/);
  });

  it('keeps calling the other expiry listeners when one throws, and reports the error', async () => {
    const errors: unknown[] = [];
    const typing = new InProcessTypingState({
      timeoutMs: 20,
      onListenerError: (error) => errors.push(error),
    });
    const failure = new Error('listener failed');
    typing.onExpire(() => {
      throw failure;
    });
    const room = randomUUID();
    const expired = new Promise<string[]>((resolve) => typing.onExpire((_room, users) => resolve(users)));

    await typing.set(room, randomUUID(), true);

    expect(await expired).toEqual([]);
    expect(errors).toEqual([failure]);
    await typing.close();
  });

  it('forgets everyone on close, and no expiry fires after it', async () => {
    const typing = new InProcessTypingState({ timeoutMs: 20 });
    const expiries: string[] = [];
    typing.onExpire((room) => expiries.push(room));
    const room = randomUUID();
    await typing.set(room, randomUUID(), true);

    await typing.close();

    expect(await typing.get(room)).toEqual([]);
    // The only wait that cannot be an event: proving that nothing happens takes some time.
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(expiries).toEqual([]);
  });
});
