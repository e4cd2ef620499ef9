import { randomUUID } from 'node:crypto';
import {
  type ChatRoom,
  type ChatRoomListQuery,
  type CreateChatRoomBody,
  type LoggedRoomEvent,
  type Message,
  type MessageListQuery,
  RestPaths,
  type RoomEvent,
  type Since,
  type UpdateMessageBody,
} from '@hirechat/protocol';
import type { Broadcaster } from '../ports/broadcaster.js';
import type { ChatStorage } from '../ports/chat-storage.js';
import type { FileStore, UploadedFile } from '../ports/file-store.js';
import type { Identity, VerifiedToken } from '../ports/identity.js';
import { type Logger, silentLogger } from '../ports/logger.js';
import type { TypingState } from '../ports/typing-state.js';
import type { UserDirectory } from '../ports/user-directory.js';
import type { Caller } from './caller.js';
import { ChatError } from './chat-error.js';
import type { MediaUrlQuery, MediaUrls } from './media-urls.js';
import type { MessageRecord, RoomRecord } from './records.js';
import { RoomCache } from './room-cache.js';
import { RoomQueue } from './room-queue.js';
import { nowTimestamp } from './timestamp.js';
import { toChatRoom, toMessage } from './to-wire.js';
import { UserMemory } from './user-memory.js';

export interface ChatServiceDeps {
  storage: ChatStorage;
  users: UserDirectory;
  identity: Identity;
  broadcaster: Broadcaster;
  typing: TypingState;
  files: FileStore;
  /** Signs the `file_url` of every Message the service hands out or publishes. */
  mediaUrls: MediaUrls;
  logger?: Logger;
}

const membershipBrand: unique symbol = Symbol('RoomMembership');

/**
 * Proof that a user takes part in a room, made only by `ChatService.joinRoom`. A socket keeps one
 * for its life, so its events need no membership lookup each.
 */
export interface RoomMembership {
  readonly room: string;
  readonly user: string;
  readonly [membershipBrand]: true;
}

export interface NewMessageInput {
  chat_room: string;
  job?: string | null;
  content?: string | null;
  file?: UploadedFile | null;
}

/**
 * What a socket that resumes after a seq is owed: the logged events after it, in order, then live
 * ones from `seq` on; or, when the log no longer reaches back that far (or the seq is ahead of the
 * room's), a resync, and live events from `seq` on.
 */
export type Replay =
  | { resync: false; seq: number; events: LoggedRoomEvent[] }
  | { resync: true; seq: number };

/** A file that a signed media URL may download. */
export interface SignedFile {
  /** Absolute path of the file. */
  path: string;
  /** Whole seconds the URL stays valid (0 in its last second). */
  validForSeconds: number;
}

export interface MessageListResult {
  /** Oldest first. */
  messages: Message[];
  /** Cursor query of the next page in the query's direction, or null when there is none. */
  next: { before: string } | { after: string } | null;
}

/**
 * The chat domain: every rule of the contract, and the one place events leave from. It knows
 * nothing of HTTP or WebSocket; mounts hand it a caller and plain input and translate its answers
 * and its ChatErrors.
 */
export class ChatService {
  private readonly storage: ChatStorage;
  private readonly broadcaster: Broadcaster;
  private readonly typing: TypingState;
  private readonly files: FileStore;
  private readonly identity: Identity;
  private readonly users: UserMemory;
  private readonly logger: Logger;
  private readonly queue = new RoomQueue();
  private readonly rooms: RoomCache;
  /**
   * Signs Messages as they leave. Every stream that sends Messages and does not go through
   * `publish` or `replay` here (an inbox socket, webhooks) must pass its events through
   * `mediaUrls.signEvent` right before sending them.
   */
  readonly mediaUrls: MediaUrls;

  constructor(deps: ChatServiceDeps) {
    this.storage = deps.storage;
    this.mediaUrls = deps.mediaUrls;
    this.rooms = new RoomCache(deps.storage);
    this.broadcaster = deps.broadcaster;
    this.typing = deps.typing;
    this.files = deps.files;
    this.identity = deps.identity;
    this.users = new UserMemory(deps.users);
    this.logger = deps.logger ?? silentLogger;
    this.typing.onExpire((room, typingUsers) => {
      void this.queue.run(room, () => this.publish(room, { type: 'typing', typing_users: typingUsers }));
    });
  }

