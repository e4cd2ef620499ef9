import { z } from 'zod';
import { ChatRoomDetailSchema, ChatRoomSchema } from '../chat-room.js';
import { HealthBodySchema, HealthUnavailableBodySchema } from '../health.js';
import { UuidInputSchema } from '../ids.js';
import { MESSAGE_LIST_DEFAULT_LIMIT, MESSAGE_LIST_MAX_LIMIT } from '../limits.js';
import { MessageSchema } from '../message.js';
import { RestPaths } from '../paths.js';
import {
  AddClientsBodySchema,
  ChatRoomListQuerySchema,
  CreateChatRoomBodySchema,
  CreateMessageFieldsSchema,
  MediaDownloadQuerySchema,
  MessageListQuerySchema,
  UpdateMessageBodySchema,
} from '../rest.js';
import type { ErrorStatus, HeaderDoc } from './error-responses.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The media types a request body may come in; the server reads each into the same fields. */
export const BODY_MEDIA_TYPES = {
  json: 'application/json',
  form: 'application/x-www-form-urlencoded',
  multipart: 'multipart/form-data',
} as const;
export type BodyKind = keyof typeof BODY_MEDIA_TYPES;

/** A successful answer of an operation. */
export interface RestResponseDoc {
  description: string;
  /** The JSON body; none for an empty answer (204), or the bytes' schema with `mediaTypes`. */
  schema?: z.ZodType;
  /** For a body that is not JSON (a file): the media types it may have. */
  mediaTypes?: readonly string[];
  headers?: Record<string, HeaderDoc>;
}

/**
 * One method on one path of the REST API, as the documents describe it. Its schemas are the
 * protocol's own, the same the server validates with; nothing of a shape is written here again.
 */
export interface RestOperation {
  /** Unique, camelCase: the OpenAPI `operationId`, and the stem of its schemas' component names. */
  id: string;
  method: HttpMethod;
  /** As the server mounts it: the contract's spelling, trailing slash included, parameters as `{name}`. */
  path: string;
  /** The group it is listed under. */
  tag: 'Rooms' | 'Messages' | 'Files' | 'Health';
  summary: string;
  /** Who may call it and what else a client must know (Markdown). */
  description: string;
  /** Whether it needs `Authorization: Bearer <access token>`. Default true. */
  authenticated?: boolean;
  /** One schema per `{name}` of the path. */
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** The body's fields, by the media types it may come in. */
  body?: Partial<Record<BodyKind, z.ZodType>>;
  /** Answers other than errors, by status. */
  responses: Record<number, RestResponseDoc>;
  /**
   * Error statuses beyond those that follow from the operation itself: 400 with a query or body,
   * 401 when authenticated, 404 with path parameters, 415 with a body, and 503 always.
   */
  errors?: readonly ErrorStatus[];
}

const RoomPathSchema = z.object({
  room: UuidInputSchema.meta({ description: "The room's `uuid`. A value that is no UUID is a 404." }),
});

const RoomClientPathSchema = RoomPathSchema.extend({
  client: UuidInputSchema.meta({
    description: "The client's user `uuid`. A value that is no UUID is a 404.",
  }),
});

const MessagePathSchema = z.object({
  uuid: UuidInputSchema.meta({ description: "The message's `uuid`. A value that is no UUID is a 404." }),
});

/** POST /chats/messages/create/ as multipart: the text fields, and the file as a part beside them. */
const CreateMessageMultipartSchema = CreateMessageFieldsSchema.extend({
  file: z.file().optional().meta({
    description: 'The attachment: any type, up to the upload limit. Exactly one of `content` and `file`.',
  }),
});

/** A body the contract takes as "JSON or form": the same fields in each of the three media types. */
const jsonOrForm = (schema: z.ZodType) => ({ json: schema, form: schema, multipart: schema });

