import {
  type ChatRoom,
  type ChatRoomDetail,
  ChatRoomDetailSchema,
  type ChatRoomListQuery,
  ChatRoomSchema,
  type CreateChatRoomBody,
  type Message,
  type MessageListQueryInput,
  MessageSchema,
  RestPaths,
} from '@hirechat/protocol';
import LinkHeader from 'http-link-header';
import { z } from 'zod';
import { asErrorBody, ChatApiError } from './chat-api-error.js';
import { resolveToken, type TokenSource, tokenUser } from './token-source.js';

/** A text message to post (`POST /chats/messages/create/`, sent as JSON). */
export interface NewTextMessage {
  /** The room's UUID. */
  chat_room: string;
  /** At most 10,000 characters, with at least one that shows. */
  content: string;
  /** A job UUID the message is about, or null. */
  job?: string | null;
}

/** A file message to post (`POST /chats/messages/create/`, sent as multipart/form-data). */
export interface NewFileMessage {
  /** The room's UUID. */
  chat_room: string;
  /** A Blob or File (browsers), or bytes such as a Node Buffer. */
  file: Blob | Uint8Array;
  /** Name the file is stored under; defaults to the File's own name, else "file". */
  filename?: string;
  /** A job UUID the message is about, or null. */
  job?: string | null;
}

/** One page of `GET /chats/messages/list/`. */
export interface MessagePage {
  /** Oldest first. */
  messages: Message[];
  /** The query of the next page in the same direction, or null at the end. */
  next: MessageListQueryInput | null;
}

const MessageListSchema = z.array(MessageSchema);
const ChatRoomListSchema = z.array(ChatRoomSchema);

/**
 * REST half of the client: one method per contract row, every answer checked against the protocol.
 * A failed call rejects with a ChatApiError (status, code, the server's body).
 */
