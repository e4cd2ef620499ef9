import { RestPaths } from '@hirechat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createRoom, listMessages, newUser, postMessage, RoomSocket } from './support/chat.js';
import { type Cluster, startCluster } from './support/cluster.js';
import type { ServerProcess } from './support/processes.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

/*
 * A reference-server process whose DATABASE_URL goes through a proxy that the test can cut, as if
 * PostgreSQL went down (new connections refused, open ones reset), and restore. The machine's
 * PostgreSQL itself, which other suites use, is never touched.
 */

const UNAVAILABLE = { detail: 'The database is unavailable; try again shortly.', code: 'unavailable' };
/** Far below what a hang would take; a refused connection fails in milliseconds. */
const PROMPTLY_MS = 3_000;

describe('PostgreSQL going away and coming back, through the reference server', () => {
  let proxy: TcpProxy;
  let cluster: Cluster;
  let server: ServerProcess;

  beforeAll(async () => {
    cluster = await startCluster({
      processes: 1,
      databaseUrl: async (fresh) => {
        const url = new URL(fresh);
        proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
        url.port = String(proxy.port);
        return url.toString();
      },
    });
    [server] = cluster.servers as [ServerProcess];
  });

  afterAll(async () => {
    await cluster?.stop();
    await proxy?.close();
  });

  it('answers 503 with a clear body at once while the database is away, and recovers by itself', async () => {
    const recruiter = newUser(cluster.secret, 'recruiter');
    const client = newUser(cluster.secret, 'client');
    const room = await createRoom(server.url, recruiter, [client]);
    const watcher = await RoomSocket.open(server.wsUrl, room, client);
    await postMessage(server.url, recruiter, room, 'before');

    await proxy.cut();

    const started = performance.now();
    const [post, list, newcomer, health] = await Promise.all([
      postMessage(server.url, recruiter, room, 'while down'),
      // A user whose token's claims the server would have to store first.
      call(server.url, newUser(cluster.secret, 'client'), 'GET', RestPaths.listRooms),
      call(server.url, client, 'GET', `${RestPaths.listMessages}?chat_room=${room}`),
      call(server.url, null, 'GET', RestPaths.health),
    ]);
    // A new socket cannot be admitted without the database: closed, as one to retry.
    const refused = await RoomSocket.open(server.wsUrl, room, recruiter);
    expect(await refused.closed()).toEqual({ code: 1011, reason: UNAVAILABLE.detail });
    expect(performance.now() - started).toBeLessThan(PROMPTLY_MS);
    for (const answer of [post, list, newcomer]) expect(answer).toEqual({ status: 503, body: UNAVAILABLE });
    expect(health).toEqual({
      status: 503,
      body: { detail: 'Unavailable.', code: 'unavailable', database: 'unreachable', broadcast: 'ok' },
    });

    await proxy.restore();

    // The same process, not restarted: its pool makes new connections, and the socket that was
    // open all along hears about the next message.
    const after = await postMessage(server.url, recruiter, room, 'after');
    expect(after.status).toBe(201);
    await watcher.waitForCreated([after.body.uuid]);
    expect((await listMessages(server.url, client, room)).map((m) => m.content)).toEqual(['before', 'after']);
    expect(await call(server.url, null, 'GET', RestPaths.health)).toMatchObject({ status: 200 });
    expect(server.child.exitCode).toBeNull();
    await watcher.close();
  });
});
