import { RestPaths } from '@hirechat/protocol';
import { describe, expect, it } from 'vitest';
import { type Chat, type User, useChat } from './fixture.js';
import type { TestSocket } from './socket.js';

/*
 * Contract, "Presence": a room socket is told which of the room's participants hold at least one
 * open hirechat socket (room or inbox): on open (after `synced`, where `since` was given), and
 * whenever that set changes. The room detail answers the same set as `online_users`.
 */

/**
 * The socket's next presence event telling exactly this set. Presence is state, told whenever it
 * may have changed (a user who comes online is announced to their rooms while their own socket
 * is told on open), so a socket may hear one set more than once: tests wait for the set they mean.
 */
function told(socket: TestSocket, online: readonly string[]) {
  return socket.next('presence', (event) => JSON.stringify(event.online_users) === JSON.stringify(online));
}

/** The room detail's online_users, as `by` asks for it over REST. */
async function onlineUsers(chat: Chat, by: User, room: string): Promise<string[]> {
  const response = await fetch(new URL(RestPaths.roomDetail(room), chat.ts.url), {
    headers: { authorization: `Bearer ${by.token}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { online_users: string[] }).online_users;
}

describe('WebSocket: presence', () => {
  const harness = useChat();

  it('tells a socket who is online when it opens, itself included', async () => {
    const chat = await harness.start();
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);

    const socket = await chat.connect(client, room.uuid, { presence: true });

    expect(await socket.nextAny()).toStrictEqual({ type: 'presence', online_users: [client.id] });
    socket.send({ type: 'ping' });
    // Nothing but presence before the pong: no event of the room's log without since.
    for (let event = await socket.nextAny(); event.type !== 'pong'; event = await socket.nextAny()) {
      expect(event).toStrictEqual({ type: 'presence', online_users: [client.id] });
    }
  });

  it('sends it after the replay and synced on a socket opened with since', async () => {
    const chat = await harness.start();
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const message = await chat.post(recruiter, room.uuid, 'one');
    await chat.inbox(recruiter);

    const socket = await chat.connect(client, room.uuid, { presence: true, since: '0' });

    expect([
      await socket.nextAny(),
      await socket.nextAny(),
      await socket.nextAny(),
      await socket.nextAny(),
    ]).toStrictEqual([
      { type: 'message_created', message, seq: 1 },
      { type: 'typing', typing_users: [] },
      { type: 'synced', seq: 1 },
      // The recruiter first, then the clients.
      { type: 'presence', online_users: [recruiter.id, client.id] },
    ]);
  });

  it('tells the room when a participant comes (any socket) and when their last socket goes', async () => {
    const chat = await harness.start();
    const [recruiter, a, b] = [chat.user(), chat.user(), chat.user()];
    const room = await chat.room(recruiter, [a, b]);
    const clients = [a.id, b.id].sort();
    const watcher = await chat.connect(recruiter, room.uuid, { presence: true });
    await told(watcher, [recruiter.id]);

    // A's room socket, then B's inbox socket: both count.
    const aSocket = await chat.connect(a, room.uuid);
    await told(watcher, [recruiter.id, a.id]);
    const bInbox = await chat.inbox(b);
    await told(watcher, [recruiter.id, ...clients]);
    expect(await onlineUsers(chat, recruiter, room.uuid)).toEqual([recruiter.id, ...clients]);

    // A second socket of A changes nothing; A leaves the set when the last of them closes.
    const aAgain = await chat.inbox(a);
    await aSocket.close();
    await chat.post(recruiter, room.uuid, 'a barrier: everything before it has been sent');
    await watcher.next('message_created');
    const lastTold = watcher.received.filter((event) => event.type === 'presence').at(-1);
    expect(lastTold).toStrictEqual({ type: 'presence', online_users: [recruiter.id, ...clients] });
    expect(await onlineUsers(chat, recruiter, room.uuid)).toEqual([recruiter.id, ...clients]);
    await aAgain.close();
    await told(watcher, [recruiter.id, b.id]);

    await bInbox.close();
    await told(watcher, [recruiter.id]);
    expect(await onlineUsers(chat, recruiter, room.uuid)).toEqual([recruiter.id]);
  });

  it('tells every room of a user, and no other, when they come online', async () => {
    const chat = await harness.start();
    const [recruiter, client, stranger] = [chat.user(), chat.user(), chat.user()];
    const rooms = [await chat.room(recruiter, [client]), await chat.room(client, [recruiter])];
    const elsewhere = await chat.room(stranger, [chat.user()]);
    const watchers = [
      await chat.connect(recruiter, rooms[0]!.uuid, { presence: true }),
      await chat.connect(recruiter, rooms[1]!.uuid, { presence: true }),
    ];
    const outside = await chat.connect(stranger, elsewhere.uuid, { presence: true });
    await told(outside, [stranger.id]);

    await chat.inbox(client);

    // The recruiter of each room first, then its clients.
    await told(watchers[0]!, [recruiter.id, client.id]);
    await told(watchers[1]!, [client.id, recruiter.id]);
    // The in-process broadcaster delivers as it publishes: had the stranger's room been told, it
    // would have been by now.
    expect(
      outside.received.filter((e) => e.type === 'presence' && e.online_users.includes(client.id)),
    ).toEqual([]);
  });

  it('lists only the room’s participants: someone online elsewhere is not in it', async () => {
    const chat = await harness.start();
    const [recruiter, client, outsider] = [chat.user(), chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const watcher = await chat.connect(client, room.uuid, { presence: true });
    await told(watcher, [client.id]);

    await chat.inbox(outsider);
    await chat.post(recruiter, room.uuid, 'a barrier');
    await watcher.next('message_created');

    expect(await onlineUsers(chat, recruiter, room.uuid)).toEqual([client.id]);
    expect(
      watcher.received.filter((e) => e.type === 'presence' && e.online_users.includes(outsider.id)),
    ).toEqual([]);
  });

  it('tells the room after its participants change: who came in online, and that who left is gone', async () => {
    const chat = await harness.start();
    const [recruiter, a, b] = [chat.user(), chat.user(), chat.user()];
    const room = await chat.room(recruiter, [a]);
    const watcher = await chat.connect(recruiter, room.uuid, { presence: true });
    await chat.inbox(a);
    await told(watcher, [recruiter.id, a.id]);
    await chat.inbox(b);

    await chat.addClients(recruiter, room.uuid, [b]);
    const added = await watcher.next('room_updated');
    await told(watcher, [recruiter.id, ...[a.id, b.id].sort()]);
    expect(added.room.clients).toEqual([a.id, b.id].sort());

    // A is still online (their inbox is open), but no longer in the room.
    await chat.removeClient(recruiter, room.uuid, a);
    await watcher.next('room_updated', (event) => !event.room.clients.includes(a.id));
    await told(watcher, [recruiter.id, b.id]);
  });
});
