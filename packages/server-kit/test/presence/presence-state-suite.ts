import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { PresenceState } from '../../src/ports/presence-state.js';

export interface PresenceStateFixture {
  presence: PresenceState;
  cleanup(): Promise<void>;
}

/** Short enough to keep the suite quick, long enough for a loaded machine to renew in time. */
const TIMEOUT_MS = 600;

/** Records every listener call, so that a test can say none came. */
function watch(presence: PresenceState) {
  const calls: { expired?: string[]; restored?: string[] }[] = [];
  presence.onExpire((users) => calls.push({ expired: users }));
  presence.onRestore((users) => calls.push({ restored: users }));
  return calls;
}

function users(count: number): string[] {
  return Array.from({ length: count }, () => randomUUID());
}

/**
 * The behaviour every PresenceState must have, run against each implementation. `create` answers
 * a fresh state with the given timeout and a cleanup that closes it.
 */
export function describePresenceState(
  name: string,
  create: (opts: { timeoutMs: number }) => Promise<PresenceStateFixture>,
): void {
  describe(`PresenceState contract: ${name}`, () => {
    const fixtures: PresenceStateFixture[] = [];

    async function start(): Promise<PresenceState> {
      const fixture = await create({ timeoutMs: TIMEOUT_MS });
      fixtures.push(fixture);
      return fixture.presence;
    }

    afterEach(async () => {
      await Promise.all(fixtures.splice(0).map((fixture) => fixture.cleanup()));
    });

    it("answers true for a user's first socket only, and counts them online", async () => {
      const presence = await start();
      const calls = watch(presence);
      const [alice, bob] = [randomUUID(), randomUUID()];

      expect(await presence.connect(alice)).toBe(true);
      expect(await presence.connect(alice)).toBe(false);
      expect(await presence.connect(bob)).toBe(true);
      expect(await presence.online([alice, bob])).toEqual([alice, bob]);
      expect(calls).toEqual([]);
    });

    it("answers true when a user's last socket closes, and not before", async () => {
      const presence = await start();
      const calls = watch(presence);
      const [alice, bob] = [randomUUID(), randomUUID()];
      await presence.connect(alice);
      await presence.connect(alice);
      await presence.connect(bob);

      expect(await presence.disconnect(alice)).toBe(false);
      expect(await presence.online([alice])).toEqual([alice]);
      expect(await presence.disconnect(alice)).toBe(true);
      expect(await presence.online([alice, bob])).toEqual([bob]);
      // A close too many, or of a user who never connected, changes nothing.
      expect(await presence.disconnect(alice)).toBe(false);
      expect(await presence.disconnect(randomUUID())).toBe(false);
      expect(await presence.online([bob])).toEqual([bob]);
      expect(calls).toEqual([]);
    });

    it('answers true again when a user who went offline comes back', async () => {
      const presence = await start();
      const [alice] = [randomUUID()];

      expect(await presence.connect(alice)).toBe(true);
      expect(await presence.disconnect(alice)).toBe(true);
      expect(await presence.connect(alice)).toBe(true);
      expect(await presence.online([alice])).toEqual([alice]);
    });

    it('answers exactly one true among sockets that open or close at the same moment', async () => {
      const presence = await start();
      const [alice] = [randomUUID()];

      const opened = await Promise.all(Array.from({ length: 10 }, () => presence.connect(alice)));
      expect(opened.filter(Boolean)).toHaveLength(1);

      const closed = await Promise.all(Array.from({ length: 10 }, () => presence.disconnect(alice)));
      expect(closed.filter(Boolean)).toHaveLength(1);
      expect(await presence.online([alice])).toEqual([]);
    });

    it('answers the online users among those asked, in the order asked', async () => {
      const presence = await start();
      const [alice, bob, carol, dave] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      await presence.connect(carol);
      await presence.connect(alice);
      await presence.connect(dave);

      expect(await presence.online([dave, bob, alice, carol])).toEqual([dave, alice, carol]);
      expect(await presence.online([bob])).toEqual([]);
      expect(await presence.online([])).toEqual([]);
      expect(await presence.online([alice, alice])).toEqual([alice, alice]);
    });

    it('answers for a room of 1,000 participants', async () => {
      const presence = await start();
      const room = users(1_000);
      const connected = room.filter((_, i) => i % 3 === 0);
      await Promise.all(connected.map((user) => presence.connect(user)));

      expect(await presence.online(room)).toEqual(connected);
    });

    it('keeps a user online past the timeout while their socket stays open', async () => {
      const presence = await start();
      const calls = watch(presence);
      const [alice] = [randomUUID()];
      await presence.connect(alice);

      // Waiting is the point: nothing may expire a socket that is still open.
      await delay(TIMEOUT_MS * 2.5);

      expect(await presence.online([alice])).toEqual([alice]);
      expect(calls).toEqual([]);
      expect(await presence.disconnect(alice)).toBe(true);
    });
  });
}
