import { randomUUID } from 'node:crypto';
import { type ChatRoom, MAX_ROOM_CLIENTS, RestPaths } from '@hirechat/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  bare,
  createRoom,
  expectDetail,
  expectFieldErrors,
  expectRoom,
  expectRoomDetail,
  expectRooms,
  newUser,
  rawAnswer,
  sendText,
  type User,
  useTestServer,
} from './http.js';

/*
 * Adding and removing clients (contract, "Rooms that change"): who may, what each answers, and what
 * the room is afterwards, through real HTTP.
 */

const sorted = (ids: readonly string[]) => [...ids].sort();

describe('POST /chats/chat-room/detail/{uuid}/clients/', () => {
  const t = useTestServer();
  let recruiter: User;
  let client: User;

  beforeAll(() => {
    recruiter = newUser(t, { role: 'recruiter' });
    client = newUser(t, { role: 'client' });
  });

  /** A new room of the recruiter and the client, with a fresh third client so that it is new. */
  async function freshRoom(): Promise<ChatRoom> {
    return createRoom(recruiter, recruiter, [client, newUser(t)]);
  }

  const add = (by: User, room: string, clients: unknown) =>
    by.api.post(RestPaths.roomClients(room), { clients });

  it('lets the recruiter add clients: 200 with the room as the recruiter sees it', async () => {
    const room = await freshRoom();
    await sendText(client, room, 'before them');
    const [a, b] = [newUser(t), newUser(t)];

    const answer = expectRoom(await add(recruiter, room.uuid, [a.id, b.id]));

    expect(answer.uuid).toBe(room.uuid);
    expect(answer.clients).toEqual(sorted([...room.clients, a.id, b.id]));
    expect(answer.unread_count).toBe(1);
    expect(answer.last_message?.content).toBe('before them');
    const detail = expectRoomDetail(await recruiter.api.get(RestPaths.roomDetail(room.uuid)));
    expect(detail.clients).toEqual(answer.clients);
  });

  it('gives an added client the whole history, with every earlier message from others unread', async () => {
    const room = await freshRoom();
    const first = await sendText(recruiter, room, 'one');
    const second = await sendText(client, room, 'two');
    const newcomer = newUser(t);

    expectRoom(await add(recruiter, room.uuid, [newcomer.id]));

    const seen = expectRoomDetail(await newcomer.api.get(RestPaths.roomDetail(room.uuid)));
    expect(seen.unread_count).toBe(2);
    expect(seen.last_message).toEqual(second);
    const listed = await newcomer.api.get(`${RestPaths.listMessages}?chat_room=${room.uuid}`);
    expect((listed.body as { uuid: string }[]).map((m) => m.uuid)).toEqual([first.uuid, second.uuid]);
    expect((await newcomer.api.get(RestPaths.messageDetail(first.uuid))).status).toBe(200);
    expect(expectRooms(await newcomer.api.get(RestPaths.listRooms)).map((r) => r.uuid)).toEqual([room.uuid]);
    // And may take part at once.
    expect((await sendText(newcomer, room, 'hello all')).chat_room).toBe(room.uuid);
  });

  it('is idempotent: clients in the room already are left as they are, and nothing is logged', async () => {
    const room = await freshRoom();
    const seq = await t.storage.roomSeq(room.uuid);

    const again = expectRoom(await add(recruiter, room.uuid, [client.id]));

    expect(again.clients).toEqual(room.clients);
    expect(await t.storage.roomSeq(room.uuid)).toBe(seq);
    // Present and new clients together: only the new one joins.
    const newcomer = newUser(t);
    const mixed = expectRoom(await add(recruiter, room.uuid, [client.id, newcomer.id]));
    expect(mixed.clients).toEqual(sorted([...room.clients, newcomer.id]));
    expect(await t.storage.roomSeq(room.uuid)).toBe(seq! + 1);
  });

  it('takes user ids the server has never seen, as room creation does', async () => {
    const room = await freshRoom();
    const stranger = randomUUID();

    const answer = expectRoom(await add(recruiter, room.uuid, [stranger.toUpperCase()]));

    expect(answer.clients).toContain(stranger);
  });

  it('lets an admin who is not in the room add clients, and shows them nothing of its messages', async () => {
    const room = await freshRoom();
    await sendText(client, room, 'not for the admin');
    const admin = newUser(t, { role: 'admin' });
    const newcomer = newUser(t);

    const answer = expectRoom(await add(admin, room.uuid, [newcomer.id]));

    expect(answer.clients).toContain(newcomer.id);
    // The admin manages the room; they do not read it (README, "Who may").
    expect(answer.last_message).toBeNull();
    expect(answer.unread_count).toBe(0);
    expectDetail(await admin.api.get(RestPaths.roomDetail(room.uuid)), 404);
  });

  it('refuses a client of the room (403) and changes nothing', async () => {
    const room = await freshRoom();
    const newcomer = newUser(t);

    const answer = await add(client, room.uuid, [newcomer.id]);

    expect(expectDetail(answer, 403)).toMatch(/recruiter/);
    expect((answer.body as { code: string }).code).toBe('forbidden');
    expect(expectRoomDetail(await recruiter.api.get(RestPaths.roomDetail(room.uuid))).clients).toEqual(
      room.clients,
    );
  });

  it('answers an outsider exactly as about a room that does not exist (404), and adds no one', async () => {
    const room = await freshRoom();
    const outsider = newUser(t);

    const [real, missing] = await Promise.all([
      rawAnswer(t, outsider.token, 'POST', RestPaths.roomClients(room.uuid), { clients: [outsider.id] }),
      rawAnswer(t, outsider.token, 'POST', RestPaths.roomClients(randomUUID()), { clients: [outsider.id] }),
    ]);

    expect(real.status).toBe(404);
    expect(real).toEqual(missing);
    expect(expectRooms(await outsider.api.get(RestPaths.listRooms))).toEqual([]);
  });

  it('answers the same without the trailing slash, and takes urlencoded and multipart forms', async () => {
    const room = await freshRoom();
    const [a, b, c] = [newUser(t), newUser(t), newUser(t)];

    expectRoom(await recruiter.api.post(bare(RestPaths.roomClients(room.uuid)), { clients: [a.id] }));
    expectRoom(
      await recruiter.api.postForm(
        RestPaths.roomClients(room.uuid),
        new URLSearchParams([['clients', b.id]]),
      ),
    );
    const form = new FormData();
    form.append('clients', c.id);
    const last = expectRoom(await recruiter.api.postForm(RestPaths.roomClients(room.uuid), form));

    expect(last.clients).toEqual(sorted([...room.clients, a.id, b.id, c.id]));
  });

  describe('bad input names the field (400), and changes nothing', () => {
    let room: ChatRoom;
    beforeAll(async () => {
      room = await freshRoom();
    });

    it.each([
      ['missing clients', () => ({}), ['clients']],
      ['clients that are not a list of UUIDs', () => ({ clients: ['nope'] }), ['clients.0']],
      ['clients that is a number', () => ({ clients: 7 }), ['clients']],
      ['an empty list', () => ({ clients: [] }), ['clients']],
      [
        'a client twice, whatever the case',
        () => ({ clients: [client.id, client.id.toUpperCase()] }),
        ['clients'],
      ],
      ['an unknown field', () => ({ clients: [randomUUID()], client: randomUUID() }), ['client']],
    ] as const)('%s', async (_, body, fields) => {
      const answer = await recruiter.api.post(RestPaths.roomClients(room.uuid), body());
      expectFieldErrors(answer, [...fields]);
      expect(expectRoomDetail(await recruiter.api.get(RestPaths.roomDetail(room.uuid))).clients).toEqual(
        room.clients,
      );
    });

    it('more clients than a room may hold, in the request or in the room after it (400, nothing kept)', async () => {
      // Each change tells every participant the whole room: unbounded, one request could exhaust the
      // server's memory (found by trying it: 20,000 clients in one request).
      const tooMany = Array.from({ length: MAX_ROOM_CLIENTS + 1 }, () => randomUUID());
      expect(expectFieldErrors(await add(recruiter, room.uuid, tooMany), ['clients']).clients).toEqual([
        `A room holds at most ${MAX_ROOM_CLIENTS} clients.`,
      ]);
      // A request within the bound that would take the room past it.
      const onePastFull = tooMany.slice(0, MAX_ROOM_CLIENTS - room.clients.length + 1);
      expect(expectFieldErrors(await add(recruiter, room.uuid, onePastFull), ['clients']).clients).toEqual([
        `A room holds at most ${MAX_ROOM_CLIENTS} clients.`,
      ]);
      expect(expectRoomDetail(await recruiter.api.get(RestPaths.roomDetail(room.uuid))).clients).toEqual(
        room.clients,
      );
      const created = await recruiter.api.post(RestPaths.createRoom, {
        recruiter: recruiter.id,
        clients: tooMany,
      });
      expect(expectFieldErrors(created, ['clients']).clients).toEqual([
        `A room holds at most ${MAX_ROOM_CLIENTS} clients.`,
      ]);
    });

    it('the recruiter as a client', async () => {
      const answer = await add(recruiter, room.uuid, [recruiter.id]);
      expect(expectFieldErrors(answer, ['clients']).clients).toEqual([
        'The recruiter cannot also be a client.',
      ]);
    });

    it('JSON that does not parse', async () => {
      const answer = await recruiter.api.send('POST', RestPaths.roomClients(room.uuid), {
        body: '{"clients": [',
        headers: { 'content-type': 'application/json' },
      });
      expectDetail(answer, 400);
      expect((answer.body as { code: string }).code).toBe('invalid_json');
    });
  });

  it('answers 404 for a room id that is not a UUID, and 401 without a token', async () => {
    expectDetail(await add(recruiter, 'not-a-uuid', [randomUUID()]), 404);
    const anonymous = await api(t).post(RestPaths.roomClients(randomUUID()), { clients: [randomUUID()] });
    expectDetail(anonymous, 401);
  });
});

