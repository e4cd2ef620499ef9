import { CloseCode, RestPaths } from '@hirechat/protocol';
import { describe, expect, it } from 'vitest';
import { useTwoServers } from './two-servers.js';

/*
 * A server that stops closes its sockets (1001), and what those closes set off must reach the
 * other servers before the stopping one lets go of its presence and typing states, broadcaster and
 * storage: its users who had no other socket go offline, and stop typing. Otherwise the other
 * servers' sockets show them online (for as long as they stay open) and typing (until it expires).
 */

describe('a server that stops', () => {
  const twoServers = useTwoServers();

  it("tells the other server's sockets that its users went offline and stopped typing", async () => {
    const { first, second, stop, user, call, open } = await twoServers({ states: 'redis' });
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
    leaving.send({ type: 'typing', typing: true });
    await watcher.next('typing', (event) => event.typing_users.includes(client.id));

    await stop(first);

    expect((await leaving.closed()).code).toBe(CloseCode.GoingAway);
    // Not when some later change of the room happens to tell: nothing else happens here.
    const gone = await watcher.next('presence', (event) => !event.online_users.includes(client.id));
    expect(gone.online_users).toEqual([recruiter.id]);
    // Well before the typing timeout (5 s) would have cleared it.
    expect(await watcher.next('typing', () => true, 2_000)).toEqual({ type: 'typing', typing_users: [] });
  });
});
