import { type ChatRoom, RestPaths } from '@hirechat/protocol';
import { describe, expect, it } from 'vitest';
import { inboxKeys, recordInbox } from './support/inbox-recorder.js';
import { useWorld } from './support/world.js';

describe('LiveInbox across drops', () => {
  const harness = useWorld();

  /**
   * A recruiter whose inbox is open twice: straight to the server (the reference: it never drops)
   * and through a proxy that the test cuts.
   */
  async function inboxBehindProxy() {
    const world = await harness.start();
    const [recruiter, ana, ben] = [world.user(), world.user(), world.user()];
    const chat = world.client(recruiter);
    const rooms = [await world.room(recruiter, [ana]), await world.room(recruiter, [ben])];
    const proxy = await world.proxy();
    const reference = world.inbox(chat);
    const inbox = world.inbox(world.client(recruiter, { baseUrl: proxy.url }));
    const [expected, seen] = [recordInbox(reference), recordInbox(inbox)];
    await Promise.all([reference.opened, inbox.opened]);
    return { world, recruiter, ana, ben, chat, rooms, proxy, reference, inbox, expected, seen };
  }

  it('applies every event exactly once and in order while the connection is cut and healed', async () => {
    const { world, recruiter, ana, ben, chat, rooms, proxy, reference, inbox, expected, seen } =
      await inboxBehindProxy();
    const [withAna, withBen] = rooms as [(typeof rooms)[0], (typeof rooms)[0]];
    const [anas, bens] = [world.client(ana), world.client(ben)];
    const live = world.connect(chat, withAna.uuid);
    await live.opened;

    // Every kind of inbox event, in several rooms, all the while; the loop below cuts and heals
    // the connection under them.
    let rounds = 0;
    const writing = (async () => {
      for (let i = 0; i < 24 || rounds < 4; i++) {
        const [author, room] = i % 2 === 0 ? [anas, withAna] : [bens, withBen];
        const message = await author.messages.create({ chat_room: room.uuid, content: `m${i}` });
        if (i % 4 === 1) await author.messages.update(message.uuid, { content: `m${i}, edited` });
        if (i % 5 === 2) live.markRead(message.uuid);
        if (i % 7 === 3) await author.messages.delete(message.uuid);
        if (i % 8 === 5) {
          const newcomer = world.user();
          await chat.rooms.addClients(withBen.uuid, [newcomer]);
          await chat.rooms.removeClient(withBen.uuid, newcomer);
        }
        if (i % 9 === 6) await world.room(recruiter, [world.user()]);
      }
    })();

    for (let round = 0; round < 4; round++) {
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
    // The server's own count of the user's inbox events: both inboxes must reach it.
    const total = await world.server.storage.inboxSeq(recruiter);
    await expected.until('every event (reference)', () => reference.lastSeq === total);
    await seen.until('every event', () => inbox.lastSeq === total);

    expect(inboxKeys(seen.events)).toEqual(inboxKeys(expected.events));
    expect(seen.events).toEqual(expected.events);
    // Seqs 1 and 2 were the rooms created before the inboxes opened.
    expect(seen.events.map((event) => event.seq)).toEqual(Array.from({ length: total - 2 }, (_, i) => i + 3));
    expect(seen.statuses).toEqual([
      'open',
      ...Array.from({ length: 4 }, () => ['reconnecting', 'open']).flat(),
    ]);
    expect(seen.resyncs).toEqual([]);
    expect(inbox.getSnapshot()).toEqual(reference.getSnapshot());
    // As the server lists them, but for who has read each last message: the inbox carries no
    // receipts of others, so a last message's `read_by` is as its last event had it.
    expect(shown(inbox.getSnapshot())).toEqual(shown(await chat.rooms.list()));
  });

  it('fetches the rooms again on resync_required (a database restored from a backup), and follows on', async () => {
    const { world, recruiter, ana, rooms, proxy, inbox, seen } = await inboxBehindProxy();
    const [withAna] = rooms as [ChatRoom];
    await world.client(ana).messages.create({ chat_room: withAna.uuid, content: 'before' });
    await seen.until('the first message', () => seen.events.length === 1);
    expect(inbox.lastSeq).toBe(3);

    // The server comes back with its database restored from an older backup: the user's inbox
    // log stands before the seq the inbox has (so does one that a long absence outran: the
    // server answers both with resync_required). Same secret, same address.
    proxy.cut();
    await seen.until('the drop', () => seen.statuses.at(-1) === 'reconnecting');
    const restored = await harness.start({ secret: world.server.secret });
    const cleo = restored.user();
    const withCleo = await restored.room(recruiter, [cleo]);
    proxy.retarget(restored.server.url);
    proxy.heal();
    await seen.until('the resync', () => seen.resyncs.length === 1);
    await seen.until('the reconnect', () => seen.statuses.at(-1) === 'open');

    const listed = await restored.client(recruiter).rooms.list();
    expect(listed.map((room) => room.uuid)).toEqual([withCleo.uuid]);
    expect(seen.resyncs[0]?.rooms).toEqual(listed);
    expect(inbox.getSnapshot()).toEqual(listed);
    expect(seen.changes.at(-1)).toBe(inbox.getSnapshot());
    // The restored server's seq from then on: one event, the room.
    expect(inbox.lastSeq).toBe(1);
    expect(seen.events).toHaveLength(1);

    const after = await restored.client(cleo).messages.create({ chat_room: withCleo.uuid, content: 'after' });
    await seen.until('the next event', () => seen.events.length === 2);
    expect(seen.events[1]).toMatchObject({ type: 'message_created', message: { uuid: after.uuid }, seq: 2 });
    expect(inbox.getSnapshot()).toMatchObject([{ last_message: { content: 'after' }, unread_count: 1 }]);
  });

  it('tries again when the room list cannot be fetched, and opens once it can', async () => {
    const world = await harness.start();
    const [recruiter, ana] = [world.user(), world.user()];
    const room = await world.room(recruiter, [ana]);
    let failures = 0;
    // The first two fetches of the room list fail as a network that is down does.
    const flaky: typeof fetch = async (input, init) => {
      if (new URL(String(input)).pathname === RestPaths.listRooms && failures < 2) {
        failures++;
        throw new TypeError('fetch failed');
      }
      return fetch(input, init);
    };
    const inbox = world.inbox(world.client(recruiter, { fetch: flaky }));
    const seen = recordInbox(inbox);

    await inbox.opened;

    expect(failures).toBe(2);
    expect(seen.statuses).toEqual(['open']);
    expect(seen.closes).toEqual([
      { code: 1006, reason: 'What the connection missed could not be fetched.' },
      { code: 1006, reason: 'What the connection missed could not be fetched.' },
    ]);
    expect(inbox.getSnapshot()).toEqual([room]);
    await world.client(ana).messages.create({ chat_room: room.uuid, content: 'hi' });
    await seen.until('the message', () => inbox.room(room.uuid)?.unread_count === 1);
  });
});

/** What a room list shows of each room: everything but the last message's receipts. */
function shown(rooms: readonly ChatRoom[]) {
  return rooms.map(({ last_message, ...room }) => ({
    ...room,
    last_message: last_message && { ...last_message, read_by: [], is_viewed: false },
  }));
}
