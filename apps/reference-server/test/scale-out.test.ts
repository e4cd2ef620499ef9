import { once } from 'node:events';
import { RestPaths } from '@hirechat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createRoom,
  listMessages,
  newUser,
  postFile,
  postMessage,
  RoomSocket,
  type User,
} from './support/chat.js';
import { type Cluster, startCluster } from './support/cluster.js';
import type { ServerProcess } from './support/processes.js';

/*
 * Two real reference-server processes, started at once on a fresh PostgreSQL database and one
 * Redis, addressed directly: whatever happens on one is seen on the other, as if they were one.
 * (nginx.test.ts does the same through nginx.)
 */

const BURST = 40;

describe('two processes on one PostgreSQL database and one Redis', () => {
  let cluster: Cluster;
  let first: ServerProcess;
  let second: ServerProcess;
  const sockets: RoomSocket[] = [];

  const open = async (server: ServerProcess, room: string, user: User) => {
    const socket = await RoomSocket.open(server.wsUrl, room, user);
    sockets.push(socket);
    return socket;
  };
  const users = () => ({
    recruiter: newUser(cluster.secret, 'recruiter'),
    client: newUser(cluster.secret, 'client'),
  });

  beforeAll(async () => {
    cluster = await startCluster({ processes: 2 });
    [first, second] = cluster.servers as [ServerProcess, ServerProcess];
  });

  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.close()));
    await cluster?.stop();
  });

  it('both start on the empty database at once (the migrations take turns) and are healthy', async () => {
    for (const server of [first, second]) {
      const health = await call(server.url, null, 'GET', RestPaths.health);
      expect(health).toEqual({ status: 200, body: { status: 'ok', database: 'ok', broadcast: 'ok' } });
      // Each says where its data and events are, without the credentials.
      expect(server.output.records.some((r) => r.msg === 'data in PostgreSQL')).toBe(true);
      expect(server.output.records.some((r) => r.msg === 'events, typing state and presence in Redis')).toBe(
        true,
      );
    }
  });

  it('delivers a burst posted on the first to sockets on both, in the order it was stored', async () => {
    const { recruiter, client } = users();
    const room = await createRoom(first.url, recruiter, [client]);
    const onSecond = await open(second, room, client);
    const onFirst = await open(first, room, recruiter);

    const posts = await Promise.all(
      Array.from({ length: BURST }, (_, i) => postMessage(first.url, recruiter, room, `burst ${i}`)),
    );
    expect(posts.map((post) => post.status)).toEqual(posts.map(() => 201));

    // The second process reads what the first stored.
    const stored = await listMessages(second.url, client, room);
    expect(stored.map((message) => message.uuid).sort()).toEqual(posts.map((post) => post.body.uuid).sort());
    for (const socket of [onSecond, onFirst]) {
      await socket.waitForCreated(stored.map((message) => message.uuid));
      // Each once, in the stored order, exactly as stored.
      expect(socket.created).toEqual(stored);
    }
  });

  it('shows typing started on the first on the second, and clears it when the typist leaves', async () => {
    const { recruiter, client } = users();
    const room = await createRoom(second.url, recruiter, [client]);
    const watcher = await open(second, room, client);
    const typist = await open(first, room, recruiter);

    typist.send({ type: 'typing', typing: true });
    await watcher.waitFor((e) => e.type === 'typing' && e.typing_users.join() === recruiter.id);

    const mark = watcher.events.length;
    const leftAt = Date.now();
    await typist.close();
    await watcher.waitFor((e) => e.type === 'typing' && e.typing_users.length === 0, { after: mark });
    // The leave cleared it, not the expiry (TYPING_TIMEOUT_MS is a minute in these tests).
    expect(Date.now() - leftAt).toBeLessThan(5_000);
  });

  it('ends typing started on the first when the typist posts through the second, after the message, on both', async () => {
    const { recruiter, client } = users();
    const room = await createRoom(first.url, recruiter, [client]);
    const typist = await open(first, room, recruiter);
    const watcher = await open(second, room, client);
    typist.send({ type: 'typing', typing: true });
    for (const socket of [typist, watcher]) {
      await socket.waitFor((e) => e.type === 'typing' && e.typing_users.join() === recruiter.id);
    }
    const marks = [typist.events.length, watcher.events.length];

    // The second process never saw the typing start: only the shared state knows of it.
    const posted = await postMessage(second.url, recruiter, room, 'done typing');
    expect(posted.status).toBe(201);

    for (const [i, socket] of [typist, watcher].entries()) {
      const ended = await socket.waitFor((e) => e.type === 'typing' && e.typing_users.length === 0, {
        after: marks[i],
      });
      const created = socket.events.findIndex(
        (e, at) => at >= marks[i]! && e.type === 'message_created' && e.message.uuid === posted.body.uuid,
      );
      expect(created).toBeGreaterThanOrEqual(0);
      expect(socket.events.indexOf(ended)).toBeGreaterThan(created);
    }
  });

  it('shows a read on the second on the first', async () => {
    const { recruiter, client } = users();
    const room = await createRoom(first.url, recruiter, [client]);
    const sender = await open(first, room, recruiter);
    const reader = await open(second, room, client);
    const posted = await postMessage(first.url, recruiter, room, 'read me');
    await reader.waitForCreated([posted.body.uuid]);

    reader.send({ type: 'message_read', message_id: posted.body.uuid });
    const read = await sender.waitFor((e) => e.type === 'message_read');
    expect(read).toMatchObject({ type: 'message_read', message_id: posted.body.uuid, user_id: client.id });
    const detail = await call(first.url, recruiter, 'GET', RestPaths.messageDetail(posted.body.uuid));
    expect(detail.body).toMatchObject({ is_viewed: true, read_by: [client.id] });
  });

  it('signs file URLs with one key: a URL from the first downloads from the second with no token', async () => {
    const { recruiter, client } = users();
    const room = await createRoom(first.url, recruiter, [client]);
    const data = new TextEncoder().encode('%PDF-1.4 shared\n');
    const posted = await postFile(first.url, client, room, { name: 'cv.pdf', data });
    expect(posted.status).toBe(201);
    const [fromSecond] = await listMessages(second.url, recruiter, room);

    // Both processes derive the key from the JWT_SECRET they share, and sign alike.
    for (const [server, url] of [
      [second, posted.body.file_url],
      [first, fromSecond?.file_url],
    ] as const) {
      const response = await fetch(server.url + url, { signal: AbortSignal.timeout(10_000) });
      expect(response.status, `${url} on ${server.url}`).toBe(200);
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(data);
    }
    for (const server of [first, second]) {
      expect(
        server.output.records.some(
          (r) => r.msg === 'signing media URLs' && r.key === 'derived from the JWT secret',
        ),
      ).toBe(true);
    }
  });

  it('keeps serving on the second, and its sockets keep receiving, when the first is killed', async () => {
    const { recruiter, client } = users();
    const room = await createRoom(first.url, recruiter, [client]);
    const onFirst = await open(first, room, recruiter);
    const onSecond = await open(second, room, client);
    const before = await postMessage(first.url, recruiter, room, 'before the crash');
    await onSecond.waitForCreated([before.body.uuid]);

    const dropped = once(onFirst.ws, 'close');
    await first.kill();
    await dropped;

    const after = [];
    for (let i = 0; i < 5; i++)
      after.push(await postMessage(second.url, recruiter, room, `after the crash ${i}`));
    expect(after.map((post) => post.status)).toEqual([201, 201, 201, 201, 201]);
    await onSecond.waitForCreated(after.map((post) => post.body.uuid));
    expect(onSecond.created.map((message) => message.content)).toEqual([
      'before the crash',
      ...after.map((_, i) => `after the crash ${i}`),
    ]);
    expect((await call(second.url, null, 'GET', RestPaths.health)).status).toBe(200);
  });

  it('closes its sockets with 1001 and exits 0 on SIGTERM, after closing Redis and the database', async () => {
    const { recruiter, client } = users();
    const room = await createRoom(second.url, recruiter, [client]);
    const socket = await open(second, room, client);
    const closed = once(socket.ws, 'close') as Promise<[number, Buffer]>;
    const exited = once(second.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const mark = second.output.mark();
    second.child.kill('SIGTERM');
    expect((await closed)[0]).toBe(1001);
    expect(await exited).toEqual([0, null]);
    expect(second.output.records.some((r) => r.msg === 'stopped')).toBe(true);
    // Nothing failed on the way down (a port closed twice, a client quit while in use...).
    expect(second.output.records.slice(mark).filter((r) => Number(r.level) >= 50)).toEqual([]);
  });
});
