import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type BroadcastEvent,
  type Broadcaster,
  inboxTopic,
  type Publication,
  roomTopic,
} from '../../src/ports/broadcaster.js';

export interface BroadcasterFixture {
  broadcaster: Broadcaster;
  cleanup(): Promise<void>;
}

/** A valid room event that tells events apart by the one user it names. */
export function typingEvent(user: string = randomUUID()): BroadcastEvent {
  return { type: 'typing', typing_users: [user] };
}

/** A valid inbox event that tells events apart by its seq. */
export function inboxEvent(seq: number): BroadcastEvent {
  return { type: 'room_removed', room_id: randomUUID(), seq };
}

/**
 * A write's batch as EventPublisher makes it: the room's event, then one inbox event per user.
 * Answers the batch and, per topic, the events it carries.
 */
export function writeBatch(room: string, users: string[], seq: number): Publication[] {
  return [
    { topic: roomTopic(room), event: { type: 'typing', typing_users: [`${seq}`] } },
    ...users.map((user) => ({ topic: inboxTopic(user), event: inboxEvent(seq) }) as Publication),
  ];
}

/** The events of a list of publications that went to one topic, in order. */
export function eventsOf(publications: readonly Publication[], topic: string): BroadcastEvent[] {
  return publications.filter((p) => p.topic === topic).map((p) => p.event);
}

/** Listens to a room and lets a test wait until a number of events has arrived. */
export interface Recorder {
  events: BroadcastEvent[];
  /** Resolves with every event so far once at least `count` have arrived. */
  waitFor(count: number): Promise<BroadcastEvent[]>;
  unsubscribe(): Promise<void>;
}

export async function record(broadcaster: Broadcaster, room: string): Promise<Recorder> {
  const events: BroadcastEvent[] = [];
  const waiters: { count: number; resolve: (events: BroadcastEvent[]) => void }[] = [];
  const unsubscribe = await broadcaster.subscribe(room, (event) => {
    events.push(event);
    for (const waiter of waiters.filter((w) => events.length >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve([...events]);
    }
  });
  return {
    events,
    waitFor(count) {
      if (events.length >= count) return Promise.resolve([...events]);
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    unsubscribe,
  };
}

/**
 * The behaviour every Broadcaster must have, run against each implementation. `create` answers a
 * fresh broadcaster and a cleanup that closes it (and whatever clients it was given).
 */
export function describeBroadcaster(name: string, create: () => Promise<BroadcasterFixture>): void {
  describe(`Broadcaster contract: ${name}`, () => {
    let fixture: BroadcasterFixture;
    let broadcaster: Broadcaster;

    beforeEach(async () => {
      fixture = await create();
      broadcaster = fixture.broadcaster;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    it('answers ping', async () => {
      await expect(broadcaster.ping()).resolves.toBeUndefined();
    });

    it('delivers an event to every subscriber of its room', async () => {
      const room = randomUUID();
      const first = await record(broadcaster, room);
      const second = await record(broadcaster, room);
      const event = typingEvent();

      await broadcaster.publish(room, event);

      expect(await first.waitFor(1)).toEqual([event]);
      expect(await second.waitFor(1)).toEqual([event]);
    });

    it('does not deliver to subscribers of other rooms', async () => {
      const room = randomUUID();
      const otherRoom = randomUUID();
      const inRoom = await record(broadcaster, room);
      const inOtherRoom = await record(broadcaster, otherRoom);
      const marker = typingEvent();

      await broadcaster.publish(room, typingEvent());
      await inRoom.waitFor(1);
      // Published after the first event, so anything misrouted would have arrived before it.
      await broadcaster.publish(otherRoom, marker);

      expect(await inOtherRoom.waitFor(1)).toEqual([marker]);
    });

    it('keeps the order of a burst of events within a room', async () => {
      const room = randomUUID();
      const recorder = await record(broadcaster, room);
      const events = Array.from({ length: 50 }, () => typingEvent());

      await Promise.all(events.map((event) => broadcaster.publish(room, event)));

      expect(await recorder.waitFor(events.length)).toEqual(events);
    });

    it('keeps each room in order when rooms interleave', async () => {
      const rooms = [randomUUID(), randomUUID(), randomUUID()];
      const recorders = await Promise.all(rooms.map((room) => record(broadcaster, room)));
      const sent = rooms.map(() => [] as BroadcastEvent[]);

      const publishing: Promise<void>[] = [];
      for (let i = 0; i < 20; i++) {
        rooms.forEach((room, r) => {
          const event = typingEvent();
          sent[r]?.push(event);
          publishing.push(broadcaster.publish(room, event));
        });
      }
      await Promise.all(publishing);

      for (const [r, recorder] of recorders.entries()) {
        expect(await recorder.waitFor(20)).toEqual(sent[r]);
      }
    });

    it('stops delivering to a listener once it unsubscribes', async () => {
      const room = randomUUID();
      const leaving = await record(broadcaster, room);
      const staying = await record(broadcaster, room);
      const before = typingEvent();
      const after = typingEvent();

      await broadcaster.publish(room, before);
      await leaving.waitFor(1);
      await staying.waitFor(1);
      await leaving.unsubscribe();
      await broadcaster.publish(room, after);

      // Both listeners are fed by the same process, so once the one that stayed has the second
      // event, the one that left would have had it too.
      expect(await staying.waitFor(2)).toEqual([before, after]);
      expect(leaving.events).toEqual([before]);
    });

    it('delivers again to a room whose last listener left and a new one came', async () => {
      const room = randomUUID();
      const first = await record(broadcaster, room);
      await first.unsubscribe();
      const second = await record(broadcaster, room);
      const event = typingEvent();

      await broadcaster.publish(room, event);

      expect(await second.waitFor(1)).toEqual([event]);
      expect(first.events).toEqual([]);
    });

    it('publishes a batch of room and inbox events, each topic in the order given, and answers each fulfilled', async () => {
      const room = randomUUID();
      const users = [randomUUID(), randomUUID(), randomUUID()];
      const topics = [roomTopic(room), ...users.map(inboxTopic)];
      const recorders = await Promise.all(topics.map((topic) => record(broadcaster, topic)));
      const batches = Array.from({ length: 10 }, (_, i) => writeBatch(room, users, i + 1));

      // Started back to back, as a room's writes in a burst: each waits for nothing.
      const outcomes = await Promise.all(batches.map((batch) => broadcaster.publishAll(batch)));

      expect(outcomes.flat()).toEqual(
        Array(batches.flat().length).fill({ status: 'fulfilled', value: undefined }),
      );
      for (const [i, topic] of topics.entries()) {
        const expected = eventsOf(batches.flat(), topic);
        expect(await recorders[i]?.waitFor(expected.length)).toEqual(expected);
      }
    });

    it('keeps a batch in its place among the publishes before and after it', async () => {
      const room = randomUUID();
      const recorder = await record(broadcaster, room);
      const [first, second, third, last] = [typingEvent(), typingEvent(), typingEvent(), typingEvent()];

      await Promise.all([
        broadcaster.publish(room, first),
        broadcaster.publishAll([
          { topic: room, event: second },
          { topic: room, event: third },
        ] as Publication[]),
        broadcaster.publish(room, last),
      ]);

      expect(await recorder.waitFor(4)).toEqual([first, second, third, last]);
    });

    it('answers an empty batch with no outcomes', async () => {
      await expect(broadcaster.publishAll([])).resolves.toEqual([]);
    });

    it('accepts a publish to a room nobody listens to', async () => {
      await expect(broadcaster.publish(randomUUID(), typingEvent())).resolves.toBeUndefined();
    });
  });
}
