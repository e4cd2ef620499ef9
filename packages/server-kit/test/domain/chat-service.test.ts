import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message, RoomEvent } from '@hirechat/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessBroadcaster } from '../../src/broadcast/in-process-broadcaster.js';
import type { Caller, Role } from '../../src/domain/caller.js';
import { ChatError } from '../../src/domain/chat-error.js';
import { ChatService } from '../../src/domain/chat-service.js';
import { MediaUrls } from '../../src/domain/media-urls.js';
import { LocalFileStore } from '../../src/files/local-file-store.js';
import { JwtIdentity } from '../../src/identity/jwt-identity.js';
import { type BroadcastEvent, type Broadcaster, roomTopic, type Topic } from '../../src/ports/broadcaster.js';
import type { Logger } from '../../src/ports/logger.js';
import type { TypingState } from '../../src/ports/typing-state.js';
import { InProcessPresenceState } from '../../src/presence/in-process-presence-state.js';
import type { KnexChatStorage } from '../../src/storage/knex-chat-storage.js';
import { InProcessTypingState } from '../../src/typing/in-process-typing-state.js';
import { openTestStorage, type TestStorage } from './test-storage.js';

/*
 * ChatService with the real in-process adapters: SQLite through knex in a temp folder (PostgreSQL
 * in the postgres project: see test-storage.ts), the in-process broadcaster and typing state,
 * files on local disk, JWT identity. No mocks; where a test needs an adapter to fail, it is a real
 * one whose one method fails.
 */

