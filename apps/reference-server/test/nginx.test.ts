import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { ChatClient } from '@hirechat/client-sdk';
import { RestPaths, SINCE_LATEST, type Since } from '@hirechat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createRoom,
  listMessages,
  newUser,
  postMessage,
  RoomSocket,
  type User,
} from './support/chat.js';
import { type Cluster, startCluster } from './support/cluster.js';
import { DEPLOY_NGINX_CONF, type Nginx, SEED_WS_BLOCK, startNginx } from './support/nginx.js';
import type { ServerProcess } from './support/processes.js';

/*
 * Two real reference-server processes behind a real nginx running deploy/nginx.conf (the seed's
 * /ws/ block verbatim, only the ports and log path changed): clients that see only nginx's port
 * cannot tell that there are two processes.
 */

const BURST = 40;
/** Concurrent request loops during the rolling restart, and the most requests each one sends. */
const WORKERS = 4;
const MAX_REQUESTS_PER_WORKER = 5_000;

describe('two processes behind nginx, with the seed’s /ws/ block', () => {
  let cluster: Cluster;
  let nginx: Nginx;
  const sockets: RoomSocket[] = [];

  const users = () => ({
    recruiter: newUser(cluster.secret, 'recruiter'),
    client: newUser(cluster.secret, 'client'),
  });

  /** Opens a socket through nginx; answers it with the process whose log says it joined there. */
  const openThroughNginx = async (room: string, user: User, since?: Since) => {
    const marks = cluster.servers.map((server) => server.output.mark());
    const socket = await RoomSocket.open(nginx.wsUrl, room, user, since);
    sockets.push(socket);
    const server = await Promise.any(
      cluster.servers.map((server, i) =>
        server.output
          .waitFor((r) => r.msg === 'socket joined' && r.user === user.id, {
            after: marks[i],
            timeoutMs: 5_000,
          })
          .then(() => server),
      ),
    );
    return { socket, server };
  };

  /** Opens sockets through nginx until one lands on a process other than `notOn`. */
  const openOn = async (room: string, user: User, notOn?: ServerProcess, since?: Since) => {
    for (let attempt = 0; attempt < 4; attempt++) {
      const opened = await openThroughNginx(room, user, since);
      if (opened.server !== notOn) return opened;
      // Round robin sends the next one elsewhere; this one stays open, which is harmless.
    }
    throw new Error('nginx sent every socket to the same process');
  };

  beforeAll(async () => {
    // The rolling restart's traffic is one recruiter posting and reading as fast as four loops
    // can, far above what a person does: both limits are raised, and the restart alone is under
    // test (reads were left at their limit once, and a faster write path took them past it).
    cluster = await startCluster({
      processes: 2,
      env: {
        RATE_LIMIT_WRITES_PER_S: '100000',
        RATE_LIMIT_WRITES_BURST: '1000000',
        RATE_LIMIT_READS_PER_S: '100000',
        RATE_LIMIT_READS_BURST: '1000000',
      },
    });
    nginx = await startNginx(cluster.servers.map((server) => server.port));
  });

  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.close()));
    await nginx?.stop();
    await cluster?.stop();
  });

  it('runs deploy/nginx.conf, whose /ws/ block is the seed’s, byte for byte', async () => {
    expect(await readFile(DEPLOY_NGINX_CONF, 'utf8')).toContain(SEED_WS_BLOCK);
    expect(nginx.conf).toContain(SEED_WS_BLOCK);
    for (const server of cluster.servers)
      expect(nginx.conf).toMatch(new RegExp(`\n {4}server 127\\.0\\.0\\.1:${server.port}[ ;]`));
  });

  it('spreads REST over both processes', async () => {
    for (let i = 0; i < 4; i++) {
      expect(await call(nginx.url, null, 'GET', RestPaths.health)).toMatchObject({ status: 200 });
    }
    for (const server of cluster.servers) {
      await server.output.waitFor((r) => r.msg === 'request' && r.path === RestPaths.health);
    }
  });

  it('delivers a burst posted through nginx (so on both processes) to every socket, in the stored order', async () => {
    const { recruiter, client } = users();
    const room = await createRoom(nginx.url, recruiter, [client]);
    // One socket as the seed's front end opens it, one with `since=latest` as the client SDK does:
    // writes on two processes may publish out of seq order, and both must still get every event.
    const a = await openOn(room, client);
    const b = await openOn(room, recruiter, a.server, SINCE_LATEST);

    const posts = await Promise.all(
      Array.from({ length: BURST }, (_, i) => postMessage(nginx.url, recruiter, room, `burst ${i}`)),
    );
    expect(posts.map((post) => post.status)).toEqual(posts.map(() => 201));
    const stored = await listMessages(nginx.url, client, room);
    expect(stored).toHaveLength(BURST);
    for (const { socket } of [a, b]) {
      await socket.waitForCreated(stored.map((message) => message.uuid));
      expect(socket.created).toEqual(stored);
    }
    // Both processes took some of the writes.
    for (const server of cluster.servers) {
      expect(server.output.records.some((r) => r.path === RestPaths.createMessage && r.status === 201)).toBe(
        true,
      );
    }
  });

  it('shows typing across processes, and clears it when the typist leaves', async () => {
    const { recruiter, client } = users();
    const room = await createRoom(nginx.url, recruiter, [client]);
    const watcher = await openOn(room, client);
    const typist = await openOn(room, recruiter, watcher.server);

    typist.socket.send({ type: 'typing', typing: true });
    await watcher.socket.waitFor((e) => e.type === 'typing' && e.typing_users.join() === recruiter.id);
    const mark = watcher.socket.events.length;
    await typist.socket.close();
    await watcher.socket.waitFor((e) => e.type === 'typing' && e.typing_users.length === 0, { after: mark });
  });

  it('shows a read across processes', async () => {
    const { recruiter, client } = users();
    const room = await createRoom(nginx.url, recruiter, [client]);
    const sender = await openOn(room, recruiter);
    const reader = await openOn(room, client, sender.server);
    const posted = await postMessage(nginx.url, recruiter, room, 'read me');
    await reader.socket.waitForCreated([posted.body.uuid]);

    reader.socket.send({ type: 'message_read', message_id: posted.body.uuid });
    expect(await sender.socket.waitFor((e) => e.type === 'message_read')).toMatchObject({
      message_id: posted.body.uuid,
      user_id: client.id,
    });
  });

  it('carries the SDK’s live room and inbox, their token in the handshake subprotocol', async () => {
    const { recruiter, client } = users();
    const room = await createRoom(nginx.url, recruiter, [client]);
    const chat = new ChatClient({ baseUrl: nginx.url, token: recruiter.token });
    const live = chat.connect(room);
    const inbox = chat.inbox();
    try {
      const created: string[] = [];
      live.on('message_created', (event) => created.push(event.message.uuid));
      await Promise.all([live.opened, inbox.opened]);
      const unread = new Promise<number>((resolve) =>
        inbox.on('message_created', (event) => resolve(event.unread_count)),
      );

      const posted = await postMessage(nginx.url, client, room, 'through nginx');

      expect(await unread).toBe(1);
      await expect.poll(() => created).toEqual([posted.body.uuid]);
      expect(inbox.getSnapshot()).toMatchObject([{ uuid: room, unread_count: 1 }]);
      // nginx passed the subprotocol on both ways: the processes took the token from it.
      expect(live.status).toBe('open');
      expect(inbox.status).toBe('open');
    } finally {
      live.close();
      inbox.close();
    }
  });

  it('lets a rolling restart of every process through without a 502, and posts each message once', async () => {
    const { recruiter, client } = users();
    const room = await createRoom(nginx.url, recruiter, [client]);
    const answers: Array<{ method: string; status: number; body: string }> = [];
    const created: string[] = [];

    // Traffic through nginx for the whole restart: WORKERS loops of one request after another,
    // posts between reads, bounded in count and stopped once every process has restarted.
    let restarting = true;
    const traffic = Array.from({ length: WORKERS }, async (_, worker) => {
      for (let i = 0; restarting && i < MAX_REQUESTS_PER_WORKER; i++) {
        const post = i % 2 === 0;
        const response = await fetch(
          post
            ? nginx.url + RestPaths.createMessage
            : `${nginx.url}${RestPaths.listMessages}?chat_room=${room}&limit=1`,
          {
            method: post ? 'POST' : 'GET',
            headers: {
              Authorization: `Bearer ${(post ? recruiter : client).token}`,
              ...(post && { 'Content-Type': 'application/json' }),
            },
            ...(post && { body: JSON.stringify({ chat_room: room, content: `worker ${worker}, ${i}` }) }),
            signal: AbortSignal.timeout(15_000),
          },
        );
        const body = await response.text();
        answers.push({ method: post ? 'POST' : 'GET', status: response.status, body });
        if (post && response.status === 201) created.push((JSON.parse(body) as { uuid: string }).uuid);
      }
    });

    // One process after another, as the README says: restart it, and as soon as it listens again,
    // the next. Each restart comes well within nginx's fail_timeout of the one before.
    try {
      for (const server of [...cluster.servers]) {
        const before = answers.length;
        await cluster.restart(server);
        expect(answers.length, 'traffic went on during the restart').toBeGreaterThan(before);
      }
      // Every new process is in nginx's rotation (while the traffic goes on).
      for (const server of cluster.servers) {
        await server.output.waitFor((r) => r.msg === 'request' && r.path === RestPaths.createMessage);
      }
    } finally {
      restarting = false;
      await Promise.all(traffic);
    }

    const failures = answers.filter((answer) => answer.status !== (answer.method === 'POST' ? 201 : 200));
    expect(failures, nginx.errorLog()).toEqual([]);
    // The traffic did meet the stopped processes: nginx found them refusing and passed it on.
    expect(nginx.errorLog()).toContain(
      'connect() failed (111: Connection refused) while connecting to upstream',
    );
    // nginx passed no post on to a second process after the first had taken it: each is stored once.
    const chat = new ChatClient({ baseUrl: nginx.url, token: client.token });
    const stored: string[] = [];
    for await (const message of chat.messages.history({ chat_room: room })) stored.push(message.uuid);
    expect(stored.sort()).toEqual(created.sort());
  }, 120_000);

  it('keeps answering, and delivering to the survivor’s sockets, when one process is killed', async () => {
    const { recruiter, client } = users();
    const room = await createRoom(nginx.url, recruiter, [client]);
    const victim = await openOn(room, recruiter);
    const survivor = await openOn(room, client, victim.server);

    const dropped = once(victim.socket.ws, 'close');
    await victim.server.kill();
    await dropped;

    // nginx finds the dead process refusing connections and passes the requests to the other.
    const posts = [];
    for (let i = 0; i < 6; i++) posts.push(await postMessage(nginx.url, recruiter, room, `after ${i}`));
    expect(posts.map((post) => post.status)).toEqual(posts.map(() => 201));
    await survivor.socket.waitForCreated(posts.map((post) => post.body.uuid));
    expect(survivor.socket.created.map((message) => message.content)).toEqual(
      posts.map((_, i) => `after ${i}`),
    );

    // A new socket through nginx lands on the survivor and works.
    const again = await RoomSocket.open(nginx.wsUrl, room, recruiter);
    sockets.push(again);
    const last = await postMessage(nginx.url, client, room, 'still here');
    await again.waitForCreated([last.body.uuid]);
  });
});
