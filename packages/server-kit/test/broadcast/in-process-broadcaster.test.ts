import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InProcessBroadcaster } from '../../src/broadcast/in-process-broadcaster.js';
import type { BroadcastEvent } from '../../src/ports/broadcaster.js';
import { describeBroadcaster, record, typingEvent } from './broadcaster-suite.js';

describeBroadcaster('in process', async () => {
  const broadcaster = new InProcessBroadcaster();
  return { broadcaster, cleanup: () => broadcaster.close() };
});

describe('InProcessBroadcaster', () => {
  it('delivers before publish resolves', async () => {
    const broadcaster = new InProcessBroadcaster();
    const room = randomUUID();
    const received: BroadcastEvent[] = [];
    await broadcaster.subscribe(room, (event) => received.push(event));
    const event = typingEvent();

    const publishing = broadcaster.publish(room, event);

    expect(received).toEqual([event]);
    await publishing;
  });

  it('keeps delivering to the others when a listener throws, and reports the error', async () => {
    const errors: { error: unknown; room: string; event: BroadcastEvent }[] = [];
    const broadcaster = new InProcessBroadcaster({
      onListenerError: (error, room, event) => errors.push({ error, room, event }),
    });
    const room = randomUUID();
    const before = await record(broadcaster, room);
    const failure = new Error('listener failed');
    await broadcaster.subscribe(room, () => {
      throw failure;
    });
    const after = await record(broadcaster, room);
    const event = typingEvent();

    await broadcaster.publish(room, event);

    expect(before.events).toEqual([event]);
    expect(after.events).toEqual([event]);
    expect(errors).toEqual([{ error: failure, room, event }]);
  });

  it('treats the same listener subscribed twice as two subscriptions', async () => {
    const broadcaster = new InProcessBroadcaster();
    const room = randomUUID();
    const received: BroadcastEvent[] = [];
    const listener = (event: BroadcastEvent) => received.push(event);
    const unsubscribeFirst = await broadcaster.subscribe(room, listener);
    await broadcaster.subscribe(room, listener);
    await unsubscribeFirst();
    await unsubscribeFirst(); // a second call must not take the other subscription with it
    const event = typingEvent();

    await broadcaster.publish(room, event);

    expect(received).toEqual([event]);
  });

  it('sends an event only to the listeners that were there when it was published', async () => {
    const broadcaster = new InProcessBroadcaster();
    const room = randomUUID();
    const late: BroadcastEvent[] = [];
    let unsubscribeSecond: (() => Promise<void>) | undefined;
    const second: BroadcastEvent[] = [];
    await broadcaster.subscribe(room, () => {
      void broadcaster.subscribe(room, (event) => late.push(event));
      void unsubscribeSecond?.();
    });
    unsubscribeSecond = await broadcaster.subscribe(room, (event) => second.push(event));
    const event = typingEvent();

    await broadcaster.publish(room, event);

    expect(second).toEqual([event]);
    expect(late).toEqual([]);
  });

  it('forgets a room once its last listener leaves', async () => {
    const broadcaster = new InProcessBroadcaster();
    const room = randomUUID();
    const unsubscribe = await broadcaster.subscribe(room, () => {});
    const rooms = (broadcaster as unknown as { topics: Map<string, unknown> }).topics;
    expect(rooms.has(room)).toBe(true);

    await unsubscribe();

    expect(rooms.has(room)).toBe(false);
  });

  it('drops every listener on close', async () => {
    const broadcaster = new InProcessBroadcaster();
    const room = randomUUID();
    const received: BroadcastEvent[] = [];
    await broadcaster.subscribe(room, (event) => received.push(event));

    await broadcaster.close();
    await broadcaster.publish(room, typingEvent());

    expect(received).toEqual([]);
  });
});