interface World {
  chat: ChatService;
  storage: KnexChatStorage;
  broadcaster: Broadcaster;
  typing: TypingState;
  files: LocalFileStore;
  dir: string;
  database: TestStorage;
  logged: { level: string; fields: object; message?: string }[];
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * The clock of the worlds' media URLs: fixed unless a test moves it, so that two copies of one
 * file message compare equal whenever they were made.
 */
const START_MS = Date.UTC(2025, 0, 1, 12);
const mediaClock = { ms: START_MS };

async function world(options: { broadcaster?: Broadcaster; typing?: TypingState } = {}): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), 'hirechat-domain-'));
  const database = await openTestStorage(dir);
  const { storage } = database;
  await storage.migrate();
  const broadcaster = options.broadcaster ?? new InProcessBroadcaster();
  const typing = options.typing ?? new InProcessTypingState({ timeoutMs: 5_000 });
  const files = new LocalFileStore(join(dir, 'media'));
  const logged: World['logged'] = [];
  const logger: Logger = {
    info: (fields, message) => logged.push({ level: 'info', fields, message }),
    warn: (fields, message) => logged.push({ level: 'warn', fields, message }),
    error: (fields, message) => logged.push({ level: 'error', fields, message }),
  };
  const identity = new JwtIdentity({ secret: randomBytes(32).toString('hex') });
  const presence = new InProcessPresenceState();
  const mediaUrls = new MediaUrls({ secret: randomBytes(32), now: () => mediaClock.ms });
  const chat = new ChatService({
    storage,
    users: storage,
    identity,
    broadcaster,
    typing,
    presence,
    files,
    mediaUrls,
    logger,
  });
  cleanups.push(async () => {
    await typing.close();
    await broadcaster.close();
    await database.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { chat, storage, broadcaster, typing, files, dir, database, logged };
}

/** The caller's place in the room, as a socket that joined it holds it. */
async function member(chat: ChatService, caller: Caller, room: string) {
  return chat.joinRoom(caller, room);
}

function user(role: Role | null = null): Caller {
  return { id: randomUUID(), email: null, name: null, role };
}

/** A room of a recruiter and two clients. */
async function roomOf(chat: ChatService) {
  const [recruiter, client, other] = [user('recruiter'), user('client'), user('client')];
  const { room } = await chat.createRoom(recruiter, {
    recruiter: recruiter.id,
    clients: [client.id, other.id],
  });
  // The new room's presence goes out with the next batch: done before the test goes on.
  await chat.presenceAnnounced();
  return { room: room.uuid, recruiter, client, other };
}

/** Every event of the room from now on. The in-process broadcaster delivers before publish resolves. */
async function listen(broadcaster: Broadcaster, room: string): Promise<RoomEvent[]> {
  const events: RoomEvent[] = [];
  await broadcaster.subscribe(roomTopic(room), (event) => events.push(event));
  return events;
}

async function chatFiles(dir: string): Promise<string[]> {
  return readdir(join(dir, 'media', 'chat_files')).catch(() => []);
}

const text = (room: string, content: string) => ({ chat_room: room, content });
const pdf = { filename: 'cv.pdf', data: new TextEncoder().encode('%PDF-1.4 a curriculum vitae') };

describe('ChatService: rooms', () => {
  it('lets the recruiter or a client of the new room create it', async () => {
    const { chat } = await world();
    const [recruiter, client] = [user(), user()];

    const byRecruiter = await chat.createRoom(recruiter, { recruiter: recruiter.id, clients: [client.id] });
    const byClient = await chat.createRoom(client, { recruiter: user().id, clients: [client.id] });

    expect(byRecruiter.created).toBe(true);
    expect(byRecruiter.room).toMatchObject({
      recruiter: recruiter.id,
      clients: [client.id],
      last_message: null,
    });
    expect(byClient.created).toBe(true);
  });

  it('refuses a caller who would not be in the room, unless they are an admin', async () => {
    const { chat } = await world();
    const body = { recruiter: randomUUID(), clients: [randomUUID()] };

    await expect(chat.createRoom(user('recruiter'), body)).rejects.toMatchObject({ code: 'forbidden' });
    const { room, created } = await chat.createRoom(user('admin'), body);

    expect(created).toBe(true);
    expect(room).toMatchObject({ recruiter: body.recruiter, clients: body.clients });
  });

  it('answers the existing room for the same recruiter and the same set of clients, in any order', async () => {
    const { chat } = await world();
    const [recruiter, a, b] = [user(), user(), user()];
    const first = await chat.createRoom(recruiter, { recruiter: recruiter.id, clients: [a.id, b.id] });

    const again = await chat.createRoom(b, { recruiter: recruiter.id, clients: [b.id, a.id] });
    const fewer = await chat.createRoom(recruiter, { recruiter: recruiter.id, clients: [a.id] });
    const otherRecruiter = await chat.createRoom(a, { recruiter: b.id, clients: [a.id] });

    expect(again.created).toBe(false);
    expect(again.room.uuid).toBe(first.room.uuid);
    expect(again.room.created_at).toBe(first.room.created_at);
    expect(fewer.created).toBe(true);
    expect(otherRecruiter.created).toBe(true);
    expect(new Set([first.room.uuid, fewer.room.uuid, otherRecruiter.room.uuid]).size).toBe(3);
  });

  it('creates one room when the same room is asked for many times at once', async () => {
    const { chat } = await world();
    const [recruiter, client] = [user(), user()];
    const body = { recruiter: recruiter.id, clients: [client.id] };

    const answers = await Promise.all(Array.from({ length: 8 }, () => chat.createRoom(recruiter, body)));

    expect(answers.filter((answer) => answer.created)).toHaveLength(1);
    expect(new Set(answers.map((answer) => answer.room.uuid)).size).toBe(1);
  });

  it('tells a socket apart a room it is not in (forbidden) from one that does not exist (not_found)', async () => {
    const { chat } = await world();
    const { room, client } = await roomOf(chat);

    await expect(chat.joinRoom(user(), room)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(chat.joinRoom(client, randomUUID())).rejects.toMatchObject({ code: 'not_found' });
    expect(await chat.joinRoom(client, room)).toEqual({ room, user: client.id, admittedSeq: 0 });
  });
});

describe('ChatService: messages', () => {
  it('takes exactly one of content and file', async () => {
    const { chat, dir, files } = await world();
    const { room, client } = await roomOf(chat);

    await expect(chat.createMessage(client, { chat_room: room })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(
      chat.createMessage(client, { chat_room: room, content: null, file: null }),
    ).rejects.toBeInstanceOf(ChatError);
    await expect(
      chat.createMessage(client, { chat_room: room, content: 'hi', file: pdf }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
    });
    expect(await chatFiles(dir)).toEqual([]);

    const withText = await chat.createMessage(client, text(room, 'hello'));
    const withFile = await chat.createMessage(client, { chat_room: room, file: pdf });

    expect(withText).toMatchObject({ content: 'hello', file: null, sender: client.id, chat_room: room });
    expect(withFile.content).toBeNull();
    expect(withFile.file).toMatch(/^\/media\/chat_files\/cv_[A-Za-z0-9]{7}\.pdf$/);
    const path = files.pathOf(withFile.file!.slice('/media/'.length));
    expect(await readFile(path!)).toEqual(Buffer.from(pdf.data));
  });

  it('tells a non-participant nothing: the same not_found as for what does not exist', async () => {
    const { chat, dir } = await world();
    const { room, client } = await roomOf(chat);
    const message = await chat.createMessage(client, { chat_room: room, file: pdf });
    const outsider = user('recruiter');
    const missingRoom = await chat.createMessage(client, text(randomUUID(), 'x')).catch((e: unknown) => e);
    const missingMessage = await chat.getMessage(client, randomUUID()).catch((e: unknown) => e);

    const attempts = {
      post: chat.createMessage(outsider, text(room, 'let me in')),
      postFile: chat.createMessage(outsider, { chat_room: room, file: pdf }),
      get: chat.getMessage(outsider, message.uuid),
      edit: chat.updateMessage(outsider, message.uuid, { content: 'mine now' }),
      delete: chat.deleteMessage(outsider, message.uuid),
      file: chat.fileFor(outsider, message.file!.slice('/media/'.length)),
    };
    // They run at once and may fail in any order (they do on PostgreSQL); each is looked at below.
    for (const attempt of Object.values(attempts)) attempt.catch(() => {});

    for (const [name, attempt] of Object.entries(attempts)) {
      const error = await attempt.catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(ChatError);
      expect(error, name).toMatchObject({ code: 'not_found' });
    }
    expect(missingRoom).toMatchObject({ code: 'not_found' });
    expect(await attempts.post.catch((e: unknown) => (e as Error).message)).toBe(
      (missingRoom as Error).message,
    );
    expect(await attempts.get.catch((e: unknown) => (e as Error).message)).toBe(
      (missingMessage as Error).message,
    );
    expect(await chat.listRooms(outsider, {})).toEqual([]);
    expect((await chat.listMessages(outsider, { chat_room: room, limit: 50 })).messages).toEqual([]);
    expect((await chat.listMessages(outsider, { limit: 50 })).messages).toEqual([]);
    // Nothing the outsider sent was kept, not even for a moment's file.
    expect(await chatFiles(dir)).toHaveLength(1);
    expect(await chat.getMessage(client, message.uuid)).toEqual(message);
  });

  it('lets only the sender edit or delete a message', async () => {
    const { chat, dir } = await world();
    const { room, recruiter, client } = await roomOf(chat);
    const message = await chat.createMessage(client, text(room, 'original'));
    const withFile = await chat.createMessage(client, { chat_room: room, file: pdf });

    await expect(chat.updateMessage(recruiter, message.uuid, { content: 'changed' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(chat.deleteMessage(recruiter, message.uuid)).rejects.toMatchObject({ code: 'forbidden' });
    expect(await chat.getMessage(recruiter, message.uuid)).toEqual(message);

    const edited = await chat.updateMessage(client, message.uuid, { content: 'changed' });
    expect(edited).toEqual({ ...message, content: 'changed', is_edited: true });
    await chat.deleteMessage(client, message.uuid);
    await chat.deleteMessage(client, withFile.uuid);

    await expect(chat.getMessage(client, message.uuid)).rejects.toMatchObject({ code: 'not_found' });
    await expect(chat.deleteMessage(client, message.uuid)).rejects.toMatchObject({ code: 'not_found' });
    // The stored file went with its message.
    expect(await chatFiles(dir)).toEqual([]);
  });

  it('publishes each event only once its write is committed', async () => {
    // Publishing waits for a look, through a second connection, at what is committed at the moment
    // the event leaves: no write can finish meanwhile, as ChatService awaits its publish.
    let look: (topic: string, event: BroadcastEvent) => Promise<void> = async () => {};
    class LookingBroadcaster extends InProcessBroadcaster {
      override async publish<E extends BroadcastEvent>(topic: Topic<E>, event: E): Promise<void> {
        await look(topic, event);
        await super.publish(topic, event);
      }
    }
    const { chat, database } = await world({ broadcaster: new LookingBroadcaster() });
    const { room, recruiter, client } = await roomOf(chat);
    const message = await chat.createMessage(client, text(room, 'first'));
    const seen: [string, string, unknown][] = [];
    look = async (topic, event) => {
      const kind = topic.split(':')[0]!;
      if (event.type === 'message_read' || event.type === 'unread_changed')
        seen.push([kind, event.type, await database.committedReaders(message.uuid)]);
      else if (
        event.type === 'message_created' ||
        event.type === 'message_updated' ||
        event.type === 'message_deleted'
      )
        seen.push([kind, event.type, await database.committedMessage(event.message.uuid)]);
    };

    const second = await chat.createMessage(client, text(room, 'second'));
    await chat.updateMessage(client, second.uuid, { content: 'edited' });
    await chat.markRead(await member(chat, recruiter, room), message.uuid);
    await chat.deleteMessage(client, second.uuid);

    // The room hears first, then the inbox of each of the three participants (the reader's alone
    // for a read), every one after the write committed.
    const each = (type: string, state: unknown) => [
      ['room', type, state],
      ...Array(3).fill(['user', type, state]),
    ];
    expect(seen).toEqual([
      ...each('message_created', { content: 'second', is_edited: false }),
      ...each('message_updated', { content: 'edited', is_edited: true }),
      ['room', 'message_read', [recruiter.id]],
      ['user', 'unread_changed', [recruiter.id]],
      ...each('message_deleted', null),
    ]);
  });

  it("publishes a room's events in write order when 30 messages are created at once", async () => {
    const { chat, broadcaster, storage } = await world();
    const rooms = [await roomOf(chat), await roomOf(chat)];
    const [first, second] = await Promise.all(
      rooms.map(async (room) => ({ ...room, events: await listen(broadcaster, room.room) })),
    );
    if (!first || !second) throw new Error('two rooms expected');

    // 30 messages in the first room, with 10 in a second room interleaved among them.
    const created = await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const { room, recruiter, client } = i % 4 === 3 ? second : first;
        return chat.createMessage(i % 2 ? recruiter : client, text(room, `message ${i}`));
      }),
    );

    for (const { room, recruiter, events } of [first, second]) {
      const published = events.flatMap((event) => (event.type === 'message_created' ? [event.message] : []));
      expect(published).toHaveLength(room === first.room ? 30 : 10);
      expect(new Set(published.map((message) => message.uuid))).toEqual(
        new Set(created.filter((message) => message.chat_room === room).map((message) => message.uuid)),
      );
      const positions = await Promise.all(
        published.map(async (message) => (await storage.messagePosition(message.uuid))?.position),
      );
      expect(positions).toEqual([...positions].sort((a, b) => a! - b!));
      expect(new Set(positions).size).toBe(positions.length);
      // Time order agrees with write order.
      const timestamps = published.map((message) => message.timestamp);
      expect(timestamps).toEqual([...timestamps].sort());
      // And the events carry what storage answers.
      const page = await chat.listMessages(recruiter, { chat_room: room, limit: 50 });
      expect(published).toEqual(page.messages);
    }
  });

  it('adds a reader once, and never the sender', async () => {
    const { chat, broadcaster } = await world();
    const { room, recruiter, client, other } = await roomOf(chat);
    const message = await chat.createMessage(client, text(room, 'read me'));
    const events = await listen(broadcaster, room);

    await chat.markRead(await member(chat, client, room), message.uuid);
    expect(events).toEqual([]);
    expect(await chat.getMessage(client, message.uuid)).toMatchObject({ is_viewed: false, read_by: [] });

    const reader = await member(chat, recruiter, room);
    await chat.markRead(reader, message.uuid);
    await chat.markRead(reader, message.uuid);
    await chat.markRead(await member(chat, other, room), message.uuid);

    expect(events).toEqual([
      { type: 'message_read', message_id: message.uuid, user_id: recruiter.id, seq: 2 },
      { type: 'message_read', message_id: message.uuid, user_id: other.id, seq: 3 },
    ]);
    expect(await chat.getMessage(client, message.uuid)).toMatchObject({
      is_viewed: true,
      read_by: [recruiter.id, other.id],
    });
  });

  it('refuses a read of a message of another room, or of none', async () => {
    const { chat } = await world();
    const here = await roomOf(chat);
    const there = await chat.createRoom(here.client, { recruiter: user().id, clients: [here.client.id] });
    const foreign = await chat.createMessage(here.client, text(there.room.uuid, 'elsewhere'));
    const membership = await member(chat, here.recruiter, here.room);

    await expect(chat.markRead(membership, foreign.uuid)).rejects.toMatchObject({ code: 'not_found' });
    await expect(chat.markRead(membership, randomUUID())).rejects.toMatchObject({ code: 'not_found' });
    expect((await chat.getMessage(here.client, foreign.uuid)).read_by).toEqual([]);
  });
});

describe('ChatService: typing', () => {
  it('publishes the set when it changes, and nothing when it does not', async () => {
    const { chat, broadcaster } = await world();
    const { room, recruiter, client } = await roomOf(chat);
    const events = await listen(broadcaster, room);
    const [asRecruiter, asClient] = [await member(chat, recruiter, room), await member(chat, client, room)];

    await chat.setTyping(asRecruiter, false);
    await chat.setTyping(asRecruiter, true);
    await chat.setTyping(asRecruiter, true);
    await chat.setTyping(asClient, true);
    await chat.setTyping(asRecruiter, false);

    expect(events).toEqual([
      { type: 'typing', typing_users: [recruiter.id] },
      { type: 'typing', typing_users: [recruiter.id, client.id] },
      { type: 'typing', typing_users: [client.id] },
    ]);
  });

  it("ends the sender's typing when they send, after the message_created", async () => {
    const { chat, broadcaster, typing } = await world();
    const { room, recruiter, client } = await roomOf(chat);
    await chat.setTyping(await member(chat, recruiter, room), true);
    await chat.setTyping(await member(chat, client, room), true);
    const events = await listen(broadcaster, room);

    const message = await chat.createMessage(client, text(room, 'sent'));

    expect(events).toEqual([
      { type: 'message_created', message, seq: 1 },
      { type: 'typing', typing_users: [recruiter.id] },
    ]);
    expect(await typing.get(room)).toEqual([recruiter.id]);
  });

  it('publishes the remaining set when a typist expires', async () => {
    const { chat, broadcaster } = await world({ typing: new InProcessTypingState({ timeoutMs: 50 }) });
    const { room, recruiter } = await roomOf(chat);
    const expired = new Promise<RoomEvent>((resolve) => {
      void broadcaster.subscribe(roomTopic(room), (event) => {
        if (event.type === 'typing' && event.typing_users.length === 0) resolve(event);
      });
    });

    await chat.setTyping(await member(chat, recruiter, room), true);

    expect(await expired).toEqual({ type: 'typing', typing_users: [] });
  });
});

describe('ChatService: failures', () => {
  /** An in-process broadcaster whose publish always fails, as a broker that went away would. */
  class FailingBroadcaster extends InProcessBroadcaster {
    override async publish(): Promise<void> {
      throw new Error('broker unreachable');
    }
  }

  /** An in-process typing state whose writes fail, as a typing store that went away would. */
  class FailingTypingState extends InProcessTypingState {
    override async set(): Promise<string[] | null> {
      throw new Error('typing store unreachable');
    }
  }

  it('keeps the write when the broadcaster fails, and logs the lost event', async () => {
    const { chat, logged } = await world({ broadcaster: new FailingBroadcaster() });
    const { room, recruiter, client } = await roomOf(chat);

    const message = await chat.createMessage(client, text(room, 'kept'));
    const edited = await chat.updateMessage(client, message.uuid, { content: 'kept, edited' });
    await chat.markRead(await member(chat, recruiter, room), message.uuid);

    expect(edited.content).toBe('kept, edited');
    expect(await chat.getMessage(recruiter, message.uuid)).toMatchObject({
      content: 'kept, edited',
      read_by: [recruiter.id],
    });
    await chat.deleteMessage(client, message.uuid);
    await expect(chat.getMessage(recruiter, message.uuid)).rejects.toMatchObject({ code: 'not_found' });
    const lost = (message: string) =>
      logged
        .filter((entry) => entry.level === 'error' && entry.message === message)
        .map((entry) => (entry.fields as { event: string }).event);
    expect(lost('event not broadcast')).toEqual([
      'presence', // the new room's
      'message_created',
      'message_updated',
      'message_read',
      'message_deleted',
    ]);
    // Each write's inbox events too: to the 3 participants, and the reader's own count.
    expect(lost('inbox event not broadcast')).toEqual([
      ...Array(3).fill('room_created'),
      ...Array(3).fill('message_created'),
      ...Array(3).fill('message_updated'),
      'unread_changed',
      ...Array(3).fill('message_deleted'),
    ]);
  });

  it('removes the saved file when the insert fails, and publishes nothing', async () => {
    const { chat, broadcaster, database, dir } = await world();
    const { room, client } = await roomOf(chat);
    const events = await listen(broadcaster, room);
    // A real database failure: the insert is refused by the database itself.
    await database.refuseMessages();

    await expect(chat.createMessage(client, { chat_room: room, file: pdf })).rejects.toThrow(/refused/);

    expect(await chatFiles(dir)).toEqual([]);
    expect(events).toEqual([]);
  });

  it('keeps the message and its file when ending the typing fails after the insert', async () => {
    const { chat, dir, files, logged } = await world({ typing: new FailingTypingState() });
    const { room, recruiter, client } = await roomOf(chat);

    const message = await chat.createMessage(client, { chat_room: room, file: pdf });

    expect(await chat.getMessage(recruiter, message.uuid)).toEqual(message);
    expect(await chatFiles(dir)).toHaveLength(1);
    expect(files.pathOf(message.file!.slice('/media/'.length))).not.toBeNull();
    expect(logged.some((entry) => entry.level === 'error')).toBe(true);
  });

  it('still publishes message_deleted when the stored file cannot be removed', async () => {
    const { chat, broadcaster, files, logged } = await world();
    const { room, client } = await roomOf(chat);
    const message = await chat.createMessage(client, { chat_room: room, file: pdf });
    // A directory where the file was: unlink fails, whoever runs the test (root included).
    const path = files.pathOf(message.file!.slice('/media/'.length))!;
    await unlink(path);
    await mkdir(path);
    const events = await listen(broadcaster, room);

    await chat.deleteMessage(client, message.uuid);

    expect(events).toEqual([{ type: 'message_deleted', message, seq: 2 }]);
    await expect(chat.getMessage(client, message.uuid)).rejects.toMatchObject({ code: 'not_found' });
    expect(logged.some((entry) => entry.level === 'error')).toBe(true);
  });
});

describe('ChatService: event log', () => {
  it('publishes each logged event with the next seq of its room, typing with none', async () => {
    const { chat, broadcaster } = await world();
    const { room, recruiter, client } = await roomOf(chat);
    const elsewhere = await roomOf(chat);
    const events = await listen(broadcaster, room);
    const there = await listen(broadcaster, elsewhere.room);
    const reader = await member(chat, client, room);

    const message = await chat.createMessage(recruiter, text(room, 'one'));
    await chat.createMessage(elsewhere.recruiter, text(elsewhere.room, 'elsewhere'));
    await chat.setTyping(reader, true);
    await chat.markRead(reader, message.uuid);
    await chat.updateMessage(recruiter, message.uuid, { content: 'one, edited' });
    await chat.deleteMessage(recruiter, message.uuid);

    expect(events.map((event) => [event.type, 'seq' in event ? event.seq : null])).toEqual([
      ['message_created', 1],
      ['typing', null],
      ['message_read', 2],
      ['message_updated', 3],
      ['message_deleted', 4],
    ]);
    expect(there.map((event) => 'seq' in event && event.seq)).toEqual([1]);
    // The log holds what was published, and nothing of typing.
    const replay = await chat.replay(reader, 0);
    expect(replay).toEqual({ resync: false, seq: 4, events: events.filter((event) => 'seq' in event) });
  });

  it('replays after a seq, answers the newest seq for latest, and asks for a resync when ahead', async () => {
    const { chat } = await world();
    const { room, recruiter } = await roomOf(chat);
    const membership = await member(chat, recruiter, room);
    expect(await chat.replay(membership, 'latest')).toEqual({ resync: false, seq: 0, events: [] });
    for (const content of ['one', 'two', 'three']) await chat.createMessage(recruiter, text(room, content));

    expect(await chat.replay(membership, 1)).toMatchObject({
      resync: false,
      seq: 3,
      events: [{ seq: 2 }, { seq: 3 }],
    });
    expect(await chat.replay(membership, 3)).toEqual({ resync: false, seq: 3, events: [] });
    expect(await chat.replay(membership, 'latest')).toEqual({ resync: false, seq: 3, events: [] });
    expect(await chat.replay(membership, 4)).toEqual({ resync: true, seq: 3 });
  });

  it('replays nothing of the room past a member’s removal, nor a stretch they were out of it', async () => {
    const { chat } = await world();
    const { room, recruiter, client } = await roomOf(chat);
    await chat.createMessage(recruiter, text(room, 'one'));
    const admitted = await member(chat, client, room);
    await chat.createMessage(recruiter, text(room, 'two'));
    await chat.removeClient(recruiter, room, client.id);
    await chat.createMessage(recruiter, text(room, 'three'));

    // Up to the removal and no further: the removal, which no socket is sent, ends the socket.
    for (const since of [0, 1, 'latest'] as const) {
      const replay = await chat.replay(admitted, since);
      expect(replay.resync).toBe(false);
      const events = replay.resync ? [] : replay.events;
      expect(events.map((event) => [event.type, event.seq])).toEqual(
        [
          ['message_created', 1],
          ['message_created', 2],
          ['room_updated', 3],
        ].slice(since === 'latest' ? 2 : since), // `latest` asked for nothing before now
      );
    }

    // Added back: a socket let in now resumes from before the removal with a resync, from after
    // it with the events.
    await chat.addClients(recruiter, room, { clients: [client.id] });
    const back = await member(chat, client, room);
    expect(await chat.replay(back, 1)).toEqual({ resync: true, seq: 5 });
    expect(await chat.replay(back, 4)).toMatchObject({ resync: false, seq: 5, events: [{ seq: 5 }] });
  });

  it('publishes nothing and spends no seq for a write the database refuses', async () => {
    const { chat, broadcaster, database } = await world();
    const { room, recruiter } = await roomOf(chat);
    const events = await listen(broadcaster, room);
    const message = await chat.createMessage(recruiter, text(room, 'one'));
    await database.refuseMessages();

    await expect(chat.createMessage(recruiter, text(room, 'refused'))).rejects.toThrow(/refused/);
    await chat.updateMessage(recruiter, message.uuid, { content: 'edited' });

    expect(events.map((event) => 'seq' in event && event.seq)).toEqual([1, 2]);
  });

  it('publishes racing writes of one room in seq order', async () => {
    const { chat, broadcaster } = await world();
    const { room, recruiter, client, other } = await roomOf(chat);
    const first = await chat.createMessage(recruiter, text(room, 'first'));
    const events = await listen(broadcaster, room);

    await Promise.all([
      ...Array.from({ length: 8 }, (_, i) =>
        chat.createMessage(i % 2 ? client : recruiter, text(room, `${i}`)),
      ),
      chat.joinRoom(client, room).then((membership) => chat.markRead(membership, first.uuid)),
      chat.joinRoom(other, room).then((membership) => chat.markRead(membership, first.uuid)),
      chat.updateMessage(recruiter, first.uuid, { content: 'edited' }),
    ]);

    const seqs = events.flatMap((event) => ('seq' in event ? [event.seq] : []));
    expect(seqs).toEqual(Array.from({ length: 11 }, (_, i) => i + 2));
  });
});

describe('ChatService: file URLs', () => {
  const HOUR_MS = 3600 * 1000;
  const keyOf = (message: Message) => message.file!.slice('/media/'.length);
  /** The query of a file_url, as a mount hands it to the service. */
  const queryOf = (url: string) => Object.fromEntries(new URL(url, 'http://x').searchParams);

  afterEach(() => {
    mediaClock.ms = START_MS;
  });

  it('signs every Message it hands out when it hands it out: answers, live events and replays', async () => {
    const { chat, broadcaster } = await world();
    const { room, recruiter, client } = await roomOf(chat);
    const member = await chat.joinRoom(client, room);
    const events = await listen(broadcaster, room);

    const sent = await chat.createMessage(client, { chat_room: room, file: pdf });
    const live = events[0] as Extract<RoomEvent, { type: 'message_created' }>;
    for (const url of [sent.file_url!, live.message.file_url!]) {
      expect(url.startsWith(`${sent.file}?`)).toBe(true);
      expect(await chat.signedFile(keyOf(sent), queryOf(url))).toMatchObject({ path: expect.any(String) });
    }

    // Two hours on, the URLs of the write have expired; whatever leaves now carries a new one.
    mediaClock.ms += 2 * HOUR_MS;
    expect(await chat.signedFile(keyOf(sent), queryOf(sent.file_url!))).toBeNull();
    const replay = await chat.replay(member, 0);
    const fresh = [
      replay.resync ? null : (replay.events[0] as typeof live).message,
      await chat.getMessage(recruiter, sent.uuid),
      (await chat.listMessages(recruiter, { chat_room: room, limit: 50 })).messages[0],
      (await chat.listRooms(recruiter, {}))[0]?.last_message,
    ];
    for (const message of fresh) {
      expect(message?.uuid).toBe(sent.uuid);
      expect(message?.file_url).not.toBe(sent.file_url);
      const valid = await chat.signedFile(keyOf(sent), queryOf(message!.file_url!));
      expect(valid?.validForSeconds).toBeGreaterThanOrEqual(3600);
    }
    // The edit's event is signed as it is published, two hours after the file was sent.
    await chat.updateMessage(client, sent.uuid, { content: 'a caption' });
    const edited = events.at(-1) as Extract<RoomEvent, { type: 'message_updated' }>;
    expect((await chat.signedFile(keyOf(sent), queryOf(edited.message.file_url!)))?.validForSeconds).toBe(
      3600,
    );
    expect(
      await chat.getMessage(client, (await chat.createMessage(client, text(room, 'hi'))).uuid),
    ).toMatchObject({ file: null, file_url: null });
  });

  it('answers the file of a valid signed URL to no one in particular, and not_found once it is deleted', async () => {
    const { chat, files } = await world();
    const { room, client } = await roomOf(chat);
    const sent = await chat.createMessage(client, { chat_room: room, file: pdf });

    expect(await chat.signedFile(keyOf(sent), queryOf(sent.file_url!))).toEqual({
      path: files.pathOf(keyOf(sent)),
      validForSeconds: 3600,
    });
    expect(await chat.signedFile(keyOf(sent), {})).toBeNull();
    expect(await chat.signedFile('chat_files/other_AAAAAAA.pdf', queryOf(sent.file_url!))).toBeNull();

    await chat.deleteMessage(client, sent.uuid);
    await expect(chat.signedFile(keyOf(sent), queryOf(sent.file_url!))).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
