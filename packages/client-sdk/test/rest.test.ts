import type { Message } from '@hirechat/protocol';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { asErrorBody } from '../src/chat-api-error.js';
import { ChatApiError, ChatClient, type MessagePage } from '../src/index.js';
import { uuidsOf } from './support/recorder.js';
import { useWorld } from './support/world.js';

const FILE_PATH = /^\/media\/chat_files\/cv_[A-Za-z0-9]{7}\.pdf$/;

describe('ChatClient REST', () => {
  const harness = useWorld();

  async function roomOfTwo() {
    const world = await harness.start();
    const [recruiter, client] = [world.user(), world.user()];
    const room = await world.room(recruiter, [client]);
    return { world, recruiter, client, room, chat: world.client(recruiter) };
  }

  it('creates a room, answers the existing one for the same people, and lists rooms with filters', async () => {
    const world = await harness.start();
    const [recruiter, client, other] = [world.user(), world.user(), world.user()];
    const chat = world.client(recruiter);

    const room = await chat.rooms.create({ recruiter, clients: [client] });
    const again = await chat.rooms.create({ recruiter, clients: [client] });
    const second = await chat.rooms.create({ recruiter, clients: [other] });

    expect(room).toMatchObject({ recruiter, clients: [client], last_message: null, unread_count: 0 });
    expect(again.uuid).toBe(room.uuid);
    expect(uuidsOf(await chat.rooms.list())).toEqual([second.uuid, room.uuid]);
    expect(uuidsOf(await chat.rooms.list({ client }))).toEqual([room.uuid]);
    expect(uuidsOf(await chat.rooms.list({ recruiter: other }))).toEqual([]);
    expect(uuidsOf(await world.client(client).rooms.list({ recruiter }))).toEqual([room.uuid]);
  });

  it('sends text and files (Blob, File, Buffer), and gets, edits and deletes messages', async () => {
    const { room, chat, world, client } = await roomOfTwo();
    const job = world.user();

    const text = await chat.messages.create({ chat_room: room.uuid, content: 'hello', job });
    const blob = await chat.messages.create({
      chat_room: room.uuid,
      file: new Blob([new Uint8Array([1, 2, 3])]),
      filename: 'cv.pdf',
    });
    const file = await chat.messages.create({ chat_room: room.uuid, file: new File(['%PDF'], 'cv.pdf') });
    const buffer = await chat.messages.create({
      chat_room: room.uuid,
      file: Buffer.from('%PDF-1.4'),
      filename: 'cv.pdf',
    });

    expect(text).toMatchObject({ content: 'hello', job, file: null, is_edited: false });
    for (const message of [blob, file, buffer])
      expect(message).toMatchObject({ content: null, file: FILE_PATH });
    expect(await world.client(client).messages.get(text.uuid)).toEqual(text);

    const edited = await chat.messages.update(text.uuid, { content: 'hello again' });
    expect(edited).toEqual({ ...text, content: 'hello again', is_edited: true });

    await chat.messages.delete(blob.uuid);
    const page = await chat.messages.list({ chat_room: room.uuid });
    expect(page.messages.map((m) => m.uuid)).toEqual([text.uuid, file.uuid, buffer.uuid]);
    expect(page.next).toBeNull();
  });

  it('lists with filters and cursors, and follows the next page both ways', async () => {
    const { room, chat, world, recruiter, client } = await roomOfTwo();
    const clientChat = world.client(client);
    const sent: Message[] = [];
    for (let i = 0; i < 5; i++) {
      sent.push(
        await (i % 2 ? clientChat : chat).messages.create({ chat_room: room.uuid, content: `m${i}` }),
      );
    }
    const ids = (page: MessagePage) => page.messages.map((m) => m.content);

    const newest = await chat.messages.list({ chat_room: room.uuid, limit: 2 });
    expect(ids(newest)).toEqual(['m3', 'm4']);
    expect(newest.next).toEqual({ chat_room: room.uuid, limit: '2', before: sent[3]!.uuid });
    expect(ids(await chat.messages.list(newest.next!))).toEqual(['m1', 'm2']);
    expect(ids(await chat.messages.list({ after: sent[0]!.uuid, limit: 3 }))).toEqual(['m1', 'm2', 'm3']);
    expect(ids(await chat.messages.list({ before: sent[2]!.uuid }))).toEqual(['m0', 'm1']);
    expect(ids(await chat.messages.list({ sender: client }))).toEqual(['m1', 'm3']);
    expect(ids(await chat.messages.list({ sender_email: `${recruiter.slice(0, 8)}@EXAMPLE.com` }))).toEqual([
      'm0',
      'm2',
      'm4',
    ]);
  });

  it('walks every page of history: back in time, or forward after a cursor', async () => {
    const { room, chat } = await roomOfTwo();
    const sent: string[] = [];
    for (let i = 0; i < 7; i++) {
      sent.push((await chat.messages.create({ chat_room: room.uuid, content: `m${i}` })).uuid);
    }

    const back: string[] = [];
    for await (const message of chat.messages.history({ chat_room: room.uuid, limit: 3 }))
      back.push(message.uuid);
    const forward: string[] = [];
    for await (const message of chat.messages.history({ chat_room: room.uuid, limit: 2, after: sent[0]! })) {
      forward.push(message.uuid);
    }

    expect(back).toEqual([...sent].reverse());
    expect(forward).toEqual(sent.slice(1));
    expectTypeOf(chat.messages.history).returns.toEqualTypeOf<AsyncIterable<Message>>();
  });

  it('walks on past a page whose cursor message was deleted meanwhile (issue 9, fault 4)', async () => {
    const { room, chat } = await roomOfTwo();
    const sent: string[] = [];
    for (let i = 0; i < 6; i++) {
      sent.push((await chat.messages.create({ chat_room: room.uuid, content: `m${i}` })).uuid);
    }

    const back: string[] = [];
    for await (const message of chat.messages.history({ chat_room: room.uuid, limit: 2 })) {
      back.push(message.uuid);
      // The first page (m4, m5) is read; its cursor, m4, goes before the next page is asked for.
      if (message.uuid === sent[4]) await chat.messages.delete(sent[4]!);
    }

    expect(back).toEqual([...sent].reverse());
  });

  it('rejects with ChatApiError carrying the status and the body', async () => {
    const { room, chat, world, client } = await roomOfTwo();
    const failure = (promise: Promise<unknown>) =>
      promise.then(
        () => null,
        (error: unknown) => error,
      );
    const mine = await chat.messages.create({ chat_room: room.uuid, content: 'mine' });

    const invalid = await failure(chat.rooms.create({ recruiter: client, clients: [] }));
    expect(invalid).toBeInstanceOf(ChatApiError);
    expect(invalid).toMatchObject({
      status: 400,
      code: 'invalid_input',
      body: { clients: [expect.any(String)] },
      method: 'POST',
    });
    expect(await failure(chat.messages.get(world.user()))).toMatchObject({
      status: 404,
      code: 'not_found',
      body: { detail: 'Not found.', code: 'not_found' },
    });
    expect(await failure(world.client(client).messages.update(mine.uuid, { content: 'x' }))).toMatchObject({
      status: 403,
      code: 'forbidden',
    });
    const signedOut = new ChatClient({ baseUrl: world.server.url, token: 'not a token' });
    expect(await failure(signedOut.rooms.list())).toMatchObject({
      status: 401,
      code: 'not_authenticated',
      body: { detail: expect.any(String), code: 'not_authenticated' },
    });
  });

  it('keeps the detail of an error body without a code it knows, and answers a null code', () => {
    for (const body of [{ detail: 'Bad gateway.' }, { detail: 'Slow down.', code: 'some_newer_code' }]) {
      const error = new ChatApiError(502, asErrorBody(body), 'GET', '/x');
      expect(error.body).toEqual(body);
      expect(error.code).toBeNull();
      expect(error.message).toBe(`GET /x answered 502: ${body.detail}`);
    }
    expect(new ChatApiError(502, asErrorBody('<html>'), 'GET', '/x').code).toBeNull();
  });
});
