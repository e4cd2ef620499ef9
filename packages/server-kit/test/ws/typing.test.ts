import type { ServerEvent } from '@hirechat/protocol';
import { describe, expect, it } from 'vitest';
import { type Chat, useChat } from './fixture.js';
import type { TestSocket } from './socket.js';

/** A typing event's set, in a stable order: the contract promises a set, not an order. */
async function typingSet(socket: TestSocket): Promise<string[]> {
  const event = await socket.next('typing');
  return [...event.typing_users].sort();
}

const set = (...ids: string[]) => [...ids].sort();

/** The users of what must be a typing event, sorted. */
function typingUsersOf(event: ServerEvent): string[] {
  expect(event.type, JSON.stringify(event)).toBe('typing');
  return event.type === 'typing' ? set(...event.typing_users) : [];
}

describe('WebSocket: typing', () => {
  const harness = useChat();

  /** A recruiter, a client and an observer in one room, each with a socket. */
  async function room(chat: Chat) {
    const [alice, bob, carol] = [chat.user(), chat.user(), chat.user()];
    const { uuid } = await chat.room(alice, [bob, carol]);
    const sockets = {
      alice: await chat.connect(alice, uuid),
      bob: await chat.connect(bob, uuid),
      carol: await chat.connect(carol, uuid),
    };
    return { uuid, alice, bob, carol, sockets, all: Object.values(sockets) };
  }

  it('answers typing: true with the typing set, exactly as the seed shows it, on every socket', async () => {
    const chat = await harness.start();
    const { alice, sockets, all } = await room(chat);

    sockets.alice.send({ type: 'typing', typing: true });

    for (const socket of all) {
      expect(await socket.nextAny()).toStrictEqual({ type: 'typing', typing_users: [alice.id] });
    }
  });

  it('keeps a set: two typists are both in it, and each one once', async () => {
    const chat = await harness.start();
    const { alice, bob, sockets, all } = await room(chat);

    sockets.alice.send({ type: 'typing', typing: true });
    for (const socket of all) expect(await typingSet(socket)).toEqual([alice.id]);
    sockets.bob.send({ type: 'typing', typing: true });

    for (const socket of all) expect(await typingSet(socket)).toEqual(set(alice.id, bob.id));
  });

  it('takes a typist out on typing: false', async () => {
    const chat = await harness.start();
    const { bob, sockets, all } = await room(chat);
    sockets.alice.send({ type: 'typing', typing: true });
    for (const socket of all) await typingSet(socket);
    sockets.bob.send({ type: 'typing', typing: true });
    for (const socket of all) await typingSet(socket);

    sockets.alice.send({ type: 'typing', typing: false });

    for (const socket of all) expect(await typingSet(socket)).toEqual([bob.id]);
    sockets.bob.send({ type: 'typing', typing: false });
    for (const socket of all) expect(await typingSet(socket)).toEqual([]);
  });

  it('sends nothing for typing: false from someone who was not typing', async () => {
    const chat = await harness.start();
    const { carol, sockets, all } = await room(chat);

    sockets.carol.send({ type: 'typing', typing: false });
    sockets.carol.send({ type: 'typing', typing: true });

    for (const socket of all)
      expect(await socket.nextAny()).toStrictEqual({ type: 'typing', typing_users: [carol.id] });
  });

  it('takes the sender out when they send a message, after its message_created', async () => {
    const chat = await harness.start();
    const { uuid, alice, bob, sockets, all } = await room(chat);
    sockets.alice.send({ type: 'typing', typing: true });
    for (const socket of all) await typingSet(socket);
    sockets.bob.send({ type: 'typing', typing: true });
    for (const socket of all) await typingSet(socket);

    const message = await chat.post(alice, uuid, 'done typing');

    for (const socket of all) {
      expect(await socket.nextAny()).toStrictEqual({ type: 'message_created', message, seq: 1 });
      expect(await socket.nextAny()).toStrictEqual({ type: 'typing', typing_users: [bob.id] });
    }
  });

  it('takes a typist out when their last socket in the room closes, not while another is open', async () => {
    const chat = await harness.start();
    const { uuid, alice, bob, sockets } = await room(chat);
    const aliceSecond = await chat.connect(alice, uuid);
    sockets.alice.send({ type: 'typing', typing: true });
    for (const socket of [sockets.bob, sockets.carol]) expect(await typingSet(socket)).toEqual([alice.id]);

    await aliceSecond.close();
    // Alice still has a socket, so she is still typing: the next set Carol hears has both of them.
    sockets.bob.send({ type: 'typing', typing: true });
    expect(typingUsersOf(await sockets.carol.nextAny())).toEqual(set(alice.id, bob.id));
    expect(await typingSet(sockets.bob)).toEqual(set(alice.id, bob.id));

    await sockets.alice.close();

    expect(await typingSet(sockets.carol)).toEqual([bob.id]);
    expect(await typingSet(sockets.bob)).toEqual([bob.id]);
  });

  it('takes a typist out after the timeout without a renewal', async () => {
    const chat = await harness.start({ typingTimeoutMs: 300 });
    const { alice, sockets, all } = await room(chat);
    const started = Date.now();

    sockets.alice.send({ type: 'typing', typing: true });
    for (const socket of all) expect(await typingSet(socket)).toEqual([alice.id]);

    for (const socket of all) expect(await typingSet(socket)).toEqual([]);
    // Timers may fire a little early by the wall clock; never by much.
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('sends nothing new when a typist renews typing: true within the timeout', async () => {
    const chat = await harness.start();
    const { alice, sockets, all } = await room(chat);
    sockets.alice.send({ type: 'typing', typing: true });
    for (const socket of all) expect(await typingSet(socket)).toEqual([alice.id]);

    sockets.alice.send({ type: 'typing', typing: true });
    sockets.alice.send({ type: 'typing', typing: true });
    // The marker: Alice's own stop, so that it is handled after her renewals.
    sockets.alice.send({ type: 'typing', typing: false });

    for (const socket of all)
      expect(await socket.nextAny()).toStrictEqual({ type: 'typing', typing_users: [] });
  });

  it('keeps the typing sets of rooms apart', async () => {
    const chat = await harness.start();
    const first = await room(chat);
    const second = await room(chat);

    first.sockets.alice.send({ type: 'typing', typing: true });
    for (const socket of first.all) expect(await typingSet(socket)).toEqual([first.alice.id]);
    second.sockets.bob.send({ type: 'typing', typing: true });

    for (const socket of second.all) {
      expect(await socket.nextAny()).toStrictEqual({ type: 'typing', typing_users: [second.bob.id] });
    }
  });
});