export class RestClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: TokenSource,
    private readonly fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis),
  ) {}

  /** Chat rooms: `POST /chats/chat-room/create/`, `GET .../list/`, and the room detail paths. */
  readonly rooms = {
    /**
     * Creates a room of the recruiter and clients (the caller must be one of them, or an admin).
     * The same recruiter with the same set of clients answers the existing room.
     */
    create: (body: CreateChatRoomBody): Promise<ChatRoom> =>
      this.request('POST', RestPaths.createRoom, ChatRoomSchema, jsonBody(body)),
    /** The caller's rooms, latest activity first; `recruiter` and `client` narrow them. */
    list: (query: ChatRoomListQuery = {}): Promise<ChatRoom[]> =>
      this.request('GET', withQuery(RestPaths.listRooms, query), ChatRoomListSchema),
    /**
     * One of the caller's rooms, with its `last_message`, the caller's `unread_count`, and
     * `online_users` (its participants who hold an open socket now). A room the caller is not in
     * rejects with a ChatApiError 404 (`not_found`), as one that does not exist.
     */
    get: (room: string): Promise<ChatRoomDetail> =>
      this.request('GET', RestPaths.roomDetail(room), ChatRoomDetailSchema),
    /**
     * Adds clients to the room (its recruiter, or an admin, may); clients already in it are left
     * as they are, so the call can be repeated. Answers the room as the caller sees it. Each added
     * client's inbox hears `room_updated`, and they see the room's whole history. Rejects with a
     * ChatApiError: 403 `forbidden` for a client of the room, 404 for a room the caller is not in,
     * 400 for a bad list (the recruiter among them, a repeat).
     */
    addClients: (room: string, clients: readonly string[]): Promise<ChatRoom> =>
      this.request('POST', RestPaths.roomClients(room), ChatRoomSchema, jsonBody({ clients })),
    /**
     * Takes a client out of the room (its recruiter or an admin may take any; a client, only
     * themselves: see `leave`). They lose the room at once: their sockets to it close with 4403,
     * their inbox hears `room_removed`, and the room answers them 404 from then on. Rejects with a
     * ChatApiError: 404 for a client not in the room (or a room the caller is not in), 403 for a
     * client removing another, 400 for the recruiter, who cannot be removed.
     */
    removeClient: async (room: string, client: string): Promise<void> => {
      await this.request('DELETE', RestPaths.roomClient(room, client), null);
    },
    /**
     * The caller leaves the room: `removeClient(room, <the caller>)`, the caller read from the
     * access token's `sub` (or `user_id`) claim. Rejects with an Error when the token names no
     * user, and with a ChatApiError as `removeClient` does (400 for the recruiter).
     */
    leave: async (room: string): Promise<void> => {
      const user = tokenUser(await resolveToken(this.token));
      if (!user) throw new Error('The access token names no user (no `sub` or `user_id` claim).');
      await this.rooms.removeClient(room, user);
    },
  };

  /** Messages: `/chats/messages/create/`, `.../detail/{uuid}/` and `.../list/`. */
  readonly messages = {
    /**
     * Posts a text or a file to a room the caller is in; answers the message (`message_created`
     * follows on the room's sockets and its participants' inboxes). A file over the server's limit
     * rejects with a ChatApiError 413 (`payload_too_large`).
     */
    create: (input: NewTextMessage | NewFileMessage): Promise<Message> =>
      this.request('POST', RestPaths.createMessage, MessageSchema, messageBody(input)),
    /** One message of the caller's rooms, with a fresh `file_url`; 404 for any other. */
    get: (uuid: string): Promise<Message> =>
      this.request('GET', RestPaths.messageDetail(uuid), MessageSchema),
    /** Edits the caller's own message (403 for another's); answers it, `is_edited` true. */
    update: (uuid: string, body: { content: string }): Promise<Message> =>
      this.request('PATCH', RestPaths.messageDetail(uuid), MessageSchema, jsonBody(body)),
    /** Deletes the caller's own message, and its file (403 for another's). */
    delete: async (uuid: string): Promise<void> => {
      await this.request('DELETE', RestPaths.messageDetail(uuid), null);
    },
    /**
     * One page of messages of the caller's rooms (oldest first within the page), and `next`, the
     * query of the following page in the same direction (older ones without a cursor or with
     * `before`; newer ones with `after`), or null at the end.
     */
    list: async (query: MessageListQueryInput = {}): Promise<MessagePage> => {
      const { body, next } = await this.requestWithLink(
        'GET',
        withQuery(RestPaths.listMessages, query),
        MessageListSchema,
      );
      return { messages: body, next };
    },
    /**
     * Every message matching the query, fetched page by page as the loop asks for them: newest
     * first, going back in time; oldest first, going forward, when the query has an `after` cursor.
     */
    history: (query: MessageListQueryInput = {}): AsyncIterable<Message> => this.history(query),
  };

  private async *history(query: MessageListQueryInput): AsyncIterable<Message> {
    const forward = query.after !== undefined;
    let next: MessageListQueryInput | null = query;
    while (next) {
      const page = await this.messages.list(next);
      // Pages are oldest first; walking back, each is read from its end.
      yield* forward ? page.messages : [...page.messages].reverse();
      next = page.next;
    }
  }

  private async request<T>(
    method: string,
    path: string,
    schema: z.ZodType<T> | null,
    body?: BodyInit,
  ): Promise<T> {
    return (await this.requestWithLink(method, path, schema, body)).body;
  }

  private async requestWithLink<T>(
    method: string,
    path: string,
    schema: z.ZodType<T> | null,
    body?: BodyInit,
  ): Promise<{ body: T; next: MessageListQueryInput | null }> {
    const token = await resolveToken(this.token);
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    if (typeof body === 'string') headers['Content-Type'] = 'application/json';
    const response = await this.fetchImpl(new URL(path, this.baseUrl), {
      method,
      headers,
      ...(body ? { body } : {}),
    });
    const text = await response.text();
    // A proxy in front of the server may answer an error in HTML: it is still a ChatApiError.
    const parsed = parseJson(text);
    if (!response.ok) throw new ChatApiError(response.status, asErrorBody(parsed), method, path);
    return {
      body: (schema ? schema.parse(parsed) : undefined) as T,
      next: nextQuery(response.headers.get('Link')),
    };
  }
}

function jsonBody(value: unknown): string {
  return JSON.stringify(value);
}

function messageBody(input: NewTextMessage | NewFileMessage): BodyInit {
  if (!('file' in input)) return jsonBody(input);
  const form = new FormData();
  form.set('chat_room', input.chat_room);
  if (input.job) form.set('job', input.job);
  const { file } = input;
  const name = input.filename ?? (file as { name?: string }).name ?? 'file';
  // Copied into a Blob of its own: a Node Buffer may be a view of a larger, shared pool.
  form.set('file', file instanceof Blob ? file : new Blob([new Uint8Array(file)]), name);
  return form;
}

function withQuery(path: string, query: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

/** Reads the query of `Link: <path?query>; rel="next"` (RFC 8288, with http-link-header). */
function nextQuery(link: string | null): MessageListQueryInput | null {
  const target = link ? LinkHeader.parse(link).rel('next')[0]?.uri : undefined;
  if (!target) return null;
  return Object.fromEntries(new URL(target, 'http://x').searchParams) as MessageListQueryInput;
}

function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
