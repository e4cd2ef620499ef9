import { randomUUID } from 'node:crypto';
import { RestPaths } from '@hirechat/protocol';
import { describe, expect, it } from 'vitest';
import {
  api,
  bare,
  createRoom,
  expectDetail,
  expectFieldErrors,
  expectMessage,
  expectRoom,
  expectRooms,
  newUser,
  sendText,
  useTestServer,
} from './http.js';

const sorted = (ids: string[]) => [...ids].sort();

describe('POST /chats/chat-room/create/', () => {
  const t = useTestServer();

  it('creates a room from JSON (201) with every key of the contract', async () => {
    const recruiter = newUser(t, { role: 'recruiter' });
    const [a, b] = [newUser(t), newUser(t)];

    const answer = await recruiter.api.post(RestPaths.createRoom, {
      recruiter: recruiter.id,
      clients: [a.id, b.id],
    });

    const room = expectRoom(answer, 201);
    expect(room.recruiter).toBe(recruiter.id);
    expect(sorted(room.clients)).toEqual(sorted([a.id, b.id]));
    expect(room.last_message).toBeNull();
    expect(room.unread_count).toBe(0);
  });

  it('answers 200 with the same room for the same recruiter and the same clients in another order', async () => {
    const recruiter = newUser(t);
    const [a, b, c] = [newUser(t), newUser(t), newUser(t)];
    const first = expectRoom(
      await recruiter.api.post(RestPaths.createRoom, {
        recruiter: recruiter.id,
        clients: [a.id, b.id, c.id],
      }),
      201,
    );

    const again = expectRoom(
      await recruiter.api.post(RestPaths.createRoom, {
        recruiter: recruiter.id,
        clients: [c.id, a.id, b.id],
      }),
      200,
    );
    // A client may ask for it too, and with upper-case UUIDs: it is still the same room.
    const byClient = expectRoom(
      await b.api.post(RestPaths.createRoom, {
        recruiter: recruiter.id.toUpperCase(),
        clients: [b.id, c.id.toUpperCase(), a.id],
      }),
      200,
    );

    expect(again.uuid).toBe(first.uuid);
    expect(byClient.uuid).toBe(first.uuid);
    expect(sorted(again.clients)).toEqual(sorted(first.clients));
    expect(again.created_at).toBe(first.created_at);
  });

  it('answers the existing room with its last message', async () => {
    const recruiter = newUser(t);
    const client = newUser(t);
    const room = await createRoom(recruiter, recruiter, [client]);
    const message = await sendText(client, room, 'hello');

    const again = expectRoom(
      await recruiter.api.post(RestPaths.createRoom, { recruiter: recruiter.id, clients: [client.id] }),
      200,
    );

    expect(again.uuid).toBe(room.uuid);
    expect(again.last_message).toEqual(message);
    expect(again.unread_count).toBe(1);
  });

  it('lets a client create the room they are in', async () => {
    const recruiter = newUser(t);
    const client = newUser(t, { role: 'client' });
    const room = expectRoom(
      await client.api.post(RestPaths.createRoom, { recruiter: recruiter.id, clients: [client.id] }),
      201,
    );
    expect(expectRooms(await recruiter.api.get(RestPaths.listRooms)).map((r) => r.uuid)).toEqual([room.uuid]);
  });

  it('settles concurrent creations of the same room on one room: one 201, the rest 200', async () => {
    const recruiter = newUser(t);
    const [a, b] = [newUser(t), newUser(t)];
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        (i % 2 ? a : recruiter).api.post(RestPaths.createRoom, {
          recruiter: recruiter.id,
          clients: i % 2 ? [a.id, b.id] : [b.id, a.id],
        }),
      ),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 201]);
    const rooms = answers.map((answer) => expectRoom(answer, answer.status));
    expect(new Set(rooms.map((room) => room.uuid)).size).toBe(1);
  });

  it('a different set of clients is a different room', async () => {
    const recruiter = newUser(t);
    const [a, b] = [newUser(t), newUser(t)];
    const one = await createRoom(recruiter, recruiter, [a]);
    const two = await createRoom(recruiter, recruiter, [a, b]);
    expect(two.uuid).not.toBe(one.uuid);
  });

  it('takes an urlencoded form with repeated `clients`', async () => {
    const recruiter = newUser(t);
    const [a, b] = [newUser(t), newUser(t)];
    const form = new URLSearchParams();
    form.append('recruiter', recruiter.id);
    form.append('clients', a.id);
    form.append('clients', b.id);

    const room = expectRoom(await recruiter.api.postForm(RestPaths.createRoom, form), 201);

    expect(sorted(room.clients)).toEqual(sorted([a.id, b.id]));
  });

  it('takes an urlencoded form with a single `clients`', async () => {
    const recruiter = newUser(t);
    const a = newUser(t);
    const form = new URLSearchParams({ recruiter: recruiter.id, clients: a.id });

    const room = expectRoom(await recruiter.api.postForm(RestPaths.createRoom, form), 201);

    expect(room.clients).toEqual([a.id]);
  });

  it('takes multipart/form-data with repeated `clients`', async () => {
    const recruiter = newUser(t);
    const [a, b] = [newUser(t), newUser(t)];
    const form = new FormData();
    form.append('recruiter', recruiter.id);
    form.append('clients', a.id);
    form.append('clients', b.id);

    const room = expectRoom(await recruiter.api.postForm(RestPaths.createRoom, form), 201);

    expect(sorted(room.clients)).toEqual(sorted([a.id, b.id]));
    // The same room again, as JSON: forms and JSON name one room.
    const again = await recruiter.api.post(RestPaths.createRoom, {
      recruiter: recruiter.id,
      clients: [b.id, a.id],
    });
    expect(expectRoom(again, 200).uuid).toBe(room.uuid);
  });

  it('answers the same without the trailing slash', async () => {
    const recruiter = newUser(t);
    const a = newUser(t);
    const body = { recruiter: recruiter.id, clients: [a.id] };

    const created = expectRoom(await recruiter.api.post(bare(RestPaths.createRoom), body), 201);
    const again = expectRoom(await recruiter.api.post(RestPaths.createRoom, body), 200);

    expect(again.uuid).toBe(created.uuid);
  });

  describe('validation names the field', () => {
    it('a missing recruiter', async () => {
      const user = newUser(t);
      const answer = await user.api.post(RestPaths.createRoom, { clients: [user.id] });
      const body = expectFieldErrors(answer, ['recruiter']);
      expect(Object.keys(body)).toEqual(['recruiter']);
      expect(body.recruiter).toEqual(['This field is required.']);
    });

    it('missing clients', async () => {
      const user = newUser(t);
      const answer = await user.api.post(RestPaths.createRoom, { recruiter: user.id });
      expect(expectFieldErrors(answer, ['clients']).clients).toEqual(['This field is required.']);
    });

    it('a recruiter that is not a UUID', async () => {
      const user = newUser(t);
      const answer = await user.api.post(RestPaths.createRoom, {
        recruiter: 'not-a-uuid',
        clients: [user.id],
      });
      expect(Object.keys(expectFieldErrors(answer, ['recruiter']))).toEqual(['recruiter']);
    });

    it('a client that is not a UUID', async () => {
      const user = newUser(t);
      const answer = await user.api.post(RestPaths.createRoom, { recruiter: user.id, clients: ['nope'] });
      const body = expectFieldErrors(answer, []);
      expect(Object.keys(body).length).toBeGreaterThan(0);
      for (const field of Object.keys(body)) expect(field).toMatch(/^clients\b/);
    });

    it('an empty list of clients', async () => {
      const user = newUser(t);
      const answer = await user.api.post(RestPaths.createRoom, { recruiter: user.id, clients: [] });
      expect(Object.keys(expectFieldErrors(answer, ['clients']))).toEqual(['clients']);
    });

    it('duplicate clients, also when they differ only in case', async () => {
      const user = newUser(t);
      const client = randomUUID();
      for (const clients of [
        [client, client],
        [client, client.toUpperCase()],
      ]) {
        const answer = await user.api.post(RestPaths.createRoom, { recruiter: user.id, clients });
        expect(Object.keys(expectFieldErrors(answer, ['clients']))).toEqual(['clients']);
      }
    });

    it('the recruiter among the clients', async () => {
      const user = newUser(t);
      const answer = await user.api.post(RestPaths.createRoom, {
        recruiter: user.id,
        clients: [randomUUID(), user.id],
      });
      expect(Object.keys(expectFieldErrors(answer, ['clients']))).toEqual(['clients']);
    });

    it('an unknown field', async () => {
      const user = newUser(t);
      const answer = await user.api.post(RestPaths.createRoom, {
        recruiter: user.id,
        clients: [randomUUID()],
        name: 'my room',
      });
      expect(expectFieldErrors(answer, ['name']).name).toEqual(['Unknown field.']);
    });

    it('a form with an unknown field', async () => {
      const user = newUser(t);
      const form = new URLSearchParams({ recruiter: user.id, clients: randomUUID(), title: 'x' });
      expectFieldErrors(await user.api.postForm(RestPaths.createRoom, form), ['title']);
    });

    it('an empty body', async () => {
      const user = newUser(t);
      const answer = await user.api.send('POST', RestPaths.createRoom);
      expectFieldErrors(answer, ['recruiter', 'clients']);
    });
  });

  it('refuses a caller who would not take part (403), and creates nothing', async () => {
    const outsider = newUser(t, { role: 'recruiter' });
    const recruiter = newUser(t);
    const client = newUser(t);

    const answer = await outsider.api.post(RestPaths.createRoom, {
      recruiter: recruiter.id,
      clients: [client.id],
    });

    expectDetail(answer, 403);
    expect(expectRooms(await recruiter.api.get(RestPaths.listRooms))).toEqual([]);
  });

  it('lets an admin create a room they are not in', async () => {
    const admin = newUser(t, { role: 'admin' });
    const recruiter = newUser(t);
    const client = newUser(t);
    const body = { recruiter: recruiter.id, clients: [client.id] };

    const room = expectRoom(await admin.api.post(RestPaths.createRoom, body), 201);
    await sendText(client, room, 'not for the admin');
    const again = expectRoom(await admin.api.post(RestPaths.createRoom, body), 200);

    expect(again.uuid).toBe(room.uuid);
    // The admin manages rooms; they do not read those they are not in (README, "Who may").
    expect(again.last_message).toBeNull();
    expect(again.unread_count).toBe(0);
    expect(expectRooms(await recruiter.api.get(RestPaths.listRooms)).map((r) => r.uuid)).toEqual([room.uuid]);
    // The admin is not a participant, so the room is not in the admin's own list.
    expect(expectRooms(await admin.api.get(RestPaths.listRooms))).toEqual([]);
  });

  it('refuses an anonymous caller (401)', async () => {
    const answer = await api(t).post(RestPaths.createRoom, {
      recruiter: randomUUID(),
      clients: [randomUUID()],
    });
    expectDetail(answer, 401);
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });
});

