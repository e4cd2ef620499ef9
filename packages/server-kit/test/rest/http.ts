import { randomUUID } from 'node:crypto';
import {
  type ChatRoom,
  type ChatRoomDetail,
  ChatRoomDetailSchema,
  ChatRoomSchema,
  DetailErrorBodySchema,
  type FieldErrorBody,
  FieldErrorBodySchema,
  type Message,
  MessageSchema,
  RestPaths,
} from '@hirechat/protocol';
import { startTestServer, type TestServer, type TestServerOptions } from '@hirechat/server-kit/testing';
import LinkHeader from 'http-link-header';
import { afterAll, beforeAll, expect } from 'vitest';
import { z } from 'zod';

/*
 * Helpers of the REST contract tests: real HTTP with Node's fetch against a server from
 * startTestServer(), and checks of every body against the protocol's schemas.
 */

/**
 * A server for the tests of the enclosing describe block: started before them (with `options`) and
 * stopped after them. The object answered is filled in when it has started, so that it can be
 * named where the block declares its other state and used from its own `beforeAll` on.
 */
export function useTestServer(options: TestServerOptions = {}): TestServer {
  const server = {} as TestServer;
  beforeAll(async () => {
    Object.assign(server, await startTestServer(options));
  });
  afterAll(async () => {
    await server.stop?.();
  });
  return server;
}

/** What a request answered: the status, the headers, and the body (parsed when it is JSON). */
export interface Answer {
  status: number;
  headers: Headers;
  /** The parsed body when the answer says it is JSON; the text otherwise; null when empty. */
  body: unknown;
}

export interface SendOptions {
  /** Sent as `application/json`. */
  json?: unknown;
  /** Sent as multipart/form-data (FormData) or urlencoded (URLSearchParams). */
  form?: FormData | URLSearchParams;
  /** Sent as is, e.g. a raw string with a hand-set Content-Type. */
  body?: string | Uint8Array<ArrayBuffer>;
  headers?: Record<string, string>;
}