  /** Verifies an access token and keeps the user's record up to date with its claims. */
  async authenticate(token: string): Promise<VerifiedToken> {
    const verified = await this.identity.verify(token);
    await this.users.remember(verified.caller);
    return verified;
  }

  // ---- rooms ----------------------------------------------------------------------------------

  /** Creates the room, or answers the existing one with the same recruiter and set of clients. */
  async createRoom(caller: Caller, body: CreateChatRoomBody): Promise<{ room: ChatRoom; created: boolean }> {
    const takesPart = body.recruiter === caller.id || body.clients.includes(caller.id);
    if (!takesPart && caller.role !== 'admin') {
      throw ChatError.of('forbidden', 'You can only create rooms that you take part in.');
    }
    const { room, created } = await this.storage.createRoom({
      uuid: randomUUID(),
      recruiter: body.recruiter,
      clients: [...body.clients].sort(),
      createdAt: nowTimestamp(),
    });
    if (created) {
      return { room: toChatRoom({ room, lastMessage: null, unreadCount: 0 }, this.mediaUrls), created };
    }
    const summaries = await this.storage.listRooms({ viewer: caller.id, recruiter: room.recruiter });
    const summary = summaries.find((s) => s.room.uuid === room.uuid);
    return {
      room: toChatRoom(summary ?? { room, lastMessage: null, unreadCount: 0 }, this.mediaUrls),
      created,
    };
  }

  /** The caller's rooms, latest activity first. */
  async listRooms(caller: Caller, query: ChatRoomListQuery): Promise<ChatRoom[]> {
    const summaries = await this.storage.listRooms({ viewer: caller.id, ...query });
    return summaries.map((summary) => toChatRoom(summary, this.mediaUrls));
  }

  /**
   * Checks that the caller may follow the room live. Unlike REST, which answers 404 either way,
   * a socket is told `forbidden` apart from `not_found` (the contract's 4403 and 4404).
   */
  async joinRoom(caller: Caller, roomUuid: string): Promise<RoomMembership> {
    const room = await this.rooms.get(roomUuid);
    if (!room) throw ChatError.notFound('No such chat room.');
    if (!isParticipant(room, caller.id)) throw ChatError.of('forbidden', 'You are not in this chat room.');
    return { room: room.uuid, user: caller.id, [membershipBrand]: true };
  }

  // ---- messages -------------------------------------------------------------------------------

  async createMessage(caller: Caller, input: NewMessageInput): Promise<Message> {
    const content = input.content ?? null;
    const file = input.file ?? null;
    if ((content === null) === (file === null)) {
      throw ChatError.invalidInput('Send exactly one of content and file.');
    }
    await this.requireRoom(caller, input.chat_room);
    const fileKey = file ? await this.files.save(file) : null;
    try {
      return await this.queue.run(input.chat_room, async () => {
        const { record, event } = await this.storage.insertMessage(
          {
            uuid: randomUUID(),
            chatRoom: input.chat_room,
            sender: caller.id,
            fileKey,
            job: input.job ?? null,
            content,
            timestamp: nowTimestamp(),
          },
          (stored) => ({ type: 'message_created', message: toMessage(stored, this.mediaUrls) }),
        );
        await this.publish(record.chatRoom, event);
        // Sending a message ends typing, as the contract says. The message is stored by now, so a
        // typing-state failure is logged, not thrown: throwing would report a stored message as
        // failed and remove the file it points at.
        await this.changeTyping(record.chatRoom, caller.id, false).catch((error: unknown) => {
          this.logger.error({ err: error, room: record.chatRoom }, 'typing not ended after send');
        });
        return toMessage(record, this.mediaUrls);
      });
    } catch (error) {
      // The message was not stored, so neither may its file be; the write's error is the one to report.
      if (fileKey) {
        await this.files
          .remove(fileKey)
          .catch((err: unknown) => this.logger.warn({ err, fileKey }, 'orphan file left'));
      }
      throw error;
    }
  }

  async getMessage(caller: Caller, uuid: string): Promise<Message> {
    return toMessage(await this.requireVisibleMessage(caller, uuid), this.mediaUrls);
  }

  /** Changes the content; only the sender may. A file cannot be changed (the schema refuses it). */
  async updateMessage(caller: Caller, uuid: string, body: UpdateMessageBody): Promise<Message> {
    const existing = await this.requireOwnMessage(caller, uuid);
    return this.queue.run(existing.chatRoom, async () => {
      const logged = await this.storage.updateMessageContent(uuid, body.content, (stored) => ({
        type: 'message_updated',
        message: toMessage(stored, this.mediaUrls),
      }));
      if (!logged) throw ChatError.notFound();
      await this.publish(logged.record.chatRoom, logged.event);
      return toMessage(logged.record, this.mediaUrls);
    });
  }

