import { describe, expect, it } from 'vitest';
import { keys, oneTo, record } from './support/recorder.js';
import { useWorld } from './support/world.js';

describe('RoomConnection across drops', () => {
  const harness = useWorld();

  /**
   * A room whose recruiter follows it twice: straight to the server (the reference: it never
   * drops) and through a proxy that the test cuts. The client posts, straight to the server.
   */
  async function roomBehindProxy(options: { eventLogSize?: number } = {}) {
    const world = await harness.start(options);
    const [recruiter, client] = [world.user(), world.user()];
    const room = await world.room(recruiter, [client]);
    const proxy = await world.proxy();
    const poster = world.client(client);
    const reference = world.connect(world.client(recruiter), room.uuid);
    const live = world.connect(world.client(recruiter, { baseUrl: proxy.url }), room.uuid);
    const [expected, seen] = [record(reference), record(live)];
    await Promise.all([reference.opened, live.opened]);
    const post = (content: string) => poster.messages.create({ chat_room: room.uuid, content });
    return { world, room, proxy, poster, live, expected, seen, post, recruiter, client };
  }

  it('delivers every event exactly once and in order while the connection is cut and healed', async () => {
    const { proxy, poster, live, expected, seen, post } = await roomBehindProxy();
    // Posts, edits and deletes go on all the while (30 posts at least, and until the rounds are
    // over); the loop below cuts and heals the connection under them.
    let rounds = 0;
    const writing = (async () => {
      for (let i = 0; i < 30 || rounds < 4; i++) {
        const message = await post(`m${i}`);
        if (i % 5 === 1) await poster.messages.update(message.uuid, { content: `m${i}, edited` });
        if (i % 7 === 3) await poster.messages.delete(message.uuid);
      }
    })();

    for (let round = 0; round < 4; round++) {
      // Some events get through first, then the connection drops in the middle of the writes.
      const reached = seen.events.length;
      await seen.until(`events before cut ${round}`, () => seen.events.length > reached);
      proxy.cut();
      await seen.until(`the drop ${round}`, () => seen.statuses.at(-1) === 'reconnecting');
      const during = expected.events.length;
      await expected.until(`events during cut ${round}`, () => expected.events.length > during);
      proxy.heal();
      await seen.until(`the reconnect ${round}`, () => seen.statuses.at(-1) === 'open');
      rounds++;
    }
    await writing;
    const total = expected.events.length;
    await seen.until('every event', () => seen.events.length >= total);

    expect(keys(seen.events)).toEqual(keys(expected.events));
    expect(seen.events.map((event) => event.seq)).toEqual(oneTo(total));
    expect(seen.events).toEqual(expected.events);
    expect(seen.statuses).toEqual([
      'open',
      ...Array.from({ length: 4 }, () => ['reconnecting', 'open']).flat(),
    ]);
    expect(seen.closes.every((close) => close.code === 1006)).toBe(true);
    expect(proxy.forwarded).toBeGreaterThanOrEqual(5);
    expect(live.lastSeq).toBe(total);
  });

  it('notices a connection that went silent without closing, and reconnects to what it missed', async () => {
    const world = await harness.start();
    const [recruiter, client] = [world.user(), world.user()];
    const room = await world.room(recruiter, [client]);
    const proxy = await world.proxy();
    const poster = world.client(client);
    const live = world.connect(world.client(recruiter, { baseUrl: proxy.url }), room.uuid, {
      heartbeat: { intervalMs: 200, timeoutMs: 300 },
    });
    const seen = record(live);
    await live.opened;
    const post = (content: string) => poster.messages.create({ chat_room: room.uuid, content });
    const uuids = () =>
      seen.events.map((event) => (event.type === 'message_created' ? event.message.uuid : null));

    // A quiet but healthy connection: pings go out, pongs come back, nothing is dropped.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(proxy.clientFrames.filter((frame) => frame === '{"type":"ping"}').length).toBeGreaterThanOrEqual(
      2,
    );
    expect(seen.statuses).toEqual(['open']);
    const before = await post('before');
    await seen.until('the first message', () => seen.events.length === 1);

    // The network forgets the connection; neither end's TCP notices.
    proxy.freeze();
    const during = await post('while the connection is silent');
    await seen.until('the message sent meanwhile', () => seen.events.length === 2);

    expect(uuids()).toEqual([before.uuid, during.uuid]);
    expect(seen.statuses).toEqual(['open', 'reconnecting', 'open']);
    expect(seen.closes).toEqual([{ code: 1006, reason: 'No answer from the server.' }]);
  });

  it('keeps retrying with backoff while the server cannot be reached, and catches up once it can', async () => {
    const { proxy, seen, expected, post } = await roomBehindProxy();
    await post('before');
    await seen.until('the first event', () => seen.events.length === 1);

    proxy.cut();
    await seen.until('the drop', () => seen.statuses.at(-1) === 'reconnecting');
    for (let i = 0; i < 3; i++) await post(`while away ${i}`);
    // Several refused attempts (each closes the socket, which wakes `until`): it keeps trying.
    await seen.until('three refused attempts', () => proxy.refused >= 3);
    proxy.heal();
    await seen.until('every event', () => seen.events.length === 4);

    expect(seen.events).toEqual(expected.events);
    expect(seen.closes.length).toBeGreaterThanOrEqual(4);
  });

  it('asks the token function again when the token expires, and misses nothing meanwhile', async () => {
    const world = await harness.start();
    const [recruiter, client] = [world.user(), world.user()];
    const room = await world.room(recruiter, [client]);
    let issued = 0;
    // Tokens that live two seconds: the server closes the socket with 4401 when one expires.
    const live = world.connect(
      world.client(recruiter, {
        token: () => {
          issued++;
          return world.server.token({ sub: recruiter }, 2);
        },
      }),
      room.uuid,
    );
    const seen = record(live);
    await live.opened;
    const poster = world.client(client);
    const post = (content: string) => poster.messages.create({ chat_room: room.uuid, content });

    await post('before expiry');
    await seen.until('the expiry', () => seen.closes.length === 1, 5_000);
    // Posted while the socket is closed for its token: the resumed socket replays it.
    await post('while refreshing');
    await seen.until('the reconnect', () => seen.statuses.at(-1) === 'open');
    await post('after refresh');
    await seen.until('three events', () => seen.events.length === 3);

    expect(seen.closes).toEqual([{ code: 4401, reason: 'Token expired.' }]);
    expect(seen.events.map((event) => event.type === 'message_created' && event.message.content)).toEqual([
      'before expiry',
      'while refreshing',
      'after refresh',
    ]);
    expect(seen.events.map((event) => event.seq)).toEqual([1, 2, 3]);
    expect(seen.statuses).toEqual(['open', 'reconnecting', 'open']);
    expect(issued).toBe(2);
  });

  it('asks the app to resync, with the newest page, when the log no longer reaches back', async () => {
    const { proxy, seen, live, post } = await roomBehindProxy({ eventLogSize: 3 });
    const first = await post('first');
    await seen.until('the first event', () => seen.events.length === 1);

    proxy.cut();
    await seen.until('the drop', () => seen.statuses.at(-1) === 'reconnecting');
    const missed = [];
    for (let i = 0; i < 5; i++) missed.push(await post(`missed ${i}`));
    proxy.heal();
    await seen.until('the resync', () => seen.resyncs.length === 1);
    await seen.until('the reconnect', () => seen.statuses.at(-1) === 'open');
    const after = await post('after');
    await seen.until('the next event', () => seen.events.length === 2);

    expect(seen.resyncs[0]?.page?.messages).toEqual([first, ...missed]);
    expect(seen.resyncs[0]?.page?.next).toBeNull();
    // Missed events are not delivered one by one: the page stands for them.
    expect(seen.events.map((event) => event.type === 'message_created' && event.message.uuid)).toEqual([
      first.uuid,
      after.uuid,
    ]);
    expect(seen.events.map((event) => event.seq)).toEqual([1, 7]);
    expect(live.lastSeq).toBe(7);
  });

  it('resumes from a seq the app kept, delivering everything after it first', async () => {
    const { world, room, post, expected, recruiter } = await roomBehindProxy();
    for (let i = 0; i < 4; i++) await post(`m${i}`);
    await expected.until('four events', () => expected.events.length === 4);

    const resumed = world.connect(world.client(recruiter), room.uuid, { since: 2 });
    const seen = record(resumed);
    await resumed.opened;

    expect(seen.events).toEqual(expected.events.slice(2));
    expect(resumed.lastSeq).toBe(4);
  });
});
