import { CloseCode, INBOX_SOCKET_PATH } from '@hirechat/protocol';
import { describe, expect, it } from 'vitest';
import { type Chat, type User, useChat } from '../ws/fixture.js';
import type { TestSocket } from '../ws/socket.js';

/*
 * Socket limits (contract, "Limits"), through a real server and real sockets: open sockets per user
 * (room and inbox together) refused with 4429 and given back on close; frames over a socket's
 * budget dropped and answered `rate_limited`, the socket closed with 1008 when it keeps on, and
 * served again once the window has passed; none of it with `limits: false`.
 */

/** Opens the user's inbox socket and waits until it is open. */
async function inbox(chat: Chat, user: User): Promise<TestSocket> {
  const socket = chat.open({ room: '', path: INBOX_SOCKET_PATH, token: user.token });
  expect(await socket.handshake).toEqual({ kind: 'open' });
  return socket;
}

/** Opens a socket that the server should refuse for the user's count, and checks that it does. */
async function expectRefused(chat: Chat, user: User, room: string): Promise<void> {
  const socket = chat.open({ room, token: user.token });
  // Accepted, then closed: a browser can read a close code, not a refused handshake's status.
  expect(await socket.handshake).toEqual({ kind: 'open' });
  const closed = await socket.closed();
  expect(closed.code).toBe(CloseCode.TooManySockets);
  expect(closed.reason).toMatch(/open sockets/);
}

/**
 * Opens the user's socket once the server has counted a closed one out: the client sees its close
 * a moment before the server's own close event gives the place back, so a refusal within that
 * moment is tried again. A place never given back fails after `timeoutMs`.
 */
async function connectOnceFreed(user: User, open: () => TestSocket, timeoutMs = 2_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const socket = open();
    expect(await socket.handshake).toEqual({ kind: 'open' });
    // A refusal closes right after the handshake; a socket still open a second later was let in.
    const closed = await socket.closed(1_000).catch(() => null);
    if (closed === null) return socket;
    expect(closed.code).toBe(CloseCode.TooManySockets);
    if (Date.now() > deadline) throw new Error(`${user.id} still refused after ${timeoutMs} ms`);
  }
}

/** Sends a ping and waits for its pong: everything the server sent before it has arrived. */
async function roundTrip(socket: TestSocket): Promise<void> {
  socket.send({ type: 'ping' });
  await socket.next('pong');
}

describe('WebSocket limits: open sockets per user', () => {
  const harness = useChat();

  it('refuses a socket over the user’s count with 4429, room and inbox sockets together, and counts each user apart', async () => {
    const chat = await harness.start({ limits: { socketsPerUser: 3 } });
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    await chat.connect(client, room.uuid);
    await chat.connect(client, room.uuid);
    await inbox(chat, client);

    await expectRefused(chat, client, room.uuid);
    // The refused socket took nothing: still refused, and still refused on the inbox.
    await expectRefused(chat, client, room.uuid);
    const refusedInbox = chat.open({ room: '', path: INBOX_SOCKET_PATH, token: client.token });
    expect((await refusedInbox.closed()).code).toBe(CloseCode.TooManySockets);
    // Another user is not held by this one's count.
    await chat.connect(recruiter, room.uuid);
  });

  it('gives a socket’s place back when it closes, from either side', async () => {
    const chat = await harness.start({ limits: { socketsPerUser: 2 } });
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const first = await chat.connect(client, room.uuid);
    const second = await inbox(chat, client);
    await expectRefused(chat, client, room.uuid);

    const toRoom = () => chat.open({ room: room.uuid, token: client.token });
    await first.close();
    const third = await connectOnceFreed(client, toRoom);
    await expectRefused(chat, client, room.uuid);
    // A socket the server closes (here, a frame too large: 1009) gives its place back too.
    third.sendRaw('x'.repeat(65 * 1024));
    expect((await third.closed()).code).toBe(CloseCode.MessageTooBig);
    await connectOnceFreed(client, toRoom);
    await second.close();
    await connectOnceFreed(client, () =>
      chat.open({ room: '', path: INBOX_SOCKET_PATH, token: client.token }),
    );
    await expectRefused(chat, client, room.uuid);
  });

  it('lets 100 sockets of one user in by default, and refuses the 101st', async () => {
    const chat = await harness.start();
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    await Promise.all(Array.from({ length: 100 }, () => chat.connect(client, room.uuid)));
    await expectRefused(chat, client, room.uuid);
  });

  it('counts no sockets with limits: false', async () => {
    const chat = await harness.start({ limits: false });
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const sockets = await Promise.all(Array.from({ length: 110 }, () => chat.connect(client, room.uuid)));
    await roundTrip(sockets[109]!);
  });
});

