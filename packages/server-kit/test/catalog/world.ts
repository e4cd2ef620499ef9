import { randomUUID } from 'node:crypto';
import type { ChatRoom } from '@hirechat/protocol';
import type { TestServer } from '@hirechat/server-kit/testing';
import { type Answer, createRoom, newUser, sendFile, sendText, type User } from '../rest/http.js';

/*
 * The world that the route catalog's requests are made in: a room of a recruiter and a client,
 * someone in no room of theirs (the outsider), and an admin who is not in it either. Suites made
 * from the catalog (authorization matrix, outsider answers, fuzzing) share it.
 */

export interface World {
  t: TestServer;
  /** The room's recruiter, and the sender of its messages. */
  recruiter: User;
  /** The room's client. */
  client: User;
  /** In no room of the others: what they own must look to them exactly like what does not exist. */
  outsider: User;
  /** Role `admin`, not in the room. */
  admin: User;
  room: ChatRoom;
}

/** What a request names: things in the world's room, or made-up ones (see missingTargets). */
export interface Targets {
  room: string;
  /**
   * A room of its own for requests that change who is in it, so that the world's room stays as
   * it is: the world's recruiter and client, and `member`.
   */
  changingRoom: string;
  /** A client of `changingRoom` besides the world's client, for removing. */
  member: string;
  /** Someone in no room yet, for adding. */
  newcomer: string;
  /** A text message of the room, sent by the recruiter. */
  message: string;
  /** A message of the room that has been deleted. */
  deletedMessage: string;
  /** The name of a file of the room, as it follows `/media/chat_files/`. */
  file: string;
  recruiter: string;
  client: string;
  /** An email of the room's recruiter. */
  recruiterEmail: string;
}

export async function makeWorld(t: TestServer): Promise<World> {
  const recruiter = newUser(t, { role: 'recruiter' });
  const client = newUser(t, { role: 'client' });
  const outsider = newUser(t, { role: 'client' });
  const admin = newUser(t, { role: 'admin' });
  // Every user has made a request, so that each is known to the server by id and email.
  const room = await createRoom(recruiter, recruiter, [client]);
  await Promise.all([outsider, admin].map((user) => user.api.get('/chats/chat-room/list/')));
  return { t, recruiter, client, outsider, admin, room };
}

/** Fresh things in the world's room, for a request that may change or delete them. */
export async function freshTargets(world: World): Promise<Targets> {
  const { t, recruiter, client, room } = world;
  const member = newUser(t, { role: 'client' });
  const [message, deleted, file, changingRoom] = await Promise.all([
    sendText(recruiter, room, 'hello'),
    sendText(recruiter, room, 'to be deleted'),
    sendFile(recruiter, room, { name: 'cv.pdf', data: '%PDF-1.4\n', type: 'application/pdf' }),
    createRoom(recruiter, recruiter, [client, member]),
  ]);
  const gone = await recruiter.api.delete(`/chats/messages/detail/${deleted.uuid}/`);
  if (gone.status !== 204) throw new Error(`could not delete a message: ${gone.status}`);
  return {
    room: room.uuid,
    changingRoom: changingRoom.uuid,
    member: member.id,
    newcomer: randomUUID(),
    message: message.uuid,
    deletedMessage: deleted.uuid,
    file: file.file!.slice('/media/chat_files/'.length),
    recruiter: recruiter.id,
    client: client.id,
    recruiterEmail: recruiter.email,
  };
}

/** Targets that never existed, shaped as real ones are. */
export function missingTargets(): Targets {
  return {
    room: randomUUID(),
    changingRoom: randomUUID(),
    member: randomUUID(),
    newcomer: randomUUID(),
    message: randomUUID(),
    deletedMessage: randomUUID(),
    // Shaped as the server names files (see LocalFileStore): the client's name, `_`, 7 characters.
    file: `cv_${randomUUID().replace(/-/g, '').slice(0, 7)}.pdf`,
    recruiter: randomUUID(),
    client: randomUUID(),
    recruiterEmail: `nobody-${randomUUID().slice(0, 8)}@example.com`,
  };
}

// ---- bodies ---------------------------------------------------------------------------------------

export const BODY_TYPES = ['json', 'urlencoded', 'multipart'] as const;
export type BodyType = (typeof BODY_TYPES)[number];

/** A field's value: text, a list (repeated form fields), any JSON value (JSON only), or a file. */
export type FieldValue = unknown;

/** A file part, for multipart bodies. */
export interface FileField {
  file: { name: string; data: string; type: string };
}

export const isFileField = (value: unknown): value is FileField =>
  typeof value === 'object' && value !== null && 'file' in value && Object.keys(value).length === 1;

/**
 * Encodes fields as a body of the type. Keys are written as given, whatever they are
 * (`__proto__` included); urlencoded and multipart write lists as repeated fields and anything
 * that is not text as JSON text.
 */
export function encodeBody(
  type: BodyType,
  fields: Array<[string, FieldValue]>,
): { body: string | FormData; contentType?: string } {
  if (type === 'json') {
    // Built by hand, so that a `__proto__` key is sent as a key and not taken as a prototype.
    const members = fields.map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`);
    return { body: `{${members.join(',')}}`, contentType: 'application/json' };
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
  const each = (value: FieldValue) => (Array.isArray(value) ? value : [value]);
  if (type === 'urlencoded') {
    const params = new URLSearchParams();
    for (const [name, value] of fields) for (const item of each(value)) params.append(name, text(item));
    return { body: params.toString(), contentType: 'application/x-www-form-urlencoded' };
  }
  const form = new FormData();
  for (const [name, value] of fields) {
    for (const item of each(value)) {
      if (isFileField(item))
        form.append(name, new Blob([item.file.data], { type: item.file.type }), item.file.name);
      else form.append(name, text(item));
    }
  }
  return { body: form };
}

/** Sends the fields as a body of the type, as the user: encodeBody, then the request. */
export function sendBody(
  user: User,
  method: string,
  path: string,
  fields: Array<[string, FieldValue]>,
  type: BodyType,
): Promise<Answer> {
  const { body, contentType } = encodeBody(type, fields);
  return typeof body === 'string'
    ? user.api.send(method, path, { body, headers: { 'content-type': contentType! } })
    : user.api.send(method, path, { form: body });
}