describe('GET /chats/chat-room/list/', () => {
  const t = useTestServer();

  it('answers an empty array to a user with no rooms', async () => {
    expect(expectRooms(await newUser(t).api.get(RestPaths.listRooms))).toEqual([]);
  });

  it("lists only the caller's rooms, latest activity first", async () => {
    const recruiter = newUser(t);
    const [a, b, c] = [newUser(t), newUser(t), newUser(t)];
    const roomA = await createRoom(recruiter, recruiter, [a]);
    const roomB = await createRoom(recruiter, recruiter, [b]);
    const roomC = await createRoom(recruiter, recruiter, [c]);
    // Someone else's room, which nobody here may see.
    const stranger = newUser(t);
    await createRoom(stranger, stranger, [newUser(t)]);

    // Without messages, the newest room comes first.
    const ids = (rooms: { uuid: string }[]) => rooms.map((room) => room.uuid);
    expect(ids(expectRooms(await recruiter.api.get(RestPaths.listRooms)))).toEqual([
      roomC.uuid,
      roomB.uuid,
      roomA.uuid,
    ]);

    // A message makes its room the latest.
    await sendText(a, roomA, 'ping');
    expect(ids(expectRooms(await recruiter.api.get(RestPaths.listRooms)))).toEqual([
      roomA.uuid,
      roomC.uuid,
      roomB.uuid,
    ]);
    await sendText(recruiter, roomB, 'pong');
    expect(ids(expectRooms(await recruiter.api.get(RestPaths.listRooms)))).toEqual([
      roomB.uuid,
      roomA.uuid,
      roomC.uuid,
    ]);

    // A client sees only their own room.
    expect(ids(expectRooms(await a.api.get(RestPaths.listRooms)))).toEqual([roomA.uuid]);
    expect(ids(expectRooms(await b.api.get(bare(RestPaths.listRooms))))).toEqual([roomB.uuid]);
  });

  it('carries last_message and the unread count of the caller', async () => {
    const recruiter = newUser(t);
    const client = newUser(t);
    const room = await createRoom(recruiter, recruiter, [client]);
    await sendText(recruiter, room, 'one');
    await sendText(recruiter, room, 'two');
    const last = await sendText(client, room, 'three');

    const [forRecruiter] = expectRooms(await recruiter.api.get(RestPaths.listRooms));
    const [forClient] = expectRooms(await client.api.get(RestPaths.listRooms));

    expect(forRecruiter?.last_message).toEqual(last);
    expect(forClient?.last_message).toEqual(last);
    // Unread counts only others' messages.
    expect(forRecruiter?.unread_count).toBe(1);
    expect(forClient?.unread_count).toBe(2);
  });

  it('counts a message as read once the caller has read it', async () => {
    const recruiter = newUser(t);
    const client = newUser(t);
    const room = await createRoom(recruiter, recruiter, [client]);
    const first = await sendText(recruiter, room, 'one');
    await sendText(recruiter, room, 'two');

    // Reads arrive over the socket; the domain is what the socket calls.
    const chat = t.server.plugins.hirechat.chat;
    const membership = await chat.joinRoom({ id: client.id, email: null, name: null, role: null }, room.uuid);
    await chat.markRead(membership, first.uuid);

    const [forClient] = expectRooms(await client.api.get(RestPaths.listRooms));
    expect(forClient?.unread_count).toBe(1);
    const [forRecruiter] = expectRooms(await recruiter.api.get(RestPaths.listRooms));
    expect(forRecruiter?.unread_count).toBe(0);
    // REST shows the read too.
    const read = expectMessage(await recruiter.api.get(RestPaths.messageDetail(first.uuid)));
    expect(read).toMatchObject({ is_viewed: true, read_by: [client.id] });
  });

  it('filters by recruiter and by client', async () => {
    const r1 = newUser(t);
    const r2 = newUser(t);
    const shared = newUser(t);
    const other = newUser(t);
    const one = await createRoom(r1, r1, [shared]);
    const two = await createRoom(r2, r2, [shared, other]);
    const three = await createRoom(r1, r1, [other, shared]);

    const list = async (query: string) =>
      expectRooms(await shared.api.get(`${RestPaths.listRooms}?${query}`))
        .map((room) => room.uuid)
        .sort();

    expect(await list(`recruiter=${r1.id}`)).toEqual([one.uuid, three.uuid].sort());
    expect(await list(`recruiter=${r2.id.toUpperCase()}`)).toEqual([two.uuid]);
    expect(await list(`client=${other.id}`)).toEqual([two.uuid, three.uuid].sort());
    expect(await list(`recruiter=${r1.id}&client=${other.id}`)).toEqual([three.uuid]);
    expect(await list(`client=${randomUUID()}`)).toEqual([]);
    // A filter never widens the list beyond the caller's rooms.
    const outsider = newUser(t);
    expect(expectRooms(await outsider.api.get(`${RestPaths.listRooms}?recruiter=${r1.id}`))).toEqual([]);
  });

  it('refuses a filter that is not a UUID, naming it', async () => {
    const user = newUser(t);
    expectFieldErrors(await user.api.get(`${RestPaths.listRooms}?recruiter=bob`), ['recruiter']);
    expectFieldErrors(await user.api.get(`${RestPaths.listRooms}?client=`), ['client']);
  });

  it('refuses an unknown query parameter, naming it', async () => {
    const user = newUser(t);
    const body = expectFieldErrors(await user.api.get(`${RestPaths.listRooms}?clients=${user.id}`), [
      'clients',
    ]);
    expect(body.clients).toEqual(['Unknown field.']);
  });

  it('refuses an anonymous caller (401)', async () => {
    expectDetail(await api(t).get(RestPaths.listRooms), 401);
  });
});
