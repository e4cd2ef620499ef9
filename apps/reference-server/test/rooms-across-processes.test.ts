import { randomUUID } from 'node:crypto';
import {
  type ChatRoom,
  type ChatRoomDetail,
  CloseCode,
  type InboxServerEvent,
  isLoggedRoomEvent,
  type LoggedRoomEvent,
  type Message,
  RestPaths,
  type ServerEvent,
} from '@hirechat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Answer,
  call,
  createRoom,
  InboxSocket,
  newUser,
  postFile,
  postMessage,
  RoomSocket,
  type User,
} from './support/chat.js';
import { type Cluster, startCluster } from './support/cluster.js';
import type { ServerProcess } from './support/processes.js';

/*
 * Issue 10 across real processes: two reference servers on one PostgreSQL database and one Redis.
 * A removal racing a burst of writes on both, the inbox followed on one process and resumed on the
 * other, and presence when a process is killed. The pair is shared; the last test kills one.
 */

/** Short, so that a killed process's users leave within the test (the default is 30 s). */
const PRESENCE_TIMEOUT_MS = 4_000;
/** Messages each writer of the removal race posts. */
const WRITES_PER_WRITER = 20;

describe('rooms, the inbox and presence across two processes on PostgreSQL and Redis', () => {
  let cluster: Cluster;
  let a: ServerProcess;
  let b: ServerProcess;
  const sockets: Array<RoomSocket | InboxSocket> = [];
  const track = <S extends RoomSocket | InboxSocket>(socket: S): S => {
    sockets.push(socket);
    return socket;
  };
  const user = (role: 'recruiter' | 'client') => newUser(cluster.secret, role);

  beforeAll(async () => {
    cluster = await startCluster({
      processes: 2,
      env: { PRESENCE_TIMEOUT_MS: String(PRESENCE_TIMEOUT_MS) },
    });
    [a, b] = cluster.servers as [ServerProcess, ServerProcess];
  });

  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.close()));
    await cluster?.stop();
  });

  it('removes a client during a burst on both: their sockets on both close 4403 at once, nothing of the room after the removal reaches them, and every path answers 404', async () => {
    const recruiter = user('recruiter');
    const removed = user('client');
    const staying = user('client');
    const room = await createRoom(a.url, recruiter, [removed, staying]);
    const file = await postFile(b.url, removed, room, {
      name: 'cv.pdf',
      data: new TextEncoder().encode('%PDF-1.4 mine\n'),
    });
    expect(file.status).toBe(201);
    const own = await postMessage(a.url, removed, room, 'mine');
    expect(own.status).toBe(201);

    const removedOnA = track(await RoomSocket.open(a.wsUrl, room, removed));
    const removedOnB = track(await RoomSocket.open(b.wsUrl, room, removed));
    const removedInbox = track(await InboxSocket.open(b.wsUrl, removed));
    const witnessOnA = track(await RoomSocket.open(a.wsUrl, room, recruiter));
    const witnessOnB = track(await RoomSocket.open(b.wsUrl, room, staying));

    // Writers on both processes, the removed client among them, go on through the removal.
    let acknowledged = 0;
    let removal: Promise<{ answer: Answer; at: number }> | undefined;
    const removedAnswers: Array<{ status: number; sentAt: number }> = [];
    const write = async (server: ServerProcess, author: User, name: string) => {
      for (let i = 0; i < WRITES_PER_WRITER; i++) {
        const sentAt = Date.now();
        const answer = await postMessage(server.url, author, room, `${name} ${i}`);
        if (author === removed) removedAnswers.push({ status: answer.status, sentAt });
        else expect(answer.status, JSON.stringify(answer.body)).toBe(201);
        acknowledged++;
        // A third of the way in, the recruiter removes the client through process A.
        if (acknowledged === WRITES_PER_WRITER * 2) {
          removal = call(a.url, recruiter, 'DELETE', RestPaths.roomClient(room, removed.id)).then(
            (answer) => ({ answer, at: Date.now() }),
          );
        }
      }
    };
    await Promise.all([
      write(a, recruiter, 'recruiter on A'),
      write(b, staying, 'client on B'),
      write(a, staying, 'client on A'),
      write(b, recruiter, 'recruiter on B'),
      write(b, removed, 'removed on B'),
      write(a, removed, 'removed on A'),
    ]);
    if (!removal) throw new Error('the burst ended before the removal was sent');
    const { answer: removalAnswer, at: removedAt } = await removal;
    expect(removalAnswer.status).toBe(204);

    // The removal's seq, as the room's remaining participants got it on both processes.
    const isRemoval = (event: ServerEvent) =>
      event.type === 'room_updated' && !event.room.clients.includes(removed.id);
    const removalEvent =
      await witnessOnA.waitFor<Extract<LoggedRoomEvent, { type: 'room_updated' }>>(isRemoval);
    expect(await witnessOnB.waitFor(isRemoval)).toEqual(removalEvent);
    expect(removalEvent.room.clients).toEqual([staying.id]);

    for (const socket of [removedOnA, removedOnB]) {
      expect(await socket.closed()).toEqual({
        code: CloseCode.Forbidden,
        reason: 'You are no longer in this chat room.',
      });
      // Contract, "Rooms that change": within a second, on every process.
      expect((socket.closedAt ?? Number.POSITIVE_INFINITY) - removedAt).toBeLessThan(1_000);
      expect(socket.invalid).toEqual([]);
      const seqs = socket.events.filter(isLoggedRoomEvent).map((event) => event.seq);
      // Everything up to the removal, in order, each once; nothing from it on.
      expect(seqs.length).toBeGreaterThan(0);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => removalEvent.seq - seqs.length + i));
      expect(socket.events.some(isRemoval)).toBe(false);
    }

    // Not vacuous: the burst went on past the removal, on both processes' writers.
    const witnessed = witnessOnA.events.filter(isLoggedRoomEvent);
    const after = witnessed.filter(
      (event) => event.seq > removalEvent.seq && event.type === 'message_created',
    );
    expect(after.length).toBeGreaterThan(0);
    // The removed client's own posts: stored before the removal, refused as outsider's after it.
    expect(removedAnswers.every(({ status }) => status === 201 || status === 404)).toBe(true);
    expect(removedAnswers.filter(({ sentAt }) => sentAt > removedAt).map(({ status }) => status)).toEqual(
      removedAnswers.filter(({ sentAt }) => sentAt > removedAt).map(() => 404),
    );

    // Their inbox heard that they lost the room, and nothing of it since.
    const lost = await removedInbox.waitFor((event) => event.type === 'room_removed');
    expect(lost).toMatchObject({ type: 'room_removed', room_id: room });
    const afterLoss = removedInbox.events.slice(removedInbox.events.indexOf(lost) + 1);
    expect(afterLoss.filter((event) => namesRoom(event, room))).toEqual([]);

    // Every path that names the room answers them as if it did not exist, on both processes.
    const nowhere = randomUUID();
    const fileName = file.body.file ?? '';
    for (const server of [a, b]) {
      const asRemoved = (method: string, path: string, body?: unknown) =>
        call(server.url, removed, method, path, body);
      const expectNotFound = async (answer: Promise<Answer>, ghost: Promise<Answer>) => {
        const [got, wanted] = await Promise.all([answer, ghost]);
        expect(got.status).toBe(404);
        expect(got).toEqual(wanted);
      };
      await expectNotFound(
        asRemoved('GET', RestPaths.roomDetail(room)),
        asRemoved('GET', RestPaths.roomDetail(nowhere)),
      );
      await expectNotFound(
        asRemoved('POST', RestPaths.roomClients(room), { clients: [removed.id] }),
        asRemoved('POST', RestPaths.roomClients(nowhere), { clients: [removed.id] }),
      );
      for (const client of [removed, staying]) {
        await expectNotFound(
          asRemoved('DELETE', RestPaths.roomClient(room, client.id)),
          asRemoved('DELETE', RestPaths.roomClient(nowhere, client.id)),
        );
      }
      await expectNotFound(
        asRemoved('POST', RestPaths.createMessage, { chat_room: room, content: 'still here?' }),
        asRemoved('POST', RestPaths.createMessage, { chat_room: nowhere, content: 'still here?' }),
      );
      for (const [method, body] of [
        ['GET', undefined],
        ['PATCH', { content: 'edited' }],
        ['DELETE', undefined],
      ] as const) {
        await expectNotFound(
          asRemoved(method, RestPaths.messageDetail(own.body.uuid), body),
          asRemoved(method, RestPaths.messageDetail(nowhere), body),
        );
      }
      await expectNotFound(
        asRemoved('GET', fileName),
        asRemoved('GET', fileName.replace(/[^/]+$/, 'nothing-here.pdf')),
      );
      // The list filters by room rather than naming one: it answers as for a room that never was.
      const history = await asRemoved('GET', `${RestPaths.listMessages}?chat_room=${room}`);
      expect(history).toEqual(await asRemoved('GET', `${RestPaths.listMessages}?chat_room=${nowhere}`));
      expect(history).toEqual({ status: 200, body: [] });
      const rooms = await asRemoved('GET', RestPaths.listRooms);
      expect(rooms).toEqual({ status: 200, body: [] });
      // A socket to the room is refused as any non-participant's (contract, "WebSocket": 4403),
      // having been sent nothing.
      const refused = await RoomSocket.open(server.wsUrl, room, removed);
      expect(await refused.closed()).toMatchObject({ code: CloseCode.Forbidden });
      expect(refused.events).toEqual([]);
    }
    // The message stays for those still in the room.
    const kept = await call<Message>(b.url, staying, 'GET', RestPaths.messageDetail(own.body.uuid));
    expect(kept).toMatchObject({ status: 200, body: { uuid: own.body.uuid, content: 'mine' } });
  }, 60_000);

  it('follows the inbox on one process as the other writes, and resumes it on the other with since', async () => {
    const recruiter = user('recruiter');
    const [first, second] = [user('client'), user('client')];
    const onA = track(await InboxSocket.open(a.wsUrl, recruiter));

    // Rooms made, and messages posted, through process B.
    const roomOne = await createRoom(b.url, recruiter, [first]);
    const roomTwo = await createRoom(b.url, recruiter, [second]);
    const posted: Message[] = [];
    for (let i = 0; i < 6; i++) {
      const [author, room] = i % 2 === 0 ? [first, roomOne] : [second, roomTwo];
      const answer = await postMessage(b.url, author, room, `to the recruiter ${i}`);
      expect(answer.status).toBe(201);
      posted.push(answer.body);
    }
    const mine = await postMessage(b.url, recruiter, roomOne, 'from the recruiter');
    expect(mine.status).toBe(201);
    await onA.waitForCreated([...posted, mine.body].map((message) => message.uuid));

    // A fresh user's inbox counts from 1: two rooms, then each message with the recruiter's own
    // unread count of its room (their own message leaves it as it was).
    expect(onA.events.map(summary)).toEqual([
      { type: 'room_created', seq: 1, room: roomOne },
      { type: 'room_created', seq: 2, room: roomTwo },
      ...posted.map((message, i) => ({
        type: 'message_created',
        seq: 3 + i,
        room: message.chat_room,
        unread: Math.floor(i / 2) + 1,
      })),
      { type: 'message_created', seq: 9, room: roomOne, unread: 3 },
    ]);
    expect(onA.created).toEqual([...posted, mine.body].map((message) => ({ ...message, file_url: null })));

    // Dropped, while both processes keep writing; resumed on process B with the last seq it had.
    const lastSeq = onA.seqs.at(-1) ?? 0;
    await onA.close();
    const whileAway = [
      await postMessage(a.url, first, roomOne, 'while away, through A'),
      await postMessage(b.url, second, roomTwo, 'while away, through B'),
    ];
    let writing = true;
    const duringResume: Message[] = [];
    const writer = (async () => {
      for (let i = 0; writing || i < 3; i++) {
        const answer = await postMessage(a.url, first, roomOne, `during the resume ${i}`);
        expect(answer.status).toBe(201);
        duringResume.push(answer.body);
      }
    })();
    const onB = track(await InboxSocket.open(b.wsUrl, recruiter, lastSeq));
    const synced = await onB.waitFor<Extract<InboxServerEvent, { type: 'synced' }>>(
      (event) => event.type === 'synced',
    );
    writing = false;
    await writer;
    const everything = [...whileAway.map((answer) => answer.body), ...duringResume];
    await onB.waitForCreated(everything.map((message) => message.uuid));

    // The replay, `synced`, then live events: each seq once, none missing, across both sockets.
    expect(synced.seq).toBeGreaterThanOrEqual(lastSeq + whileAway.length);
    expect(onB.events.filter((event) => event.type === 'synced')).toHaveLength(1);
    const seqs = [...onA.seqs, ...onB.seqs];
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(onB.created.map((message) => message.uuid)).toEqual(everything.map((message) => message.uuid));
    expect(onB.events.some((event) => event.type === 'resync_required')).toBe(false);
    // The unread counts went on from where they were: room one had 3, then every message of `first`.
    const unreadOfRoomOne = onB.events.flatMap((event) =>
      event.type === 'message_created' && event.message.chat_room === roomOne ? [event.unread_count] : [],
    );
    expect(unreadOfRoomOne).toEqual(unreadOfRoomOne.map((_, i) => 4 + i));
    const rooms = await call<ChatRoom[]>(a.url, recruiter, 'GET', RestPaths.listRooms);
    expect(rooms.body.find((room) => room.uuid === roomOne)?.unread_count).toBe(3 + unreadOfRoomOne.length);
  }, 60_000);

  it('tells the other processes at once that the users of a process stopped with SIGTERM went offline and stopped typing', async () => {
    const recruiter = user('recruiter');
    const client = user('client');
    const room = await createRoom(b.url, recruiter, [client]);
    const leaving = track(await RoomSocket.open(a.wsUrl, room, client));
    const watcher = track(await RoomSocket.open(b.wsUrl, room, recruiter));
    const both = [recruiter.id, client.id];
    await watcher.waitFor((event) => event.type === 'presence' && sameSet(event.online_users, both));
    leaving.send({ type: 'typing', typing: true });
    await watcher.waitFor((event) => event.type === 'typing' && sameSet(event.typing_users, [client.id]));

    const mark = watcher.events.length;
    const stoppedAt = Date.now();
    // `systemctl restart`: the process stops, and a new one takes its port.
    const restarted = cluster.restart(a).then((next) => {
      a = next;
    });
    try {
      expect((await leaving.closed()).code).toBe(CloseCode.GoingAway);
      await watcher.waitFor(
        (event) => event.type === 'presence' && sameSet(event.online_users, [recruiter.id]),
        { after: mark, timeoutMs: PRESENCE_TIMEOUT_MS * 3 },
      );
      // Its last socket closed, so it is gone at once, not when the process's lease runs out...
      expect(Date.now() - stoppedAt).toBeLessThan(PRESENCE_TIMEOUT_MS / 2);
      // ...and no longer typing (TYPING_TIMEOUT_MS is a minute here: not by expiry either).
      await watcher.waitFor((event) => event.type === 'typing' && event.typing_users.length === 0, {
        after: mark,
      });
    } finally {
      await restarted;
    }
  }, 60_000);

  it('takes the users of a killed process out of online_users within PRESENCE_TIMEOUT_MS', async () => {
    const recruiter = user('recruiter');
    const client = user('client');
    const room = await createRoom(b.url, recruiter, [client]);
    // The client's only socket is an inbox on A; the recruiter watches the room from B.
    track(await InboxSocket.open(a.wsUrl, client));
    const watcher = track(await RoomSocket.open(b.wsUrl, room, recruiter));
    const both = [recruiter.id, client.id];
    await watcher.waitFor((event) => event.type === 'presence' && sameSet(event.online_users, both));
    const detail = await call<ChatRoomDetail>(b.url, recruiter, 'GET', RestPaths.roomDetail(room));
    expect(new Set(detail.body.online_users)).toEqual(new Set(both));

    const mark = watcher.events.length;
    const killedAt = Date.now();
    await a.kill();
    await watcher.waitFor(
      (event) => event.type === 'presence' && sameSet(event.online_users, [recruiter.id]),
      { after: mark, timeoutMs: PRESENCE_TIMEOUT_MS * 3 },
    );
    expect(Date.now() - killedAt).toBeLessThan(PRESENCE_TIMEOUT_MS);
    const after = await call<ChatRoomDetail>(b.url, recruiter, 'GET', RestPaths.roomDetail(room));
    expect(after.body.online_users).toEqual([recruiter.id]);
    // Not vacuous: the survivor's own sockets kept the recruiter online all along.
    expect(
      watcher.events
        .slice(mark)
        .filter((event) => event.type === 'presence')
        .every((event) => event.type === 'presence' && event.online_users.includes(recruiter.id)),
    ).toBe(true);
  }, 60_000);
});

/** Whether an inbox event is about the room. */
function namesRoom(event: InboxServerEvent, room: string): boolean {
  switch (event.type) {
    case 'room_created':
    case 'room_updated':
      return event.room.uuid === room;
    case 'room_removed':
    case 'unread_changed':
      return event.room_id === room;
    case 'message_created':
    case 'message_updated':
    case 'message_deleted':
      return event.message.chat_room === room;
    default:
      return false;
  }
}

/** An inbox event in brief, for comparing a stream of them at a glance. */
function summary(event: InboxServerEvent) {
  switch (event.type) {
    case 'room_created':
      return { type: event.type, seq: event.seq, room: event.room.uuid };
    case 'message_created':
      return { type: event.type, seq: event.seq, room: event.message.chat_room, unread: event.unread_count };
    default:
      return { type: event.type };
  }
}

function sameSet(actual: readonly string[], expected: readonly string[]): boolean {
  return actual.length === expected.length && expected.every((user) => actual.includes(user));
}