/** A client of one server, signed in with `token` (or anonymous). */
export interface Api {
  send(method: string, path: string, options?: SendOptions): Promise<Answer>;
  get(path: string, headers?: Record<string, string>): Promise<Answer>;
  post(path: string, json: unknown): Promise<Answer>;
  postForm(path: string, form: FormData | URLSearchParams): Promise<Answer>;
  patch(path: string, json: unknown): Promise<Answer>;
  put(path: string, json: unknown): Promise<Answer>;
  delete(path: string): Promise<Answer>;
  /** The raw fetch Response, for downloads whose bytes matter. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

export function api(server: Pick<TestServer, 'url'>, token?: string | null): Api {
  const withAuth = (headers: Record<string, string> = {}): Record<string, string> =>
    token ? { authorization: `Bearer ${token}`, ...headers } : headers;

  const send = async (method: string, path: string, options: SendOptions = {}): Promise<Answer> => {
    const headers = withAuth(options.headers);
    let body: BodyInit | undefined;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    } else if (options.form !== undefined) {
      body = options.form;
    } else if (options.body !== undefined) {
      body = options.body;
    }
    const response = await fetch(new URL(path, server.url), { method, headers, body });
    return read(response);
  };

  return {
    send,
    get: (path, headers) => send('GET', path, { headers }),
    post: (path, json) => send('POST', path, { json }),
    postForm: (path, form) => send('POST', path, { form }),
    patch: (path, json) => send('PATCH', path, { json }),
    put: (path, json) => send('PUT', path, { json }),
    delete: (path) => send('DELETE', path),
    fetch: (path, init = {}) => {
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((value, name) => {
        headers[name] = value;
      });
      return fetch(new URL(path, server.url), { ...init, headers: withAuth(headers) });
    },
  };
}

async function read(response: Response): Promise<Answer> {
  const text = await response.text();
  const json = /^application\/json\b/.test(response.headers.get('content-type') ?? '');
  let body: unknown = text === '' ? null : text;
  if (json && text !== '') body = JSON.parse(text);
  return { status: response.status, headers: response.headers, body };
}

// ---- users and fixtures -------------------------------------------------------------------------

export interface User {
  id: string;
  email: string;
  token: string;
  api: Api;
}

/** A new user with a token of their own; the email is unique unless given. */
export function newUser(
  server: TestServer,
  claims: { email?: string; role?: 'recruiter' | 'client' | 'admin' } = {},
): User {
  const id = randomUUID();
  const email = claims.email ?? `user-${id.slice(0, 8)}@example.com`;
  const token = server.token({ sub: id, email, ...(claims.role ? { role: claims.role } : {}) });
  return { id, email, token, api: api(server, token) };
}

/** Creates the room as `by` and answers it; fails the test unless it is created (201). */
export async function createRoom(by: User, recruiter: User, clients: User[]): Promise<ChatRoom> {
  const answer = await by.api.post(RestPaths.createRoom, {
    recruiter: recruiter.id,
    clients: clients.map((client) => client.id),
  });
  return expectRoom(answer, 201);
}

/** Posts a text message as `by` and answers it; fails the test unless it is created (201). */
export async function sendText(by: User, room: ChatRoom | string, content: string): Promise<Message> {
  const chat_room = typeof room === 'string' ? room : room.uuid;
  return expectMessage(await by.api.post(RestPaths.createMessage, { chat_room, content }), 201);
}

/** Posts a file as `by` (multipart) and answers the message; fails the test unless 201. */
export async function sendFile(
  by: User,
  room: ChatRoom | string,
  file: { name: string; data: Uint8Array<ArrayBuffer> | string; type?: string },
): Promise<Message> {
  const form = new FormData();
  form.append('chat_room', typeof room === 'string' ? room : room.uuid);
  form.append('file', new Blob([file.data], { type: file.type ?? 'application/octet-stream' }), file.name);
  return expectMessage(await by.api.postForm(RestPaths.createMessage, form), 201);
}

// ---- checks against the protocol ----------------------------------------------------------------

/** The protocol's schemas, refusing any key they do not name (the wire shapes are exact). */
const ExactMessageSchema = z.strictObject(MessageSchema.shape);
const ExactChatRoomSchema = z.strictObject({
  ...ChatRoomSchema.shape,
  last_message: ExactMessageSchema.nullable(),
});
const ExactChatRoomDetailSchema = z.strictObject({
  ...ChatRoomDetailSchema.shape,
  last_message: ExactMessageSchema.nullable(),
});
const ExactDetailErrorBodySchema = z.strictObject(DetailErrorBodySchema.shape);

function conform<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new Error(
      `body does not match the protocol: ${z.prettifyError(result.error)}\n${JSON.stringify(value)}`,
    );
  }
  return result.data;
}

function expectJson(answer: Answer, status: number): void {
  expect(answer.status, `status of an answer with body ${JSON.stringify(answer.body)}`).toBe(status);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
}

export function expectMessage(answer: Answer, status = 200): Message {
  expectJson(answer, status);
  conform(MessageSchema, answer.body);
  return conform(ExactMessageSchema, answer.body);
}

export function expectMessages(answer: Answer, status = 200): Message[] {
  expectJson(answer, status);
  conform(z.array(MessageSchema), answer.body);
  return conform(z.array(ExactMessageSchema), answer.body);
}

export function expectRoom(answer: Answer, status = 200): ChatRoom {
  expectJson(answer, status);
  conform(ChatRoomSchema, answer.body);
  return conform(ExactChatRoomSchema, answer.body);
}

/** The room detail answer: a ChatRoom with `online_users`, and no other key. */
export function expectRoomDetail(answer: Answer, status = 200): ChatRoomDetail {
  expectJson(answer, status);
  conform(ChatRoomDetailSchema, answer.body);
  return conform(ExactChatRoomDetailSchema, answer.body);
}

