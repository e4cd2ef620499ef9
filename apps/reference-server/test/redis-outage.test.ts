import { RestPaths } from '@hirechat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_LOG } from '../src/redis-connections.js';
import {
  type Answer,
  call,
  createRoom,
  listMessages,
  newUser,
  postMessage,
  RoomSocket,
  type User,
} from './support/chat.js';
import { type Cluster, startCluster } from './support/cluster.js';
import type { ServerProcess } from './support/processes.js';

/*
 * Two processes on one PostgreSQL database and a Redis of the test's own, which the test starts
 * late, kills and starts again. Redis carries only events and typing: without it, REST keeps
 * storing and answering, /healthz says 503, and once it is back the same processes deliver again.
 */

const UNHEALTHY = {
  status: 503,
  body: { detail: 'Unavailable.', code: 'unavailable', database: 'ok', broadcast: 'unreachable' },
};
const HEALTHY = { status: 200, body: { status: 'ok', database: 'ok', broadcast: 'ok' } };

/** Waits until every process has logged `msg` for both of its connections, after `marks`. */
async function bothConnections(servers: ServerProcess[], marks: number[], msg: string): Promise<void> {
  await Promise.all(
    servers.flatMap((server, i) =>
      ['pub', 'sub'].map((redis) =>
        server.output.waitFor((r) => r.msg === msg && r.redis === redis, { after: marks[i] }),
      ),
    ),
  );
}

/**
 * Posts messages one after another, alternating between the processes, until stopped; keeps every
 * answer. `answered(n)` resolves once n answers have come in all.
 */
function startTraffic(servers: ServerProcess[], user: User, room: string) {
  const answers: Array<Answer<{ uuid: string }>> = [];
  const waiters: Array<{ count: number; resolve: () => void; reject: (error: unknown) => void }> = [];
  let running = true;
  let failure: unknown;
  const done = (async () => {
    for (let i = 0; running; i++) {
      const server = servers[i % servers.length]!;
      answers.push(await postMessage(server.url, user, room, `traffic ${i}`));
      for (const waiter of waiters.filter((w) => answers.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  })().catch((error: unknown) => {
    // A request that failed outright (no answer at all) fails whatever waits on the traffic.
    failure = error;
    for (const waiter of waiters.splice(0)) waiter.reject(error);
  });
  return {
    answers,
    /** Resolves once `more` answers have come in after the ones already counted. */
    answered(more: number): Promise<void> {
      if (failure !== undefined) return Promise.reject(failure);
      const count = answers.length + more;
      return new Promise((resolve, reject) => waiters.push({ count, resolve, reject }));
    },
    async stop(): Promise<void> {
      running = false;
      await done;
      if (failure !== undefined) throw failure;
    },
  };
}

describe('Redis down at start, then killed and restarted in the middle of traffic', () => {
  let cluster: Cluster;
  let servers: ServerProcess[];
  const sockets: RoomSocket[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ processes: 2, redisRunning: false });
    servers = cluster.servers;
  });

  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.close()));
    await cluster?.stop();
  });

  it('starts without Redis: stores and answers REST, says 503 on /healthz, refuses sockets to retry', async () => {
    const recruiter = newUser(cluster.secret, 'recruiter');
    const client = newUser(cluster.secret, 'client');
    for (const server of servers) {
      expect(server.output.records.some((r) => r.msg === REDIS_LOG.unreachable)).toBe(true);
      expect(await call(server.url, null, 'GET', RestPaths.health)).toEqual(UNHEALTHY);
    }
    const room = await createRoom(servers[0]!.url, recruiter, [client]);
    const posted = await postMessage(servers[1]!.url, client, room, 'no Redis yet');
    expect(posted.status).toBe(201);
    expect((await listMessages(servers[0]!.url, recruiter, room)).map((m) => m.content)).toEqual([
      'no Redis yet',
    ]);

    // A socket cannot be fed without Redis: it is closed as one to retry (not 4401/4403/4404).
    const socket = await RoomSocket.open(servers[0]!.wsUrl, room, client);
    expect((await socket.closed()).code).toBe(1011);
  });

  it('connects by itself once Redis comes up, and events flow between the processes', async () => {
    const marks = servers.map((server) => server.output.mark());
    await cluster.redis.start();
    await bothConnections(servers, marks, REDIS_LOG.ready);
    for (const server of servers)
      expect(await call(server.url, null, 'GET', RestPaths.health)).toEqual(HEALTHY);

    const recruiter = newUser(cluster.secret, 'recruiter');
    const client = newUser(cluster.secret, 'client');
    const room = await createRoom(servers[0]!.url, recruiter, [client]);
    const socket = await RoomSocket.open(servers[1]!.wsUrl, room, client);
    sockets.push(socket);
    const posted = await postMessage(servers[0]!.url, recruiter, room, 'Redis is up');
    await socket.waitForCreated([posted.body.uuid]);
  });

  it('loses nothing stored while Redis is killed and restarted, and delivers again after', async () => {
    const recruiter = newUser(cluster.secret, 'recruiter');
    const client = newUser(cluster.secret, 'client');
    const room = await createRoom(servers[0]!.url, recruiter, [client]);
    const watchers = [
      await RoomSocket.open(servers[0]!.wsUrl, room, recruiter),
      await RoomSocket.open(servers[1]!.wsUrl, room, client),
    ];
    sockets.push(...watchers);

    const traffic = startTraffic(servers, recruiter, room);
    try {
      await traffic.answered(10);

      let marks = servers.map((server) => server.output.mark());
      await cluster.redis.kill();
      await bothConnections(servers, marks, REDIS_LOG.down);
      await traffic.answered(10);
      for (const server of servers)
        expect(await call(server.url, null, 'GET', RestPaths.health)).toEqual(UNHEALTHY);
      // Each process made 5 or more of those writes, and each failed to broadcast: the log says so
      // once per failure and window (it may have said so already, while Redis was down at start),
      // not once per write.
      for (const [i, server] of servers.entries()) {
        const lines = server.output.records.slice(marks[i]).filter((r) => r.msg === 'event not broadcast');
        expect(lines.length).toBeLessThanOrEqual(2);
      }

      marks = servers.map((server) => server.output.mark());
      await cluster.redis.start();
      await bothConnections(servers, marks, REDIS_LOG.restored);
      for (const server of servers)
        expect(await call(server.url, null, 'GET', RestPaths.health)).toEqual(HEALTHY);
      await traffic.answered(10);
    } finally {
      await traffic.stop();
    }

    // Every write was answered 201, through the outage too, and every one is stored.
    expect(traffic.answers.map((answer) => answer.status)).toEqual(traffic.answers.map(() => 201));
    const stored = await listMessages(servers[1]!.url, client, room);
    expect(stored.map((m) => m.uuid).sort()).toEqual(
      traffic.answers.map((answer) => answer.body.uuid).sort(),
    );

    // Delivery resumed on both processes' sockets, which stayed open throughout. What was
    // published while Redis was away came from the room's event log, when the first event after
    // the restart showed the gap: each socket has every message, once, in the stored order.
    for (const socket of watchers) {
      await socket.waitForCreated(stored.map((m) => m.uuid));
      expect(socket.created).toEqual(stored);
      expect(socket.closeInfo).toBeNull();
    }
    for (const server of servers) expect(server.child.exitCode).toBeNull();
  });
});
