import { randomUUID } from 'node:crypto';
import { RestPaths } from '@hirechat/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  api,
  bare,
  createRoom,
  expectDetail,
  expectFieldErrors,
  expectRoomDetail,
  expectRooms,
  newUser,
  rawAnswer,
  sendText,
  type User,
  useTestServer,
} from './http.js';

/* GET /chats/chat-room/detail/{uuid}/ (contract, "Rooms that change"). */
describe('GET /chats/chat-room/detail/{uuid}/', () => {
  const t = useTestServer();
  let recruiter: User;
  let client: User;
  let other: User;

  // Each test its own users, so that each room it creates is a new one.
  beforeEach(() => {
    recruiter = newUser(t, { role: 'recruiter' });
    client = newUser(t, { role: 'client' });
    other = newUser(t, { role: 'client' });
  });

  it('answers a participant the room with its last message, their unread count and who is online', async () => {
    const room = await createRoom(recruiter, recruiter, [client, other]);
    await sendText(recruiter, room, 'one');
    await sendText(other, room, 'two');
    const last = await sendText(recruiter, room, 'three');

    const asClient = expectRoomDetail(await client.api.get(RestPaths.roomDetail(room.uuid)));
    const asRecruiter = expectRoomDetail(await recruiter.api.get(RestPaths.roomDetail(room.uuid)));

    expect(asClient).toEqual({
      uuid: room.uuid,
      recruiter: recruiter.id,
      clients: room.clients,
      created_at: room.created_at,
      last_message: last,
      unread_count: 3,
      // Nobody holds a socket: presence is about sockets, not about requests.
      online_users: [],
    });
    expect(asRecruiter.unread_count).toBe(1);
    // The same room as the list shows it, plus online_users.
    const [listed] = expectRooms(await client.api.get(`${RestPaths.listRooms}?client=${client.id}`)).filter(
      (r) => r.uuid === room.uuid,
    );
    const { online_users: _online, ...withoutPresence } = asClient;
    expect(withoutPresence).toEqual(listed);
  });

  it('answers the same without the trailing slash, and with the UUID in upper case', async () => {
    const room = await createRoom(recruiter, recruiter, [client]);

    const plain = expectRoomDetail(await client.api.get(bare(RestPaths.roomDetail(room.uuid))));
    const upper = expectRoomDetail(await client.api.get(RestPaths.roomDetail(room.uuid.toUpperCase())));

    expect(plain.uuid).toBe(room.uuid);
    expect(upper.uuid).toBe(room.uuid);
  });

  it('answers an outsider, and an admin outside the room, exactly as about a room that does not exist', async () => {
    const room = await createRoom(recruiter, recruiter, [client]);
    await sendText(recruiter, room, 'secret');
    const outsider = newUser(t);
    const admin = newUser(t, { role: 'admin' });

    for (const caller of [outsider, admin]) {
      const [real, missing] = await Promise.all([
        rawAnswer(t, caller.token, 'GET', RestPaths.roomDetail(room.uuid)),
        rawAnswer(t, caller.token, 'GET', RestPaths.roomDetail(randomUUID())),
      ]);
      expect(real.status).toBe(404);
      expect(JSON.parse(real.body)).toEqual({ detail: 'No such chat room.', code: 'not_found' });
      expect(real).toEqual(missing);
    }
  });

  it('answers 404 for a room id that is not a UUID', async () => {
    expectDetail(await client.api.get(RestPaths.roomDetail('not-a-uuid')), 404);
  });

  it('refuses an unknown query parameter, naming it', async () => {
    const room = await createRoom(recruiter, recruiter, [client]);
    expectFieldErrors(await client.api.get(`${RestPaths.roomDetail(room.uuid)}?verbose=1`), ['verbose']);
  });

  it('refuses an anonymous caller (401), and another method (405 with Allow)', async () => {
    const room = await createRoom(recruiter, recruiter, [client]);

    const anonymous = await api(t).get(RestPaths.roomDetail(room.uuid));
    expectDetail(anonymous, 401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    const put = await client.api.put(RestPaths.roomDetail(room.uuid), {});
    expectDetail(put, 405);
    expect(put.headers.get('allow')).toBe('GET');
  });
});
