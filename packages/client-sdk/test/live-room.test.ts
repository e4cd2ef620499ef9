import type { ErrorCode, Message, ServerEventMap } from '@hirechat/protocol';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  ChatClient,
  type ConnectionStatus,
  type ResyncEvent,
  type RoomConnection,
  RoomConnectionError,
  type RoomConnectionEvents,
} from '../src/index.js';
import { keys, record } from './support/recorder.js';
import { useWorld } from './support/world.js';

describe('RoomConnection', () => {
  const harness = useWorld();

  async function liveRoom() {
    const world = await harness.start();
    const [recruiter, client] = [world.user(), world.user()];
    const room = await world.room(recruiter, [client]);
    const chat = world.client(recruiter);
    const clientChat = world.client(client);
    const live = world.connect(chat, room.uuid);
    const clientLive = world.connect(clientChat, room.uuid);
    const [seen, clientSeen] = [record(live), record(clientLive)];
    await Promise.all([live.opened, clientLive.opened]);
    return { world, recruiter, client, room, chat, clientChat, live, clientLive, seen, clientSeen };
  }

  it('opens, delivers every kind of room event with its seq, and closes', async () => {
    const { room, chat, live, clientLive, seen, client } = await liveRoom();
    expect(live.status).toBe('open');
    expect(seen.statuses).toEqual(['open']);

    const message = await chat.messages.create({ chat_room: room.uuid, content: 'hi' });
    await seen.until('message_created', () => seen.events.length === 1);
    clientLive.markRead(message.uuid);
    await seen.until('message_read', () => seen.events.length === 2);
    const edited = await chat.messages.update(message.uuid, { content: 'hi, edited' });
    await chat.messages.delete(message.uuid);
    await seen.until('the edit and the delete', () => seen.events.length === 4);

    expect(seen.events).toEqual([
      { type: 'message_created', message, seq: 1 },
      { type: 'message_read', message_id: message.uuid, user_id: client, seq: 2 },
      { type: 'message_updated', message: { ...edited, is_viewed: true, read_by: [client] }, seq: 3 },
      { type: 'message_deleted', message: { ...edited, is_viewed: true, read_by: [client] }, seq: 4 },
    ]);
    expect(live.lastSeq).toBe(4);

    live.close();
    expect(live.status).toBe('closed');
    expect(seen.statuses).toEqual(['open', 'closed']);
  });

  it('types each event by its name', async () => {
    const { live } = await liveRoom();

    live.on('message_created', (event) => {
      expectTypeOf(event).toEqualTypeOf<ServerEventMap['message_created']>();
      expectTypeOf(event.message).toEqualTypeOf<Message>();
      expectTypeOf(event.seq).toEqualTypeOf<number>();
    });
    live.on('message_deleted', (event) => expectTypeOf(event.message).toEqualTypeOf<Message>());
    live.on('message_read', (event) => {
      expectTypeOf(event).toEqualTypeOf<{
        type: 'message_read';
        message_id: string;
        user_id: string;
        seq: number;
      }>();
    });
    live.on('typing', (event) => expectTypeOf(event.typing_users).toEqualTypeOf<string[]>());
    live.on('error', (event) => expectTypeOf(event.code).toEqualTypeOf<ErrorCode>());
    live.on('status', (status) => {
      expectTypeOf(status).toEqualTypeOf<'connecting' | 'open' | 'reconnecting' | 'closed'>();
    });
    live.on('resync', (event) => expectTypeOf(event).toEqualTypeOf<ResyncEvent>());
    expectTypeOf(live.on('close', () => {})).toEqualTypeOf<() => void>();
    expectTypeOf<Parameters<RoomConnection['on']>[0]>().toEqualTypeOf<keyof RoomConnectionEvents>();
    expectTypeOf(live.status).toEqualTypeOf<ConnectionStatus>();
    expectTypeOf(live.opened).toEqualTypeOf<Promise<void>>();
    // @ts-expect-error: no such event
    live.on('message_sent', () => {});
    // @ts-expect-error: a typing event has no message
    live.on('typing', (event) => event.message);
  });

  it('stops delivering to a handler once unsubscribed', async () => {
    const { room, chat, live, seen } = await liveRoom();
    const heard: number[] = [];
    const off = live.on('message_created', (event) => heard.push(event.seq));

    await chat.messages.create({ chat_room: room.uuid, content: 'one' });
    await seen.until('one', () => seen.events.length === 1);
    off();
    await chat.messages.create({ chat_room: room.uuid, content: 'two' });
    await seen.until('two', () => seen.events.length === 2);

    expect(heard).toEqual([1]);
  });

  it('sends one typing frame for a burst of keystrokes, and typing false after idle', async () => {
    const world = await harness.start();
    const [recruiter, client] = [world.user(), world.user()];
    const room = await world.room(recruiter, [client]);
    const proxy = await world.proxy();
    const typist = world.connect(world.client(client, { baseUrl: proxy.url }), room.uuid, {
      typing: { idleMs: 150 },
    });
    const watcher = world.connect(world.client(recruiter), room.uuid);
    const seen = record(watcher);
    await Promise.all([typist.opened, watcher.opened]);

    for (let i = 0; i < 20; i++) typist.typing(true);
    await seen.until('the typist', () => seen.typing.length === 1);
    await seen.until('the typist to stop by itself', () => seen.typing.length === 2);

    expect(seen.typing).toEqual([[client], []]);
    expect(proxy.clientFrames.map((frame) => JSON.parse(frame))).toEqual([
      { type: 'typing', typing: true },
      { type: 'typing', typing: false },
    ]);
  });

  it('says typing false at once on typing(false), and nothing when it never said true', async () => {
    const { live, clientLive, seen, client } = await liveRoom();
    clientLive.typing(false);
    clientLive.typing(true);
    await seen.until('the typist', () => seen.typing.length === 1);
    clientLive.typing(false);
    await seen.until('the typist to stop', () => seen.typing.length === 2);
    live.typing(false);

    expect(seen.typing).toEqual([[client], []]);
  });

  it('sends read receipts, and keeps one asked for while connecting until it is open', async () => {
    const { world, room, chat, clientChat, seen, client } = await liveRoom();
    const message = await chat.messages.create({ chat_room: room.uuid, content: 'read me' });
    const early = world.connect(clientChat, room.uuid);

    early.markRead(message.uuid);
    expect(early.status).toBe('connecting');

    await seen.until('the read', () => seen.events.some((event) => event.type === 'message_read'));
    expect(keys(seen.events).at(-1)).toBe(`2 message_read ${message.uuid}<-${client}`);
    expect(await chat.messages.get(message.uuid)).toMatchObject({ is_viewed: true, read_by: [client] });
  });

  it('passes the server’s error events on, and stays open', async () => {
    const { live, seen, world } = await liveRoom();

    live.markRead(world.user());
    await seen.until('an error', () => seen.errors.length === 1);

    expect(seen.errors).toEqual([
      { type: 'error', code: 'not_found', detail: 'No such message in this room.' },
    ]);
    expect(live.status).toBe('open');
  });

  it('rejects opened when closed before it opened, and never connects again', async () => {
    const world = await harness.start();
    const [recruiter, client] = [world.user(), world.user()];
    const room = await world.room(recruiter, [client]);
    const proxy = await world.proxy();
    const live = world.connect(world.client(recruiter, { baseUrl: proxy.url }), room.uuid);

    live.close();

    await expect(live.opened).rejects.toEqual(
      new RoomConnectionError('closed', 'The connection was closed.'),
    );
    expect(live.status).toBe('closed');
    // Another connection's whole round trip: time enough for a retry that should not happen.
    const other = world.connect(world.client(client, { baseUrl: proxy.url }), room.uuid);
    await other.opened;
    expect(proxy.forwarded).toBe(1);
  });

  describe('refusals that retrying cannot cure', () => {
    /** A connection to the room through a proxy that counts attempts, with backoff of 1 ms. */
    async function refused(options: { outsider?: boolean; noRoom?: boolean; token?: string }) {
      const world = await harness.start();
      const [recruiter, client] = [world.user(), world.user()];
      const room = await world.room(recruiter, [client]);
      const proxy = await world.proxy();
      let asked = 0;
      const user = options.outsider ? world.user() : client;
      const chat = new ChatClient({
        baseUrl: proxy.url,
        token:
          options.token ??
          (() => {
            asked++;
            return world.server.token({ sub: user });
          }),
        reconnect: { baseDelayMs: 1, maxDelayMs: 1 },
      });
      const live = world.connect(chat, options.noRoom ? world.user() : room.uuid);
      const seen = record(live);
      const error = await live.opened.then(
        () => null,
        (e: unknown) => e,
      );
      // A whole round trip of another connection: with 1 ms backoff, a retry storm would show.
      const other = world.connect(world.client(recruiter, { baseUrl: proxy.url }), room.uuid);
      await other.opened;
      return { live, seen, error, attempts: proxy.forwarded - 1, asked };
    }

    it('stops on 4403 with status closed and a forbidden error, after one attempt', async () => {
      const { live, seen, error, attempts, asked } = await refused({ outsider: true });

      expect(error).toEqual(new RoomConnectionError('forbidden', 'You are not in this chat room.'));
      expect(seen.closes.map((close) => close.code)).toEqual([4403]);
      expect(seen.errors).toEqual([
        { type: 'error', code: 'forbidden', detail: 'You are not in this chat room.' },
      ]);
      expect(seen.statuses).toEqual(['closed']);
      expect(live.status).toBe('closed');
      expect([attempts, asked]).toEqual([1, 1]);
    });

    it('stops on 4404 with status closed and a not_found error, after one attempt', async () => {
      const { seen, error, attempts, asked } = await refused({ noRoom: true });

      expect(error).toMatchObject({ code: 'not_found' });
      expect(seen.closes.map((close) => close.code)).toEqual([4404]);
      expect(seen.errors).toEqual([{ type: 'error', code: 'not_found', detail: 'No such chat room.' }]);
      expect(seen.statuses).toEqual(['closed']);
      expect([attempts, asked]).toEqual([1, 1]);
    });

    it('stops on 4401 when the token is a string, which cannot be refreshed', async () => {
      const { seen, error, attempts } = await refused({ token: 'not-a-token' });

      expect(error).toMatchObject({ code: 'not_authenticated' });
      expect(seen.closes.map((close) => close.code)).toEqual([4401]);
      expect(seen.errors).toMatchObject([{ type: 'error', code: 'not_authenticated' }]);
      expect(attempts).toBe(1);
    });
  });
});
