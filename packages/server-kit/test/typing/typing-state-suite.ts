import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { TypingState } from '../../src/ports/typing-state.js';

export interface TypingStateFixture {
  typing: TypingState;
  cleanup(): Promise<void>;
}

/** Short enough to keep the suite quick, long enough to renew within it reliably. */
const TIMEOUT_MS = 150;
/** Timers may fire a little early by the wall clock (rounding), never by more than this. */
const CLOCK_SLACK_MS = 10;

interface Expiry {
  room: string;
  typingUsers: string[];
  at: number;
}

/** Records expiry calls and lets a test wait for the next one of a room. */
function watchExpiries(typing: TypingState) {
  const expiries: Expiry[] = [];
  const waiters: { room: string; resolve: (expiry: Expiry) => void }[] = [];
  typing.onExpire((room, typingUsers) => {
    const expiry = { room, typingUsers, at: Date.now() };
    expiries.push(expiry);
    for (const waiter of waiters.filter((w) => w.room === room)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(expiry);
    }
  });
  return {
    expiries,
    /** The next expiry of the room from now on. */
    next(room: string): Promise<Expiry> {
      return new Promise((resolve) => waiters.push({ room, resolve }));
    },
  };
}

/**
 * The behaviour every TypingState must have, run against each implementation. `create` answers a
 * fresh state with the given timeout and a cleanup that closes it.
 */
export function describeTypingState(
  name: string,
  create: (opts: { timeoutMs: number }) => Promise<TypingStateFixture>,
): void {
  describe(`TypingState contract: ${name}`, () => {
    const fixtures: TypingStateFixture[] = [];

    async function start(): Promise<TypingState> {
      const fixture = await create({ timeoutMs: TIMEOUT_MS });
      fixtures.push(fixture);
      return fixture.typing;
    }

    afterEach(async () => {
      await Promise.all(fixtures.splice(0).map((fixture) => fixture.cleanup()));
    });

    it('answers the new set when someone starts typing, and null when they renew', async () => {
      const typing = await start();
      const room = randomUUID();
      const [alice, bob] = [randomUUID(), randomUUID()];

      expect(await typing.set(room, alice, true)).toEqual([alice]);
      expect(await typing.set(room, alice, true)).toBeNull();
      expect(await typing.set(room, bob, true)).toEqual([alice, bob]);
      expect(await typing.set(room, alice, true)).toBeNull();
      expect(await typing.get(room)).toEqual([alice, bob]);
    });

    it('answers the new set when someone stops, and null when they were not typing', async () => {
      const typing = await start();
      const room = randomUUID();
      const [alice, bob] = [randomUUID(), randomUUID()];
      await typing.set(room, alice, true);
      await typing.set(room, bob, true);

      expect(await typing.set(room, alice, false)).toEqual([bob]);
      expect(await typing.set(room, alice, false)).toBeNull();
      expect(await typing.set(room, randomUUID(), false)).toBeNull();
      expect(await typing.set(room, bob, false)).toEqual([]);
      expect(await typing.get(room)).toEqual([]);
    });

    it('answers an empty set for a room where nobody typed', async () => {
      const typing = await start();
      expect(await typing.get(randomUUID())).toEqual([]);
      expect(await typing.set(randomUUID(), randomUUID(), false)).toBeNull();
    });

    it('keeps rooms apart', async () => {
      const typing = await start();
      const [roomA, roomB] = [randomUUID(), randomUUID()];
      const alice = randomUUID();

      expect(await typing.set(roomA, alice, true)).toEqual([alice]);
      expect(await typing.set(roomB, alice, true)).toEqual([alice]);
      expect(await typing.set(roomA, alice, false)).toEqual([]);
      expect(await typing.get(roomB)).toEqual([alice]);
    });

    it('lets a typist expire and tells every listener the set that remains', async () => {
      const typing = await start();
      const first = watchExpiries(typing);
      const second = watchExpiries(typing);
      const room = randomUUID();
      const alice = randomUUID();
      const startedAt = Date.now();
      await typing.set(room, alice, true);

      const [expiry, alsoSeen] = await Promise.all([first.next(room), second.next(room)]);

      expect(expiry.typingUsers).toEqual([]);
      expect(alsoSeen.typingUsers).toEqual([]);
      expect(expiry.at - startedAt).toBeGreaterThanOrEqual(TIMEOUT_MS - CLOCK_SLACK_MS);
      expect(await typing.get(room)).toEqual([]);
    });

    it('answers the new set when an expired typist starts again', async () => {
      const typing = await start();
      const watcher = watchExpiries(typing);
      const room = randomUUID();
      const alice = randomUUID();
      await typing.set(room, alice, true);
      await watcher.next(room);

      expect(await typing.set(room, alice, true)).toEqual([alice]);
    });

    it('postpones expiry on renewal, and reports the typists who remain', async () => {
      const typing = await start();
      const watcher = watchExpiries(typing);
      const room = randomUUID();
      const [alice, bob] = [randomUUID(), randomUUID()];
      await typing.set(room, alice, true);
      await typing.set(room, bob, true);

      // Bob keeps typing; Alice renews once, partway through her timeout, then stops renewing.
      const renewBob = setInterval(() => void typing.set(room, bob, true), TIMEOUT_MS / 3);
      try {
        const expiring = watcher.next(room);
        // Waiting is the point here; a third of the timeout leaves a wide margin on a slow machine.
        await delay(TIMEOUT_MS / 3);
        const renewedAt = Date.now();
        expect(await typing.set(room, alice, true)).toBeNull();

        const expiry = await expiring;

        expect(expiry.at - renewedAt).toBeGreaterThanOrEqual(TIMEOUT_MS - CLOCK_SLACK_MS);
        expect(expiry.typingUsers).toEqual([bob]);
        expect(await typing.get(room)).toEqual([bob]);
      } finally {
        clearInterval(renewBob);
      }
    });

    it('does not expire a typist who stopped', async () => {
      const typing = await start();
      const watcher = watchExpiries(typing);
      const [stoppedRoom, typingRoom] = [randomUUID(), randomUUID()];
      const stopper = randomUUID();
      await typing.set(stoppedRoom, stopper, true);
      await typing.set(stoppedRoom, stopper, false);
      await typing.set(typingRoom, randomUUID(), true);

      // The typist of the other room started later, so had the stopper's timeout survived, it
      // would have expired first.
      await watcher.next(typingRoom);

      expect(watcher.expiries.map((e) => e.room)).toEqual([typingRoom]);
    });
  });
}
