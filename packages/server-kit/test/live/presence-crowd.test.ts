import { RestPaths, type ServerEventMap } from '@hirechat/protocol';
import { describe, expect, it } from 'vitest';
import type { TestSocket } from '../ws/socket.js';
import { useTwoServers } from './two-servers.js';

/*
 * Contract, "Presence", across processes: each server announces in batches the users who came or
 * went on it, and every socket of the room, on either server, still hears the exact set last when
 * a crowd comes to both at once, and again when it goes.
 */

const CROWD = 10;

/** Resolves once the socket hears exactly `online`, in a frame after its first `from` frames. */
function hears(socket: TestSocket, online: readonly string[], from = 0): Promise<ServerEventMap['presence']> {
  return socket.next(
    'presence',
    (event) =>
      socket.received.indexOf(event) >= from && JSON.stringify(event.online_users) === JSON.stringify(online),
  );
}

describe('presence in batches across two servers', () => {
  const twoServers = useTwoServers();

  it('tells every socket of both servers the exact set after a crowd comes to both, and after it goes', async () => {
    const { first, second, user, call, open } = await twoServers({ states: 'redis' });
    const recruiter = user();
    const crowd = Array.from({ length: CROWD }, () => user());
    const created = await call(first, recruiter.token, 'POST', RestPaths.createRoom, {
      recruiter: recruiter.id,
      clients: crowd.map((client) => client.id),
    });
    expect(created.status).toBe(201);
    const room = (created.body as { uuid: string }).uuid;
    const everyone = [recruiter.id, ...crowd.map((client) => client.id).sort()];
    const watchers = [await open(first, room, recruiter.token), await open(second, room, recruiter.token)];
    await Promise.all(watchers.map((watcher) => hears(watcher, [recruiter.id])));

    // Half the crowd on each server, all at once.
    const sockets = await Promise.all(
      crowd.map((client, i) => open(i % 2 === 0 ? first : second, room, client.token)),
    );
    await Promise.all([...watchers, ...sockets].map((socket) => hears(socket, everyone)));

    // All the crowd goes, from both servers at once.
    const from = watchers.map((watcher) => watcher.received.length);
    await Promise.all(sockets.map((socket) => socket.close()));
    await Promise.all(watchers.map((watcher, i) => hears(watcher, [recruiter.id], from[i])));
    // The last set each watcher heard is the exact one: a barrier posted now comes after anything
    // announced before it.
    const posted = await call(second, recruiter.token, 'POST', RestPaths.createMessage, {
      chat_room: room,
      content: 'a barrier',
    });
    expect(posted.status).toBe(201);
    for (const watcher of watchers) {
      await watcher.next('message_created');
      const told = watcher.received.filter((event) => event.type === 'presence');
      expect(told.at(-1)?.online_users).toEqual([recruiter.id]);
    }
  });
});
