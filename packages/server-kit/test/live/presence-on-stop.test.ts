import { CloseCode, RestPaths } from '@hirechat/protocol';
import { describe, expect, it } from 'vitest';
import { useTwoServers } from './two-servers.js';

/*
 * A server that stops closes its sockets (1001), and its users who had no other socket go
 * offline: the other servers' sockets must hear so before the stopping server lets go of its
 * storage and broadcaster, or they would show those users online for as long as they stay open.
 */

describe('presence when a server stops', () => {
  const twoServers = useTwoServers();

  it("tells the other server's sockets that the users of the stopped one went offline", async () => {
    const { first, second, presences, user, call, open } = await twoServers({ presence: 'redis' });
    const [recruiter, client] = [user(), user()];
    const created = await call(second, recruiter.token, 'POST', RestPaths.createRoom, {
      recruiter: recruiter.id,
      clients: [client.id],
    });
    expect(created.status).toBe(201);
    const room = (created.body as { uuid: string }).uuid;
    const leaving = await open(first, room, client.token);
    const watcher = await open(second, room, recruiter.token);
    await watcher.next('presence', (event) => event.online_users.length === 2);

    // Stops the server, then closes its presence state and storage, as a process on its way out does.
    await first.server.stop();
    await presences[0].close();
    await first.stop();

    expect((await leaving.closed()).code).toBe(CloseCode.GoingAway);
    // Not when some later change of the room happens to tell: nothing else happens here.
    const gone = await watcher.next('presence', (event) => !event.online_users.includes(client.id));
    expect(gone.online_users).toEqual([recruiter.id]);
  });
});
