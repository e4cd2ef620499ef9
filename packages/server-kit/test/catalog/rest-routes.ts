import { type ErrorCode, RestPaths } from '@hirechat/protocol';
import type { BodyType, FieldValue, Targets } from './world.js';

/*
 * Every REST route of the contract, as data: how to call it in the catalog's world, what it takes,
 * and what each kind of caller gets. The authorization matrix, the outsider-answer matrix and the
 * fuzz suite are generated from this table, so that a new route is one entry here.
 */

/** Signed-in callers, by their place in the world's room (see World). */
export const CALLERS = ['recruiter', 'client', 'outsider', 'admin'] as const;
export type CallerKind = (typeof CALLERS)[number];

/** What a successful answer holds; `detail` is the contract's `{"detail", "code"}` error body. */
export type Shape =
  | 'room'
  | 'roomDetail'
  | 'rooms'
  | 'message'
  | 'messages'
  | 'file'
  | 'health'
  | 'empty'
  | 'detail';

export interface Expected {
  status: number;
  shape: Shape;
  /** For `detail`: the error code it carries. */
  code?: ErrorCode;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A query string's parameters. */
export type Query = Record<string, string>;

export interface RestRoute {
  /** As test titles name it, e.g. `PATCH /chats/messages/detail/{uuid}/`. */
  name: string;
  method: Method;
  /** The path, naming the targets. */
  path(t: Targets): string;
  /**
   * Queries to ask with, naming the targets: the first is the route's plain request; each one is
   * a filter or cursor that an outsider must learn nothing from. Default: one empty query.
   */
  queries?(t: Targets): Query[];
  /** Query keys the route knows (fuzzing adds others, which must be refused by name). */
  queryKeys?: readonly string[];
  /** A valid body, naming the targets; absent for a route that takes none. */
  body?(t: Targets): Array<[string, FieldValue]>;
  /** Keys the body knows. */
  bodyKeys?: readonly string[];
  /** Body types the route takes. */
  bodyTypes?: readonly BodyType[];
  /** Answers without a token too (the health check). */
  public?: boolean;
  /** What each caller gets, asking with fresh targets. */
  answers: Record<CallerKind, Expected>;
}

const ok = (shape: Shape, status = 200): Expected => ({ status, shape });
const refused = (status: 403 | 404): Expected => ({
  status,
  shape: 'detail',
  code: status === 403 ? 'forbidden' : 'not_found',
});
const FORMS = ['json', 'urlencoded', 'multipart'] as const;

/** Anyone signed in gets the same. */
const everyone = (expected: Expected): Record<CallerKind, Expected> => ({
  recruiter: expected,
  client: expected,
  outsider: expected,
  admin: expected,
});

export const REST_ROUTES: readonly RestRoute[] = [
  {
    name: 'POST /chats/chat-room/create/',
    method: 'POST',
    path: () => RestPaths.createRoom,
    // The world's own room: answered 200 with it, to whoever may create it.
    body: (t) => [
      ['recruiter', t.recruiter],
      ['clients', [t.client]],
    ],
    bodyKeys: ['recruiter', 'clients'],
    bodyTypes: FORMS,
    answers: { recruiter: ok('room'), client: ok('room'), outsider: refused(403), admin: ok('room') },
  },
  {
    name: 'GET /chats/chat-room/list/',
    method: 'GET',
    path: () => RestPaths.listRooms,
    queries: (t): Query[] => [{}, { recruiter: t.recruiter }, { client: t.client }],
    queryKeys: ['recruiter', 'client'],
    answers: everyone(ok('rooms')),
  },
  {
    name: 'GET /chats/chat-room/detail/{uuid}/',
    method: 'GET',
    path: (t) => RestPaths.roomDetail(t.room),
    // An admin manages rooms; they do not read those they are not in.
    answers: {
      recruiter: ok('roomDetail'),
      client: ok('roomDetail'),
      outsider: refused(404),
      admin: refused(404),
    },
  },
  {
    name: 'POST /chats/chat-room/detail/{uuid}/clients/',
    method: 'POST',
    path: (t) => RestPaths.roomClients(t.changingRoom),
    body: (t) => [['clients', [t.newcomer]]],
    bodyKeys: ['clients'],
    bodyTypes: FORMS,
    answers: { recruiter: ok('room'), client: refused(403), outsider: refused(404), admin: ok('room') },
  },
  {
    name: 'DELETE /chats/chat-room/detail/{uuid}/clients/{client uuid}/',
    method: 'DELETE',
    path: (t) => RestPaths.roomClient(t.changingRoom, t.member),
    // A client may remove themselves (leave), not another client: `member` is not the caller.
    answers: {
      recruiter: ok('empty', 204),
      client: refused(403),
      outsider: refused(404),
      admin: ok('empty', 204),
    },
  },
  {
    name: 'POST /chats/messages/create/',
    method: 'POST',
    path: () => RestPaths.createMessage,
    body: (t) => [
      ['chat_room', t.room],
      ['content', 'hello'],
    ],
    bodyKeys: ['chat_room', 'content', 'job', 'file'],
    bodyTypes: FORMS,
    answers: {
      recruiter: ok('message', 201),
      client: ok('message', 201),
      outsider: refused(404),
      admin: refused(404),
    },
  },
  {
    name: 'GET /chats/messages/detail/{uuid}/',
    method: 'GET',
    path: (t) => RestPaths.messageDetail(t.message),
    answers: { recruiter: ok('message'), client: ok('message'), outsider: refused(404), admin: refused(404) },
  },
  ...(['PATCH', 'PUT'] as const).map(
    (method): RestRoute => ({
      name: `${method} /chats/messages/detail/{uuid}/`,
      method,
      path: (t) => RestPaths.messageDetail(t.message),
      body: () => [['content', 'edited']],
      bodyKeys: ['content', 'file'],
      bodyTypes: FORMS,
      answers: {
        recruiter: ok('message'),
        client: refused(403),
        outsider: refused(404),
        admin: refused(404),
      },
    }),
  ),
  {
    name: 'DELETE /chats/messages/detail/{uuid}/',
    method: 'DELETE',
    path: (t) => RestPaths.messageDetail(t.message),
    answers: {
      recruiter: ok('empty', 204),
      client: refused(403),
      outsider: refused(404),
      admin: refused(404),
    },
  },
  {
    name: 'GET /chats/messages/list/',
    method: 'GET',
    path: () => RestPaths.listMessages,
    queries: (t): Query[] => [
      { chat_room: t.room },
      { chat_room: t.room, before: t.message },
      { after: t.message },
      { before: t.deletedMessage },
      { after: t.deletedMessage, limit: '1' },
      { sender: t.recruiter },
      { sender_email: t.recruiterEmail },
    ],
    queryKeys: ['chat_room', 'sender', 'sender_email', 'limit', 'before', 'after'],
    answers: everyone(ok('messages')),
  },
  {
    name: 'GET /media/chat_files/{name}',
    method: 'GET',
    path: (t) => `${RestPaths.media}chat_files/${t.file}`,
    answers: { recruiter: ok('file'), client: ok('file'), outsider: refused(404), admin: refused(404) },
  },
  {
    name: 'GET /healthz',
    method: 'GET',
    path: () => RestPaths.health,
    public: true,
    answers: everyone(ok('health')),
  },
];

/** The query string of one of the route's queries (`?a=b`, or nothing). */
export function queryString(query: Record<string, string>): string {
  const search = new URLSearchParams(query).toString();
  return search ? `?${search}` : '';
}