  /** Deletes the message and its file; only the sender may. */
  async deleteMessage(caller: Caller, uuid: string): Promise<void> {
    const existing = await this.requireOwnMessage(caller, uuid);
    await this.queue.run(existing.chatRoom, async () => {
      const logged = await this.storage.deleteMessage(uuid, (stored) => ({
        type: 'message_deleted',
        message: toMessage(stored, this.mediaUrls),
      }));
      if (!logged) throw ChatError.notFound();
      const { record, event } = logged;
      // The message is gone whatever becomes of its file: a file left behind is logged, not
      // thrown, so that the delete is neither reported as failed nor kept from the room.
      const { fileKey } = record;
      if (fileKey) {
        await this.files.remove(fileKey).catch((error: unknown) => {
          this.logger.error(
            { err: error, room: record.chatRoom, fileKey },
            'file of a deleted message not removed',
          );
        });
      }
      await this.publish(record.chatRoom, event);
    });
  }

  /** A page of messages from the caller's rooms; with no cursor, the newest. */
  async listMessages(caller: Caller, query: MessageListQuery): Promise<MessageListResult> {
    const senders = await this.sendersFor(query);
    const before =
      query.before === undefined ? undefined : await this.cursorPosition(caller, 'before', query.before);
    const after =
      query.after === undefined ? undefined : await this.cursorPosition(caller, 'after', query.after);
    const page = await this.storage.listMessages({
      viewer: caller.id,
      ...(query.chat_room === undefined ? {} : { chatRoom: query.chat_room }),
      ...(senders === undefined ? {} : { senders }),
      ...(before === undefined ? {} : { before }),
      ...(after === undefined ? {} : { after }),
      limit: query.limit,
    });
    const messages = page.messages.map((record) => toMessage(record, this.mediaUrls));
    return { messages, next: nextCursor(messages, page.hasMore, after !== undefined) };
  }

  /**
   * Answers the path of an uploaded file that the caller may download. A file of a room the caller
   * is not in answers exactly as one that does not exist (contract, "Errors, continued").
   */
  async fileFor(caller: Caller, key: string): Promise<string> {
    const path = this.files.pathOf(key);
    const record = path === null ? null : await this.storage.findMessageByFileKey(key);
    if (path === null || record === null || !(await this.isInRoom(caller, record.chatRoom))) {
      throw ChatError.notFound();
    }
    return path;
  }

  /**
   * Answers the file that a signed media URL names (see MediaUrls), for anyone who holds the URL:
   * like an S3 signed URL, it is a capability, checked without a caller. Null when the query is
   * not a valid, unexpired signature of this file's path, so that the mount refuses it as it
   * refuses a request without credentials.
   *
   * @throws ChatError `not_found` when the signature is good but the file is gone (its message
   *   was deleted).
   */
  async signedFile(key: string, query: MediaUrlQuery): Promise<SignedFile | null> {
    const validForSeconds = this.mediaUrls.verify(`${RestPaths.media}${key}`, query);
    if (validForSeconds === null) return null;
    const path = this.files.pathOf(key);
    const record = path === null ? null : await this.storage.findMessageByFileKey(key);
    if (path === null || record === null) throw ChatError.notFound();
    return { path, validForSeconds };
  }

  // ---- live: reads and typing -----------------------------------------------------------------

  /** Adds the reader to the message's read_by, once. The sender reading their own changes nothing. */
  async markRead(membership: RoomMembership, messageUuid: string): Promise<void> {
    const record = await this.storage.getMessage(messageUuid);
    if (!record || record.chatRoom !== membership.room)
      throw ChatError.notFound('No such message in this room.');
    if (record.sender === membership.user) return;
    await this.queue.run(membership.room, async () => {
      const event = await this.storage.addRead(messageUuid, membership.user, {
        type: 'message_read',
        message_id: messageUuid,
        user_id: membership.user,
      });
      if (event) await this.publish(membership.room, event);
    });
  }

  async setTyping(membership: RoomMembership, typing: boolean): Promise<void> {
    await this.queue.run(membership.room, () => this.changeTyping(membership.room, membership.user, typing));
  }

