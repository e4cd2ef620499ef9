import { randomUUID } from 'node:crypto';
import {
  type ChatRoom,
  INBOX_SOCKET_PATH,
  type InboxServerEvent,
  InboxServerEventSchema,
  type Message,
  MessageSchema,
  RestPaths,
} from '@hirechat/protocol';
import { startTestServer, type TestServer, type TestServerOptions } from '@hirechat/server-kit/testing';
import { afterEach, expect } from 'vitest';
import { z } from 'zod';
import { type OpenSocketOptions, TestSocket } from './socket.js';

/*
 * The world of one WebSocket test: a real server from startTestServer(), users with tokens, rooms
 * and messages made over real HTTP, and sockets that are all closed, with their servers, after
 * each test.
 */

export interface User {
  id: string;
  token: string;
}

/** A message exactly as the wire carries it: every key of the protocol's Message, and no other. */
const ExactMessageSchema = z.strictObject(MessageSchema.shape);

export interface Chat {
  ts: TestServer;
  /** A new user with a token valid for an hour. */
  user(): User;
  /** Creates the room as its recruiter over REST. */
  room(recruiter: User, clients: User[]): Promise<ChatRoom>;
  /** Posts a text message over REST and answers it as the server did (201). */
  post(by: User, room: string, content: string): Promise<Message>;
  /** PATCHes the content over REST; answers the message (200). */
  edit(by: User, message: string, content: string): Promise<Message>;
  /** DELETEs the message over REST (204). */
  remove(by: User, message: string): Promise<void>;
  /** GETs the message over REST (200). */
  get(by: User, message: string): Promise<Message>;
  /** GETs the room's messages over REST, oldest first. */
  list(by: User, room: string): Promise<Message[]>;
  /** Adds the clients over REST as `by` (200), answering the room. */
  addClients(by: User, room: string, clients: User[]): Promise<ChatRoom>;
  /** Removes the client over REST as `by` (204). */
  removeClient(by: User, room: string, client: User): Promise<void>;
  /** Opens a socket without waiting for anything; for refusals. */
  open(options: Omit<OpenSocketOptions, 'wsUrl'>): TestSocket;
  /** Opens an inbox socket without waiting for anything. */
  openInbox(options: {
    token: string | null;
    since?: string;
    protocols?: string[];
    path?: string;
  }): InboxSocket;
  /** Opens the user's inbox socket (`?token=`) and resolves once it is open. */
  inbox(user: User, options?: { since?: string }): Promise<InboxSocket>;
  /** Opens the user's socket to the room and resolves once the room's events flow to it. */
  connect(
    user: User,
    room: string,
    options?: { autoPong?: boolean; origin?: string; since?: string; presence?: boolean },
  ): Promise<TestSocket>;
}

/** A socket of `/ws/inbox/`, whose frames are checked against the inbox's events. */
export type InboxSocket = TestSocket<InboxServerEvent>;

/**
 * Registers the cleanup of a describe block and answers `start`, which starts a server (with the
 * given plugin options) and the helpers around it.
 */
export function useChat(): { start(options?: TestServerOptions): Promise<Chat> } {
  const servers: TestServer[] = [];
  const sockets: Array<TestSocket | InboxSocket> = [];

  afterEach(async () => {
    const invalid = sockets.flatMap((socket) => socket.invalid);
    await Promise.all(sockets.splice(0).map((socket) => socket.terminate()));
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    expect(invalid, 'frames outside the protocol').toEqual([]);
  });

  return {
    async start(options = {}) {
      const ts = await startTestServer(options);
      servers.push(ts);
      return chatOf(ts, sockets);
    },
  };
}

function chatOf(ts: TestServer, sockets: Array<TestSocket | InboxSocket>): Chat {
  const request = async (by: User, method: string, path: string, json?: unknown) => {
    const response = await fetch(new URL(path, ts.url), {
      method,
      headers: {
        authorization: `Bearer ${by.token}`,
        ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: json === undefined ? null : JSON.stringify(json),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
  };
  const expectStatus = (answer: { status: number; body: unknown }, status: number) =>
    expect(answer.status, `answer ${JSON.stringify(answer.body)}`).toBe(status);
  const message = (answer: { status: number; body: unknown }, status: number): Message => {
    expectStatus(answer, status);
    return ExactMessageSchema.parse(answer.body);
  };

  const chat: Chat = {
    ts,
    user() {
      const id = randomUUID();
      return { id, token: ts.token({ sub: id, email: `${id.slice(0, 8)}@example.com` }) };
    },
    async room(recruiter, clients) {
      const answer = await request(recruiter, 'POST', RestPaths.createRoom, {
        recruiter: recruiter.id,
        clients: clients.map((client) => client.id),
      });
      expectStatus(answer, 201);
      return answer.body as ChatRoom;
    },
    async post(by, room, content) {
      return message(await request(by, 'POST', RestPaths.createMessage, { chat_room: room, content }), 201);
    },
    async edit(by, uuid, content) {
      return message(await request(by, 'PATCH', RestPaths.messageDetail(uuid), { content }), 200);
    },
    async remove(by, uuid) {
      expectStatus(await request(by, 'DELETE', RestPaths.messageDetail(uuid)), 204);
    },
    async get(by, uuid) {
      return message(await request(by, 'GET', RestPaths.messageDetail(uuid)), 200);
    },
    async list(by, room) {
      const answer = await request(by, 'GET', `${RestPaths.listMessages}?chat_room=${room}&limit=200`);
      expectStatus(answer, 200);
      return z.array(ExactMessageSchema).parse(answer.body);
    },
    async addClients(by, room, clients) {
      const answer = await request(by, 'POST', RestPaths.roomClients(room), {
        clients: clients.map((client) => client.id),
      });
      expectStatus(answer, 200);
      return answer.body as ChatRoom;
    },
    async removeClient(by, room, client) {
      expectStatus(await request(by, 'DELETE', RestPaths.roomClient(room, client.id)), 204);
    },
    open(options) {
      const socket = new TestSocket({ wsUrl: ts.wsUrl, ...options });
      sockets.push(socket);
      return socket;
    },
    openInbox(options) {
      const socket = new TestSocket<InboxServerEvent>({
        wsUrl: ts.wsUrl,
        room: '',
        path: INBOX_SOCKET_PATH,
        schema: InboxServerEventSchema,
        ...options,
      });
      sockets.push(socket);
      return socket;
    },
    async inbox(user, options = {}) {
      const socket = chat.openInbox({ token: user.token, ...options });
      expect(await socket.handshake).toEqual({ kind: 'open' });
      return socket;
    },
    async connect(user, room, options = {}) {
      const socket = chat.open({ room, token: user.token, ...options });
      const handshake = await socket.handshake;
      // The server admits a socket before it completes the handshake: open means joined.
      expect(handshake).toEqual({ kind: 'open' });
      return socket;
    },
  };
  return chat;
}
