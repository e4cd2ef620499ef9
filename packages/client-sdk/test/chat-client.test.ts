import { randomUUID } from 'node:crypto';
import type { Message } from '@hirechat/protocol';
import { startTestServer, type TestServer } from '@hirechat/server-kit/testing';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { ChatApiError, ChatClient, type RoomConnection } from '../src/index.js';

let server: TestServer;
const recruiter = randomUUID();
const client = randomUUID();
const connections: RoomConnection[] = [];

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  for (const connection of connections.splice(0)) connection.close();
  await server.stop();
});

const clientFor = (sub: string, email?: string) =>
  new ChatClient({ baseUrl: server.url, token: () => server.token({ sub, ...(email ? { email } : {}) }) });

const nextEvent = <T>(subscribe: (resolve: (value: T) => void) => void) => new Promise<T>(subscribe);

describe('ChatClient REST', () => {
  it('creates and lists rooms, and sends, edits, lists and deletes messages', async () => {
    const chat = clientFor(recruiter);
    const room = await chat.rooms.create({ recruiter, clients: [client] });
    expect(await chat.rooms.list()).toEqual([expect.objectContaining({ uuid: room.uuid })]);

    const text = await chat.messages.create({ chat_room: room.uuid, content: 'hello' });
    const file = await chat.messages.create({
      chat_room: room.uuid,
      file: new Blob([new Uint8Array([1, 2, 3])]),
      filename: 'cv.pdf',
    });
    expect(file.file).toMatch(/^\/media\/chat_files\/cv_[A-Za-z0-9]{7}\.pdf$/);

    const edited = await chat.messages.update(text.uuid, { content: 'hello again' });
    expect(edited).toMatchObject({ content: 'hello again', is_edited: true });

    await chat.messages.delete(file.uuid);
    const page = await chat.messages.list({ chat_room: room.uuid });
    expect(page.messages.map((m) => m.uuid)).toEqual([text.uuid]);
    expect(page.next).toBeNull();
  });

  it('walks every page of history', async () => {
    const chat = clientFor(recruiter);
    const room = await chat.rooms.create({ recruiter, clients: [client] });
    const sent: string[] = [];
    for (let i = 0; i < 7; i++)
      sent.push((await chat.messages.create({ chat_room: room.uuid, content: `m${i}` })).uuid);

    const seen: string[] = [];
    for await (const message of chat.messages.history({ chat_room: room.uuid, limit: 3 }))
      seen.push(message.uuid);
    expect(seen.sort()).toEqual([...sent].sort());
    expect(new Set(seen).size).toBe(7);
  });

  it('rejects with ChatApiError carrying the status and the body', async () => {
    const chat = clientFor(recruiter);
    const error = await chat.rooms.create({ recruiter, clients: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatApiError);
    expect(error).toMatchObject({ status: 400, body: { clients: [expect.any(String)] } });
  });
});

describe('ChatClient live rooms', () => {
  it('delivers typed events and sends typing and reads', async () => {
    const recruiterChat = clientFor(recruiter);
    const clientChat = clientFor(client);
    const room = await recruiterChat.rooms.create({ recruiter, clients: [client] });
    const live = recruiterChat.connect(room.uuid);
    const clientLive = clientChat.connect(room.uuid);
    connections.push(live, clientLive);
    await Promise.all([live.opened, clientLive.opened]);

    const created = nextEvent<Message>((resolve) => live.on('message_created', (e) => resolve(e.message)));
    const message = await recruiterChat.messages.create({ chat_room: room.uuid, content: 'hi' });
    expect(await created).toEqual(message);

    const typing = nextEvent<string[]>((resolve) => live.on('typing', (e) => resolve(e.typing_users)));
    clientLive.typing(true);
    expect(await typing).toEqual([client]);

    const read = nextEvent<string>((resolve) => live.on('message_read', (e) => resolve(e.user_id)));
    clientLive.markRead(message.uuid);
    expect(await read).toBe(client);

    live.on('message_created', (event) => {
      expectTypeOf(event.message).toEqualTypeOf<Message>();
    });
  });

  it('reports a refused socket through close with its code', async () => {
    const outsider = clientFor(randomUUID());
    const room = await clientFor(recruiter).rooms.create({ recruiter, clients: [client] });
    const live = outsider.connect(room.uuid);
    connections.push(live);
    const closed = nextEvent<number>((resolve) => live.on('close', (e) => resolve(e.code)));
    expect(await closed).toBe(4403);
    expect(live.status).toBe('closed');
  });
});
