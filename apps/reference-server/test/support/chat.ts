import { randomBytes, randomUUID } from 'node:crypto';
import { type Message, RestPaths } from '@hirechat/protocol';
import { type Role, signAccessToken } from '@hirechat/server-kit';

/** A secret for JWT_SECRET that tests sign their tokens with. */
export const newSecret = (): string => randomBytes(32).toString('hex');

export interface User {
  id: string;
  token: string;
}

export function newUser(secret: string, role: Role): User {
  const id = randomUUID();
  return { id, token: signAccessToken(secret, { sub: id, role }) };
}

export interface Answer<T = unknown> {
  status: number;
  body: T;
}

/** One REST call as `user`; the answer's JSON body (null when there is none). */
export async function call<T = unknown>(
  baseUrl: string,
  user: User | null,
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer<T>> {
  const response = await fetch(baseUrl + path, {
    method,
    headers: {
      ...(user && { Authorization: `Bearer ${user.token}` }),
      ...(body !== undefined && { 'Content-Type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
    // A test must fail, not hang, when a server stops answering.
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T };
}

/** Creates a room of `recruiter` and `clients`; answers its uuid. */
export async function createRoom(baseUrl: string, recruiter: User, clients: User[]): Promise<string> {
  const answer = await call<{ uuid: string }>(baseUrl, recruiter, 'POST', RestPaths.createRoom, {
    recruiter: recruiter.id,
    clients: clients.map((client) => client.id),
  });
  if (answer.status !== 201) throw new Error(`room not created: ${JSON.stringify(answer)}`);
  return answer.body.uuid;
}

export function postMessage(baseUrl: string, user: User, room: string, content: string) {
  return call<Message>(baseUrl, user, 'POST', RestPaths.createMessage, { chat_room: room, content });
}

/** Posts a file as `user` (multipart); answers the message. */
export async function postFile(
  baseUrl: string,
  user: User,
  room: string,
  file: { name: string; data: Uint8Array<ArrayBuffer> },
): Promise<Answer<Message>> {
  const form = new FormData();
  form.append('chat_room', room);
  form.append('file', new Blob([file.data]), file.name);
  const response = await fetch(baseUrl + RestPaths.createMessage, {
    method: 'POST',
    headers: { Authorization: `Bearer ${user.token}` },
    body: form,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: (await response.json()) as Message };
}

/** The room's messages, oldest first (up to 200). */
export async function listMessages(baseUrl: string, user: User, room: string): Promise<Message[]> {
  const answer = await call<Message[]>(
    baseUrl,
    user,
    'GET',
    `${RestPaths.listMessages}?chat_room=${room}&limit=200`,
  );
  if (answer.status !== 200) throw new Error(`messages not listed: ${JSON.stringify(answer)}`);
  return answer.body;
}

export { InboxSocket, RoomSocket } from './sockets.js';