describe('WebSocket limits: frames per socket', () => {
  const harness = useChat();
  const BUDGET = { points: 5, seconds: 1 };

  it('drops frames over the budget with a rate_limited error each, then closes a socket that keeps on with 1008', async () => {
    const chat = await harness.start({ limits: { socketFrames: BUDGET, closeSocketAtBudgetTimes: 2 } });
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const socket = await chat.connect(client, room.uuid);

    for (let i = 0; i < 2 * BUDGET.points; i++) socket.send({ type: 'ping' });
    const closed = await socket.closed();
    expect(closed.code).toBe(CloseCode.PolicyViolation);
    // The frames within the budget were answered, those over it refused, in the order sent.
    const answers = socket.received.filter((event) => event.type !== 'presence');
    expect(answers.map((event) => event.type)).toEqual([
      ...Array(BUDGET.points).fill('pong'),
      ...Array(BUDGET.points - 1).fill('error'),
    ]);
    for (const error of answers.slice(BUDGET.points)) {
      expect(error).toEqual({
        type: 'error',
        code: 'rate_limited',
        detail: 'Too many frames: at most 5 frames every 1 s. This one was dropped.',
      });
    }
  });

  it('keeps a typing flood from reaching the room: only the frames within budget are broadcast', async () => {
    const chat = await harness.start({ limits: { socketFrames: { points: 10, seconds: 10 } } });
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const watcher = await chat.connect(recruiter, room.uuid);
    const flooder = await chat.connect(client, room.uuid);

    for (let i = 0; i < 40; i++) flooder.send({ type: 'typing', typing: i % 2 === 0 });
    expect((await flooder.closed()).code).toBe(CloseCode.PolicyViolation);
    await roundTrip(watcher);
    const typing = watcher.received.filter((event) => event.type === 'typing');
    // Ten frames got through (five starts, five stops); without the budget, forty would have.
    expect(typing.length).toBe(10);
  });

  it('serves a socket again once its window has passed', async () => {
    const chat = await harness.start({ limits: { socketFrames: BUDGET } });
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const socket = await chat.connect(client, room.uuid);

    for (let i = 0; i <= BUDGET.points; i++) socket.send({ type: 'ping' });
    for (let i = 0; i < BUDGET.points; i++) await socket.next('pong');
    expect(await socket.next('error')).toMatchObject({ code: 'rate_limited' });
    // A window is BUDGET.seconds long from the first frame of it.
    await new Promise((resolve) => setTimeout(resolve, BUDGET.seconds * 1000 + 100));
    await roundTrip(socket);
    expect(socket.isOpen).toBe(true);
  });

  it('counts each socket apart: one socket’s flood leaves the user’s other socket alone', async () => {
    const chat = await harness.start({ limits: { socketFrames: BUDGET } });
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const flooder = await chat.connect(client, room.uuid);
    const other = await chat.connect(client, room.uuid);
    for (let i = 0; i < 2 * BUDGET.points; i++) flooder.send({ type: 'ping' });
    expect((await flooder.closed()).code).toBe(CloseCode.PolicyViolation);
    await roundTrip(other);
  });

  it('drops no frames with limits: false', async () => {
    const chat = await harness.start({ limits: false });
    const [recruiter, client] = [chat.user(), chat.user()];
    const room = await chat.room(recruiter, [client]);
    const socket = await chat.connect(client, room.uuid);
    for (let i = 0; i < 200; i++) socket.send({ type: 'ping' });
    for (let i = 0; i < 200; i++) await socket.next('pong');
    expect(socket.received.some((event) => event.type === 'error')).toBe(false);
  });
});