  /** The room's typing set now, for a socket that resumes (typing is never replayed). */
  async typingUsers(membership: RoomMembership): Promise<string[]> {
    return this.typing.get(membership.room);
  }

  // ---- live: resuming from the event log --------------------------------------------------------

  /**
   * The room's logged events after `since`, for a socket that resumes there (or that missed live
   * events); `latest` asks only for the room's newest seq.
   */
  async replay(membership: RoomMembership, since: Since): Promise<Replay> {
    if (since === 'latest') {
      const seq = await this.storage.roomSeq(membership.room);
      if (seq === null) throw ChatError.notFound('No such chat room.');
      return { resync: false, seq, events: [] };
    }
    const read = await this.storage.eventsAfter(membership.room, since);
    if (!read) throw ChatError.notFound('No such chat room.');
    if (since === read.seq) return { resync: false, seq: read.seq, events: [] };
    // Ahead of the room (another database?), or behind what the log still holds.
    if (since > read.seq || read.events.length === 0) return { resync: true, seq: read.seq };
    // Logged when written, sent now: their file URLs must count from now, not from the write.
    const events = read.events.map((event) => this.mediaUrls.signEvent(event));
    return { resync: false, seq: read.seq, events };
  }

  // ---- internals ------------------------------------------------------------------------------

  private async changeTyping(room: string, user: string, typing: boolean): Promise<void> {
    const typingUsers = await this.typing.set(room, user, typing);
    if (typingUsers) await this.publish(room, { type: 'typing', typing_users: typingUsers });
  }

  /**
   * Every event leaves here, after the write that caused it has committed, and (the room queue
   * sees to it) in seq order per room, its Messages signed as it leaves. A broadcaster failure is
   * logged, not thrown: the write is stored and its author must hear so, and the event is in the
   * log, where sockets find it.
   */
  private async publish(room: string, event: RoomEvent): Promise<void> {
    try {
      await this.broadcaster.publish(room, this.mediaUrls.signEvent(event));
    } catch (error) {
      this.logger.error({ err: error, room, event: event.type }, 'event not broadcast');
    }
  }

  /** Whether the room exists and the caller takes part in it. */
  private async isInRoom(caller: Caller, roomUuid: string): Promise<boolean> {
    const room = await this.rooms.get(roomUuid);
    return room !== null && isParticipant(room, caller.id);
  }

  /** The room, when the caller is in it; otherwise 404, so that outsiders learn nothing. */
  private async requireRoom(caller: Caller, roomUuid: string): Promise<void> {
    if (!(await this.isInRoom(caller, roomUuid))) throw ChatError.notFound('No such chat room.');
  }

  private async requireVisibleMessage(caller: Caller, uuid: string): Promise<MessageRecord> {
    const record = await this.storage.getMessage(uuid);
    if (!record || !(await this.isInRoom(caller, record.chatRoom))) throw ChatError.notFound();
    return record;
  }

  private async requireOwnMessage(caller: Caller, uuid: string): Promise<MessageRecord> {
    const record = await this.requireVisibleMessage(caller, uuid);
    if (record.sender !== caller.id) {
      throw ChatError.of('forbidden', 'Only the sender can change or delete a message.');
    }
    return record;
  }

  private async sendersFor(query: MessageListQuery): Promise<string[] | undefined> {
    const byEmail =
      query.sender_email === undefined ? undefined : await this.users.idsByEmail(query.sender_email);
    if (query.sender === undefined) return byEmail;
    if (byEmail === undefined) return [query.sender];
    return byEmail.filter((id) => id === query.sender);
  }

  /**
   * Where a cursor's message stands, also when it has been deleted since (a page's `Link` must
   * stay followable). A message of a room the caller is not in is answered exactly as one that
   * never existed (contract, "Errors, continued").
   */
  private async cursorPosition(caller: Caller, field: 'before' | 'after', uuid: string): Promise<number> {
    const found = await this.storage.messagePosition(uuid);
    if (found === null || !(await this.isInRoom(caller, found.chatRoom))) {
      throw ChatError.invalidField(field, 'No such message.');
    }
    return found.position;
  }
}

function isParticipant(room: RoomRecord, user: string): boolean {
  return room.recruiter === user || room.clients.includes(user);
}

function nextCursor(messages: Message[], hasMore: boolean, forward: boolean): MessageListResult['next'] {
  if (!hasMore) return null;
  const edge = forward ? messages.at(-1) : messages[0];
  if (!edge) return null;
  return forward ? { after: edge.uuid } : { before: edge.uuid };
}