export function expectRooms(answer: Answer, status = 200): ChatRoom[] {
  expectJson(answer, status);
  conform(z.array(ChatRoomSchema), answer.body);
  return conform(z.array(ExactChatRoomSchema), answer.body);
}

/** A request-level error: exactly `{"detail": "..."}` with the status. Answers the detail. */
export function expectDetail(answer: Answer, status: number): string {
  expectJson(answer, status);
  conform(DetailErrorBodySchema, answer.body);
  const { detail } = conform(ExactDetailErrorBodySchema, answer.body);
  expect(detail).not.toBe('');
  return detail;
}

/**
 * A field error: `{"<field>": ["...", ...]}` (400 unless told), naming at least each of `fields`,
 * each with at least one message. Answers the body.
 */
export function expectFieldErrors(answer: Answer, fields: string[], status = 400): FieldErrorBody {
  expectJson(answer, status);
  const body = conform(FieldErrorBodySchema, answer.body);
  expect(Object.keys(body)).not.toContain('detail');
  for (const field of fields) {
    expect(Object.keys(body), `fields named in ${JSON.stringify(body)}`).toContain(field);
    expect(body[field]?.length).toBeGreaterThan(0);
  }
  return body;
}

/** Any 4xx error in one of the contract's two shapes; answers the status. */
export function expectClientError(answer: Answer): number {
  expect(answer.status, JSON.stringify(answer.body)).toBeGreaterThanOrEqual(400);
  expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  conform(z.union([ExactDetailErrorBodySchema, FieldErrorBodySchema]), answer.body);
  return answer.status;
}

/**
 * The target of the answer's `Link: <...>; rel="next"` (RFC 8288, read with http-link-header, so
 * `rel=next` counts too), or null when the answer has none. Fails the test on any other Link.
 */
export function nextLink(answer: Answer): string | null {
  const header = answer.headers.get('link');
  if (header === null) return null;
  const links = LinkHeader.parse(header).refs;
  expect(links, `Link header ${header}`).toEqual([{ uri: expect.any(String), rel: 'next' }]);
  return links[0]!.uri;
}

/** The server still answers a plain request after whatever the test sent it. */
export async function expectAlive(server: TestServer): Promise<void> {
  const answer = await api(server).get(RestPaths.health);
  expect(answer.status).toBe(200);
}

/** The path without its trailing slash. */
export const bare = (path: string): string => (path.endsWith('/') ? path.slice(0, -1) : path);

/**
 * The message with its `file_url` cut to the path. Two copies of one file message answered at
 * different times may be signed with different expiries (that is the point of signing on the way
 * out), so tests compare them through this.
 */
export function unsigned(message: Message): Message {
  return { ...message, file_url: message.file_url?.split('?')[0] ?? null };
}

/** The URL path of a message's file, for downloads. */
export function fileUrlOf(message: Message): string {
  expect(message.file).not.toBeNull();
  return message.file!;
}

/**
 * Headers that differ from one answer to the next whatever is asked: the date, and where the
 * caller stands against their rate limit (each request counts one, and the window runs on), which
 * depend on the caller's own requests and the clock alone (README, "Who may").
 */
export const PER_REQUEST_HEADERS = new Set(['date', 'ratelimit-remaining', 'ratelimit-reset']);

/** An answer as bytes: status, headers but the per-request ones, and the body's text. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The answer kept byte for byte, but for the headers that change with every request. */
export async function rawOf(response: Response): Promise<RawAnswer> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!PER_REQUEST_HEADERS.has(name)) headers[name] = value;
  });
  return { status: response.status, headers, body: await response.text() };
}

/**
 * Sends the request and keeps its answer byte for byte, for comparing two answers (contract,
 * "Errors, continued": an outsider's answers about what exists and what does not are identical).
 */
export async function rawAnswer(
  server: Pick<TestServer, 'url'>,
  token: string,
  method: string,
  path: string,
  json?: unknown,
): Promise<RawAnswer> {
  const response = await fetch(new URL(path, server.url), {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(json === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: json === undefined ? null : JSON.stringify(json),
  });
  return rawOf(response);
}