describe('DELETE /chats/chat-room/detail/{uuid}/clients/{client uuid}/', () => {
  const t = useTestServer();
  let recruiter: User;

  beforeAll(() => {
    recruiter = newUser(t, { role: 'recruiter' });
  });

  /** A new room of the recruiter and two new clients. */
  async function freshRoom(): Promise<{ room: ChatRoom; a: User; b: User }> {
    const [a, b] = [newUser(t, { role: 'client' }), newUser(t, { role: 'client' })];
    return { room: await createRoom(recruiter, recruiter, [a, b]), a, b };
  }

  const remove = (by: User, room: string, client: string) =>
    by.api.delete(RestPaths.roomClient(room, client));

  const clientsOf = async (room: string) =>
    expectRoomDetail(await recruiter.api.get(RestPaths.roomDetail(room))).clients;

  it('lets the recruiter remove a client: 204, and the room goes on without them', async () => {
    const { room, a, b } = await freshRoom();

    const answer = await remove(recruiter, room.uuid, a.id);

    expect(answer.status).toBe(204);
    expect(answer.body).toBeNull();
    expect(await clientsOf(room.uuid)).toEqual([b.id]);
    expect(expectRooms(await a.api.get(RestPaths.listRooms))).toEqual([]);
  });

  it('lets a client leave (remove themselves)', async () => {
    const { room, a, b } = await freshRoom();

    expect((await remove(a, room.uuid, a.id)).status).toBe(204);

    expect(await clientsOf(room.uuid)).toEqual([b.id]);
  });

  it('lets the last client leave: the room stays, the recruiter’s alone', async () => {
    const { room, a, b } = await freshRoom();

    expect((await remove(a, room.uuid, a.id)).status).toBe(204);
    expect((await recruiter.api.delete(bare(RestPaths.roomClient(room.uuid, b.id)))).status).toBe(204);

    expect(await clientsOf(room.uuid)).toEqual([]);
    expect(expectRooms(await recruiter.api.get(RestPaths.listRooms)).map((r) => r.uuid)).toContain(room.uuid);
  });

  it('lets an admin who is not in the room remove a client', async () => {
    const { room, a, b } = await freshRoom();
    const admin = newUser(t, { role: 'admin' });

    expect((await remove(admin, room.uuid, b.id)).status).toBe(204);

    expect(await clientsOf(room.uuid)).toEqual([a.id]);
  });

  it('refuses a client who removes another client (403), and changes nothing', async () => {
    const { room, a, b } = await freshRoom();

    const answer = await remove(a, room.uuid, b.id);

    expectDetail(answer, 403);
    expect((answer.body as { code: string }).code).toBe('forbidden');
    expect(await clientsOf(room.uuid)).toEqual(room.clients);
  });

  it('refuses to remove the recruiter (400), asked by the recruiter or an admin; a client gets 403', async () => {
    const { room, a } = await freshRoom();
    const admin = newUser(t, { role: 'admin' });

    for (const caller of [recruiter, admin]) {
      const answer = await remove(caller, room.uuid, recruiter.id);
      expect(expectFieldErrors(answer, ['non_field_errors']).non_field_errors).toEqual([
        "A room's recruiter cannot be removed from it.",
      ]);
    }
    expectDetail(await remove(a, room.uuid, recruiter.id), 403);
    expect(expectRoomDetail(await recruiter.api.get(RestPaths.roomDetail(room.uuid))).recruiter).toBe(
      recruiter.id,
    );
  });

  it('answers 404 for a user who is not a client of the room, a second removal included', async () => {
    const { room, a } = await freshRoom();

    expect(expectDetail(await remove(recruiter, room.uuid, randomUUID()), 404)).toBe(
      'No such client in this room.',
    );
    expect((await remove(recruiter, room.uuid, a.id)).status).toBe(204);
    expectDetail(await remove(recruiter, room.uuid, a.id), 404);
    expectDetail(await remove(recruiter, room.uuid, 'not-a-uuid'), 404);
    expectDetail(await remove(recruiter, 'not-a-uuid', a.id), 404);
  });

  it('answers an outsider exactly as about a room that does not exist, and removes no one', async () => {
    const { room, a } = await freshRoom();
    const outsider = newUser(t);

    const [real, missing] = await Promise.all([
      rawAnswer(t, outsider.token, 'DELETE', RestPaths.roomClient(room.uuid, a.id)),
      rawAnswer(t, outsider.token, 'DELETE', RestPaths.roomClient(randomUUID(), randomUUID())),
    ]);

    expect(real.status).toBe(404);
    expect(real).toEqual(missing);
    expect(await clientsOf(room.uuid)).toEqual(room.clients);
  });

  it('answers a client who left exactly as an outsider when they try to come back or remove another', async () => {
    const { room, a, b } = await freshRoom();
    await remove(a, room.uuid, a.id);

    const [removing, missing] = await Promise.all([
      rawAnswer(t, a.token, 'DELETE', RestPaths.roomClient(room.uuid, b.id)),
      rawAnswer(t, a.token, 'DELETE', RestPaths.roomClient(randomUUID(), b.id)),
    ]);
    expect(removing.status).toBe(404);
    expect(removing).toEqual(missing);
    expect((await a.api.post(RestPaths.roomClients(room.uuid), { clients: [a.id] })).status).toBe(404);
  });

  it('refuses a query parameter (400 naming it), and an anonymous caller (401)', async () => {
    const { room, a } = await freshRoom();

    expectFieldErrors(await recruiter.api.delete(`${RestPaths.roomClient(room.uuid, a.id)}?force=1`), [
      'force',
    ]);
    expectDetail(await api(t).delete(RestPaths.roomClient(room.uuid, a.id)), 401);
    expect(await clientsOf(room.uuid)).toEqual(room.clients);
  });
});