const updateMessage = (id: string, method: HttpMethod): RestOperation => ({
  id,
  method,
  path: RestPaths.messageDetail('{uuid}'),
  tag: 'Messages',
  summary: method === 'PATCH' ? 'Edit a message' : 'Edit a message (PUT spelling)',
  description:
    'The sender only. Only `content` can change; `is_edited` becomes true. A `file` in the body is a 400 ' +
    'that says to delete the message and create it again. Sends `message_updated` to the room.',
  params: MessagePathSchema,
  body: jsonOrForm(UpdateMessageBodySchema),
  responses: { 200: { description: 'The edited message.', schema: MessageSchema } },
  errors: [403],
});

/** The types a file is served as (server-kit's media-routes.ts: images inline, the rest as downloads). */
const MEDIA_TYPES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'application/octet-stream',
] as const;

/**
 * Every REST operation the hirechat plugin serves (contract, "REST"). A new route is one entry here;
 * the API documents test fails while a route of the server has none, or an entry has no route.
 */
export const REST_OPERATIONS: readonly RestOperation[] = [
  {
    id: 'createRoom',
    method: 'POST',
    path: RestPaths.createRoom,
    tag: 'Rooms',
    summary: 'Create a chat room',
    description:
      'A participant of the new room (its recruiter or one of its clients), or an `admin`. Creating is ' +
      'idempotent: the same recruiter with the same set of clients answers 200 with the existing room. ' +
      'As a form, `clients` is the field repeated (`clients=a&clients=b`).',
    body: jsonOrForm(CreateChatRoomBodySchema),
    responses: {
      201: { description: 'The new room.', schema: ChatRoomSchema },
      200: {
        description:
          'The room that has this recruiter and set of clients now, which existed already (to an admin ' +
          'outside it, with no `last_message` and nothing unread).',
        schema: ChatRoomSchema,
      },
    },
    errors: [403],
  },
  {
    id: 'listRooms',
    method: 'GET',
    path: RestPaths.listRooms,
    tag: 'Rooms',
    summary: "List the caller's rooms",
    description: 'The rooms the caller is in, latest activity first, optionally filtered.',
    query: ChatRoomListQuerySchema,
    responses: { 200: { description: "The caller's rooms.", schema: z.array(ChatRoomSchema) } },
  },
  {
    id: 'getRoom',
    method: 'GET',
    path: RestPaths.roomDetail('{room}'),
    tag: 'Rooms',
    summary: 'Get a chat room',
    description:
      'A participant of the room; anyone else gets a 404, as for a room that does not exist. With the ' +
      "caller's `last_message` and `unread_count`, and `online_users`: the participants who hold an open " +
      'socket now, on any server process.',
    params: RoomPathSchema,
    responses: { 200: { description: 'The room.', schema: ChatRoomDetailSchema } },
  },
  {
    id: 'addClients',
    method: 'POST',
    path: RestPaths.roomClients('{room}'),
    tag: 'Rooms',
    summary: 'Add clients to a chat room',
    description:
      "The room's recruiter, or an `admin`; another participant gets a 403, anyone else a 404. Clients who " +
      'are in the room already stay as they are, so the call can be repeated. An added client sees the ' +
      "room's whole history, every message from others counted unread. Sends `room_updated` to the room, " +
      'and to the inbox of every participant, the added ones included.',
    params: RoomPathSchema,
    body: jsonOrForm(AddClientsBodySchema),
    responses: {
      200: {
        description:
          'The room, as the caller sees it; to an admin outside it, with no `last_message` and nothing unread ' +
          '(an admin manages rooms, and does not read those they are not in).',
        schema: ChatRoomSchema,
      },
    },
    errors: [403],
  },
  {
    id: 'removeClient',
    method: 'DELETE',
    path: RestPaths.roomClient('{room}', '{client}'),
    tag: 'Rooms',
    summary: 'Remove a client from a chat room, or leave it',
    description:
      "The room's recruiter or an `admin` (any client), or that client (leaving). The client loses the room " +
      'at once, on every server process: their sockets to it close with 4403, they receive none of its ' +
      "events after the removal, and every path that names it answers them 404. The room's recruiter " +
      'cannot be removed (400). Sends `room_updated` to the room and the inboxes of those left, and ' +
      '`room_removed` to the inbox of the client.',
    params: RoomClientPathSchema,
    responses: { 204: { description: 'Removed.' } },
    errors: [403],
  },
  {
    id: 'createMessage',
    method: 'POST',
    path: RestPaths.createMessage,
    tag: 'Messages',
    summary: 'Post a message',
    description:
      'A participant of `chat_room`. Exactly one of `content` and `file`; a file needs multipart/form-data, ' +
      'text may come as JSON or a form. An empty form field counts as not given. A room the caller is not ' +
      'in is a 404, as one that does not exist. Sends `message_created` to the room.',
    body: {
      json: CreateMessageFieldsSchema,
      form: CreateMessageFieldsSchema,
      multipart: CreateMessageMultipartSchema,
    },
    responses: { 201: { description: 'The new message.', schema: MessageSchema } },
    errors: [404, 413],
  },
  {
    id: 'getMessage',
    method: 'GET',
    path: RestPaths.messageDetail('{uuid}'),
    tag: 'Messages',
    summary: 'Get a message',
    description: 'A participant of its room.',
    params: MessagePathSchema,
    responses: { 200: { description: 'The message.', schema: MessageSchema } },
  },
  updateMessage('updateMessage', 'PATCH'),
  updateMessage('replaceMessage', 'PUT'),
  {
    id: 'deleteMessage',
    method: 'DELETE',
    path: RestPaths.messageDetail('{uuid}'),
    tag: 'Messages',
    summary: 'Delete a message',
    description:
      'The sender only. Its stored file is removed. Sends `message_deleted`, carrying the message as it ' +
      'was, to the room.',
    params: MessagePathSchema,
    responses: { 204: { description: 'Deleted.' } },
    errors: [403],
  },
  {
    id: 'listMessages',
    method: 'GET',
    path: RestPaths.listMessages,
    tag: 'Messages',
    summary: "List messages of the caller's rooms",
    description:
      `Messages of the caller's rooms only, oldest first within the page. With no cursor, the newest ` +
      `\`limit\` (default ${MESSAGE_LIST_DEFAULT_LIMIT}, at most ${MESSAGE_LIST_MAX_LIMIT}); \`before\` and ` +
      '`after` are message UUIDs and page older or newer. A `chat_room` the caller is not in matches nothing.',
    query: MessageListQuerySchema,
    responses: {
      200: {
        description: 'One page of messages.',
        schema: z.array(MessageSchema),
        headers: {
          Link: {
            description:
              'The next page in the same direction: `<path?query>; rel="next"`, the same query with the ' +
              'cursor moved on. Absent on the last page.',
            schema: z.string(),
          },
        },
      },
    },
  },
  {
    id: 'getFile',
    method: 'GET',
    path: `${RestPaths.media}chat_files/{name}`,
    tag: 'Files',
    summary: "Download a message's file",
    description:
      "A participant of the file's room with a token; or anyone with the message's signed `file_url` " +
      '(its `expires` and `signature`), until it expires. PNG, JPEG, GIF and WebP are served inline; PDF ' +
      'and everything else as a download, with `X-Content-Type-Options: nosniff` and a sandboxing ' +
      '`Content-Security-Policy`.',
    params: z.object({
      name: z.string().meta({ description: "The stored file name, as the end of the message's `file`." }),
    }),
    query: MediaDownloadQuerySchema,
    responses: {
      200: {
        description: 'The file.',
        schema: z.file(),
        mediaTypes: MEDIA_TYPES,
        headers: {
          'Content-Disposition': {
            description: '`inline` for images, `attachment` otherwise, with the file name.',
            schema: z.string(),
          },
        },
      },
    },
  },
  {
    id: 'health',
    method: 'GET',
    path: RestPaths.health,
    tag: 'Health',
    summary: 'Health check',
    description: 'Whether the server reaches its database, and Redis where configured. For load balancers.',
    authenticated: false,
    responses: {
      200: { description: 'Ready.', schema: HealthBodySchema },
      503: {
        description: 'The database or the broker did not answer in time.',
        schema: HealthUnavailableBodySchema,
      },
    },
  },
];
