import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChatRoom, LoggedRoomEvent, Message } from '@hirechat/protocol';
import { isLoggedRoomEvent, RestPaths } from '@hirechat/protocol';
import { createTestDatabase, type TestDatabase } from '@hirechat/server-kit/testing';
import LinkHeader from 'http-link-header';
import { afterEach, describe, expect, it } from 'vitest';
import { call, createRoom, newSecret, newUser, postMessage, RoomSocket, type User } from './support/chat.js';
import { cleanEnv, type ServerProcess, startServerProcess } from './support/processes.js';

/*
 * Issue 9: a server killed (SIGKILL) in the middle of a burst of writes loses nothing it
 * acknowledged, and comes back consistent: every message answered 201 is there, the room's seq
 * numbers exactly the logged events of what is stored, and each participant's unread count is
 * what the messages and their reads say. On SQLite and on PostgreSQL.
 */

/** Writers posting at once, and the acknowledged messages after which the server is killed. */
const WRITERS = 8;
const KILL_AFTER_ACKS = 150;

interface Deployment {
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

async function sqliteDeployment(): Promise<Deployment> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hirechat-crash-'));
  return {
    env: { DATA_DIR: dataDir },
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
  };
}

async function postgresDeployment(): Promise<Deployment> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hirechat-crash-'));
  let database: TestDatabase | undefined;
  try {
    database = await createTestDatabase();
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    env: { DATA_DIR: dataDir, DATABASE_URL: database.url },
    async cleanup() {
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Every message of the room, oldest first, following the list's `Link` from page to page. */
async function allMessages(url: string, user: User, room: string): Promise<Message[]> {
  const pages: Message[][] = [];
  let next: string | null = `${RestPaths.listMessages}?chat_room=${room}&limit=200`;
  while (next) {
    const response: Response = await fetch(url + next, {
      headers: { Authorization: `Bearer ${user.token}` },
    });
    expect(response.status).toBe(200);
    pages.unshift((await response.json()) as Message[]);
    const link: string | null = response.headers.get('link');
    next = link ? (LinkHeader.parse(link).rel('next')[0]?.uri ?? null) : null;
  }
  return pages.flat();
}

describe.each([
  ['SQLite', sqliteDeployment],
  ['PostgreSQL', postgresDeployment],
] as const)('SIGKILL during a burst of writes, on %s', (_, deploy) => {
  let deployment: Deployment | undefined;
  const servers: ServerProcess[] = [];

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.kill()));
    await deployment?.cleanup();
    deployment = undefined;
  });

  it('keeps every acknowledged message, and the seq and unread counts agree with what is stored', async () => {
    deployment = await deploy();
    const secret = newSecret();
    const env = {
      ...cleanEnv(),
      ...deployment.env,
      JWT_SECRET: secret,
      LOG_LEVEL: 'info',
      // Writers and a reader as fast as they can go, far above what people do: their limits are
      // raised, so that only the crash is under test.
      RATE_LIMIT_WRITES_PER_S: '100000',
      RATE_LIMIT_WRITES_BURST: '1000000',
      RATE_LIMIT_FRAMES: '1000000',
    };
    const before = await startServerProcess(env);
    servers.push(before);

    const [recruiter, writer, reader] = [
      newUser(secret, 'recruiter'),
      newUser(secret, 'client'),
      newUser(secret, 'client'),
    ];
    const room = await createRoom(before.url, recruiter, [writer, reader]);
    // The reader reads (message_read) every message it hears of, so that reads are in the burst too.
    const readerSocket = await RoomSocket.open(before.wsUrl, room, reader);
    let heard = 0;
    const readAlong = setInterval(() => {
      const created = readerSocket.created;
      for (const message of created.slice(heard)) {
        if (readerSocket.closeInfo) break;
        readerSocket.send({ type: 'message_read', message_id: message.uuid });
      }
      heard = created.length;
    }, 5);

    const acknowledged: Message[] = [];
    let killing: Promise<void> | undefined;
    const write = async (author: User, n: number) => {
      for (let i = 0; ; i++) {
        let answer: Awaited<ReturnType<typeof postMessage>>;
        try {
          answer = await postMessage(before.url, author, room, `${n}-${i}`);
        } catch {
          return; // The server is gone.
        }
        if (answer.status !== 201) throw new Error(`a write was refused: ${JSON.stringify(answer)}`);
        acknowledged.push(answer.body);
        if (acknowledged.length >= KILL_AFTER_ACKS) killing ??= before.kill();
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, (_, n) => write(n % 2 ? writer : recruiter, n)));
    await killing;
    clearInterval(readAlong);
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);

    const after = await startServerProcess(env);
    servers.push(after);
    const stored = await allMessages(after.url, recruiter, room);

    // Every acknowledged message is there, exactly as it was answered (reads aside).
    const byUuid = new Map(stored.map((message) => [message.uuid, message]));
    for (const message of acknowledged) {
      expect(byUuid.get(message.uuid), message.uuid).toEqual({
        ...message,
        read_by: expect.any(Array),
        is_viewed: expect.any(Boolean),
      });
    }
    // The log holds exactly one event per stored message and per stored read, numbered 1..seq.
    const replaying = await RoomSocket.open(after.wsUrl, room, recruiter, 0);
    const synced = await replaying.waitFor((event) => event.type === 'synced');
    await replaying.close();
    const logged = replaying.events.filter(isLoggedRoomEvent) as LoggedRoomEvent[];
    const seq = synced.type === 'synced' ? synced.seq : -1;
    expect(logged.map((event) => event.seq)).toEqual(Array.from({ length: seq }, (_, i) => i + 1));
    const createdEvents = logged.flatMap((event) =>
      event.type === 'message_created' ? [event.message.uuid] : [],
    );
    expect(new Set(createdEvents)).toEqual(new Set(stored.map((message) => message.uuid)));
    expect(createdEvents).toHaveLength(stored.length);
    const readEvents = logged.flatMap((event) =>
      event.type === 'message_read' ? [`${event.message_id} ${event.user_id}`] : [],
    );
    const reads = stored.flatMap((message) => message.read_by.map((user) => `${message.uuid} ${user}`));
    expect(readEvents.sort()).toEqual(reads.sort());
    expect(seq).toBe(stored.length + reads.length);
    // Not vacuous: reads were part of the burst, and whatever was stored includes what was answered.
    expect(reads.length).toBeGreaterThan(0);
    expect(stored.length).toBeGreaterThanOrEqual(acknowledged.length);

    // Each participant's unread count: the messages of others that they have not read.
    for (const user of [recruiter, writer, reader]) {
      const rooms = await call<ChatRoom[]>(after.url, user, 'GET', RestPaths.listRooms);
      const unread = stored.filter((m) => m.sender !== user.id && !m.read_by.includes(user.id)).length;
      expect(rooms.body.find((r) => r.uuid === room)?.unread_count, `unread count of ${user.id}`).toBe(
        unread,
      );
    }
  }, 90_000);
});
