import type { ChatRoom, ChatRoomDetail } from '@hirechat/protocol';
import jwt from 'jsonwebtoken';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ChatApiError, ChatClient } from '../src/index.js';
import { record } from './support/recorder.js';
import { useWorld } from './support/world.js';

/** What a rejected call rejected with, to compare whole. */
async function failure(call: Promise<unknown>) {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof ChatApiError)) throw new Error(`expected a ChatApiError, got ${String(error)}`);
  return { status: error.status, code: error.code, body: error.body, method: error.method };
}

describe('ChatClient rooms that change', () => {
  const harness = useWorld();

  async function roomOfTwo() {
    const world = await harness.start();
    const [recruiter, ana] = [world.user(), world.user()];
    const room = await world.room(recruiter, [ana]);
    return { world, recruiter, ana, room, chat: world.client(recruiter), anas: world.client(ana) };
  }

  it('gets a room with who of it is online, and answers an outsider 404', async () => {
    const { world, ana, room, chat, anas } = await roomOfTwo();
    const message = await anas.messages.create({ chat_room: room.uuid, content: 'hi' });
    const live = world.connect(anas, room.uuid);
    await live.opened;

    const detail = await chat.rooms.get(room.uuid);

    expectTypeOf(detail).toEqualTypeOf<ChatRoomDetail>();
    expect(detail).toEqual({ ...room, last_message: message, unread_count: 1, online_users: [ana] });
    expect((await anas.rooms.get(room.uuid)).unread_count).toBe(0);
    const outsider = world.client(world.user());
    const notFound = { status: 404, code: 'not_found', method: 'GET' };
    expect(await failure(outsider.rooms.get(room.uuid))).toMatchObject(notFound);
    expect(await failure(chat.rooms.get(world.user()))).toMatchObject(notFound);
  });

  it('adds clients (again and again), who then see the room and its history', async () => {
    const { world, recruiter, ana, room, chat, anas } = await roomOfTwo();
    await anas.messages.create({ chat_room: room.uuid, content: 'before Ben came' });
    const [ben, cleo] = [world.user(), world.user()];

    const added = await chat.rooms.addClients(room.uuid, [ben, cleo]);
    const again = await chat.rooms.addClients(room.uuid, [ben]);

    expectTypeOf(added).toEqualTypeOf<ChatRoom>();
    expect(added).toMatchObject({ uuid: room.uuid, recruiter, clients: [ana, ben, cleo].sort() });
    expect(again).toEqual(added);
    const bens = world.client(ben);
    expect(await bens.rooms.get(room.uuid)).toMatchObject({ clients: added.clients, unread_count: 1 });
    const history = await bens.messages.list({ chat_room: room.uuid });
    expect(history.messages.map((message) => message.content)).toEqual(['before Ben came']);
  });

  it('refuses to add clients as a client, as an outsider, or the recruiter as a client', async () => {
    const { world, recruiter, room, chat, anas } = await roomOfTwo();

    expect(await failure(anas.rooms.addClients(room.uuid, [world.user()]))).toMatchObject({
      status: 403,
      code: 'forbidden',
      method: 'POST',
    });
    expect(
      await failure(world.client(world.user()).rooms.addClients(room.uuid, [world.user()])),
    ).toMatchObject({ status: 404, code: 'not_found' });
    expect(await failure(chat.rooms.addClients(room.uuid, [recruiter]))).toEqual({
      status: 400,
      code: 'invalid_input',
      body: { clients: ['The recruiter cannot also be a client.'] },
      method: 'POST',
    });
    expect(await failure(chat.rooms.addClients(room.uuid, []))).toEqual({
      status: 400,
      code: 'invalid_input',
      body: { clients: ['Name at least one client.'] },
      method: 'POST',
    });
  });

  it('removes a client, whose live room stops (4403) and who then gets 404 for the room', async () => {
    const { world, ana, room, chat, anas } = await roomOfTwo();
    const live = world.connect(anas, room.uuid);
    const seen = record(live);
    await live.opened;

    await expect(chat.rooms.removeClient(room.uuid, ana)).resolves.toBeUndefined();

    await seen.until('the room to stop', () => live.status === 'closed');
    expect(seen.closes.map((close) => close.code)).toEqual([4403]);
    expect(seen.errors).toMatchObject([{ type: 'error', code: 'forbidden' }]);
    await expect(live.opened).resolves.toBeUndefined();
    expect(await failure(anas.rooms.get(room.uuid))).toMatchObject({ status: 404, code: 'not_found' });
    // Its history is no longer theirs either.
    expect((await anas.messages.list({ chat_room: room.uuid })).messages).toEqual([]);
  });

  it('refuses to remove the recruiter, another client as a client, or someone not in the room', async () => {
    const { world, recruiter, ana, room, chat, anas } = await roomOfTwo();
    const ben = world.user();
    await chat.rooms.addClients(room.uuid, [ben]);

    expect(await failure(chat.rooms.removeClient(room.uuid, recruiter))).toMatchObject({
      status: 400,
      code: 'invalid_input',
      method: 'DELETE',
    });
    expect(await failure(anas.rooms.removeClient(room.uuid, ben))).toMatchObject({
      status: 403,
      code: 'forbidden',
    });
    expect(await failure(chat.rooms.removeClient(room.uuid, world.user()))).toMatchObject({
      status: 404,
      code: 'not_found',
    });
    expect(await failure(world.client(world.user()).rooms.removeClient(room.uuid, ana))).toMatchObject({
      status: 404,
      code: 'not_found',
    });
    expect((await chat.rooms.get(room.uuid)).clients).toEqual([ana, ben].sort());
  });

  it('leaves a room as the user the token names, and refuses the recruiter leaving', async () => {
    const { world, room, chat, anas } = await roomOfTwo();

    await anas.rooms.leave(room.uuid);

    expect((await chat.rooms.get(room.uuid)).clients).toEqual([]);
    expect(await failure(anas.rooms.get(room.uuid))).toMatchObject({ status: 404 });
    expect(await failure(chat.rooms.leave(room.uuid))).toMatchObject({ status: 400, code: 'invalid_input' });
    // Django SimpleJWT's tokens name the user in `user_id`.
    const ben = world.user();
    await chat.rooms.addClients(room.uuid, [ben]);
    const simpleJwt = new ChatClient({
      baseUrl: world.server.url,
      token: jwt.sign({ user_id: ben, token_type: 'access' }, world.server.secret, { expiresIn: 60 }),
    });
    await simpleJwt.rooms.leave(room.uuid);
    expect((await chat.rooms.get(room.uuid)).clients).toEqual([]);
  });

  it('says so when the token names no user to leave as', async () => {
    const world = await harness.start();
    const chat = new ChatClient({ baseUrl: world.server.url, token: 'not-a-jwt' });

    await expect(chat.rooms.leave(world.user())).rejects.toThrow(
      'The access token names no user (no `sub` or `user_id` claim).',
    );
  });

  it('tells a live room who of it is online, as users come and go', async () => {
    const { world, recruiter, ana, room, chat, anas } = await roomOfTwo();
    const live = world.connect(chat, room.uuid);
    const seen = record(live);
    await live.opened;
    await seen.until('the recruiter online', () => live.onlineUsers.includes(recruiter));

    // An inbox counts as much as a room socket.
    const inbox = world.inbox(anas);
    await inbox.opened;
    await seen.until('Ana online', () => live.onlineUsers.includes(ana));
    expect(live.onlineUsers).toEqual([recruiter, ana]);
    inbox.close();
    await seen.until('Ana gone', () => !live.onlineUsers.includes(ana));

    expect(seen.presence).toEqual([[recruiter], [recruiter, ana], [recruiter]]);
  });
});
