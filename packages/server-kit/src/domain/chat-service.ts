import { randomUUID } from 'node:crypto';
import type {
  ChatRoom,
  ChatRoomListQuery,
  CreateChatRoomBody,
  Message,
  MessageListQuery,
  RoomEvent,
  UpdateMessageBody,
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
import type { MessageRecord, RoomRecord } from './records.js';
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

  constructor(deps: ChatServiceDeps) {
    this.storage = deps.storage;
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
    if (created) return { room: toChatRoom({ room, lastMessage: null, unreadCount: 0 }), created };
    const summaries = await this.storage.listRooms({ viewer: caller.id, recruiter: room.recruiter });
    const summary = summaries.find((s) => s.room.uuid === room.uuid);
    return { room: toChatRoom(summary ?? { room, lastMessage: null, unreadCount: 0 }), created };
  }

  /** The caller's rooms, latest activity first. */
  async listRooms(caller: Caller, query: ChatRoomListQuery): Promise<ChatRoom[]> {
    const summaries = await this.storage.listRooms({ viewer: caller.id, ...query });
    return summaries.map(toChatRoom);
  }

  /**
   * Checks that the caller may follow the room live. Unlike REST, which answers 404 either way,
   * a socket is told `forbidden` apart from `not_found` (the contract's 4403 and 4404).
   */
  async joinRoom(caller: Caller, roomUuid: string): Promise<RoomMembership> {
    const room = await this.storage.getRoom(roomUuid);
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
        const record = await this.storage.insertMessage({
          uuid: randomUUID(),
          chatRoom: input.chat_room,
          sender: caller.id,
          fileKey,
          job: input.job ?? null,
          content,
          timestamp: nowTimestamp(),
        });
        const message = toMessage(record);
        await this.publish(record.chatRoom, { type: 'message_created', message });
        // Sending a message ends typing, as the contract says. The message is stored by now, so a
        // typing-state failure is logged, not thrown: throwing would report a stored message as
        // failed and remove the file it points at.
        await this.changeTyping(record.chatRoom, caller.id, false).catch((error: unknown) => {
          this.logger.error({ err: error, room: record.chatRoom }, 'typing not ended after send');
        });
        return message;
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
    return toMessage(await this.requireVisibleMessage(caller, uuid));
  }

  /** Changes the content; only the sender may. A file cannot be changed (the schema refuses it). */
  async updateMessage(caller: Caller, uuid: string, body: UpdateMessageBody): Promise<Message> {
    const existing = await this.requireOwnMessage(caller, uuid);
    return this.queue.run(existing.chatRoom, async () => {
      const record = await this.storage.updateMessageContent(uuid, body.content);
      if (!record) throw ChatError.notFound();
      const message = toMessage(record);
      await this.publish(record.chatRoom, { type: 'message_updated', message });
      return message;
    });
  }

  /** Deletes the message and its file; only the sender may. */
  async deleteMessage(caller: Caller, uuid: string): Promise<void> {
    const existing = await this.requireOwnMessage(caller, uuid);
    await this.queue.run(existing.chatRoom, async () => {
      const record = await this.storage.deleteMessage(uuid);
      if (!record) throw ChatError.notFound();
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
      await this.publish(record.chatRoom, { type: 'message_deleted', message: toMessage(record) });
    });
  }

  /** A page of messages from the caller's rooms; with no cursor, the newest. */
  async listMessages(caller: Caller, query: MessageListQuery): Promise<MessageListResult> {
    const senders = await this.sendersFor(query);
    const before = query.before === undefined ? undefined : await this.cursorPosition('before', query.before);
    const after = query.after === undefined ? undefined : await this.cursorPosition('after', query.after);
    const page = await this.storage.listMessages({
      viewer: caller.id,
      ...(query.chat_room === undefined ? {} : { chatRoom: query.chat_room }),
      ...(senders === undefined ? {} : { senders }),
      ...(before === undefined ? {} : { before }),
      ...(after === undefined ? {} : { after }),
      limit: query.limit,
    });
    const messages = page.messages.map(toMessage);
    return { messages, next: nextCursor(messages, page.hasMore, after !== undefined) };
  }

  /** Answers the path of an uploaded file that the caller may download. */
  async fileFor(caller: Caller, key: string): Promise<string> {
    const path = this.files.pathOf(key);
    const record = path === null ? null : await this.storage.findMessageByFileKey(key);
    if (path === null || record === null) throw ChatError.notFound();
    await this.requireRoom(caller, record.chatRoom);
    return path;
  }

  // ---- live: reads and typing -----------------------------------------------------------------

  /** Adds the reader to the message's read_by, once. The sender reading their own changes nothing. */
  async markRead(membership: RoomMembership, messageUuid: string): Promise<void> {
    const record = await this.storage.getMessage(messageUuid);
    if (!record || record.chatRoom !== membership.room)
      throw ChatError.notFound('No such message in this room.');
    if (record.sender === membership.user) return;
    await this.queue.run(membership.room, async () => {
      const added = await this.storage.addRead(messageUuid, membership.user);
      if (!added) return;
      await this.publish(membership.room, {
        type: 'message_read',
        message_id: messageUuid,
        user_id: membership.user,
      });
    });
  }

  async setTyping(membership: RoomMembership, typing: boolean): Promise<void> {
    await this.queue.run(membership.room, () => this.changeTyping(membership.room, membership.user, typing));
  }

  // ---- internals ------------------------------------------------------------------------------

  private async changeTyping(room: string, user: string, typing: boolean): Promise<void> {
    const typingUsers = await this.typing.set(room, user, typing);
    if (typingUsers) await this.publish(room, { type: 'typing', typing_users: typingUsers });
  }

  /**
   * Every event leaves here, after the write that caused it has committed. A broadcaster failure
   * is logged, not thrown: the write is stored and its author must hear so.
   */
  private async publish(room: string, event: RoomEvent): Promise<void> {
    try {
      await this.broadcaster.publish(room, event);
    } catch (error) {
      this.logger.error({ err: error, room, event: event.type }, 'event not broadcast');
    }
  }

  /** The room, when the caller is in it; otherwise 404, so that outsiders learn nothing. */
  private async requireRoom(caller: Caller, roomUuid: string): Promise<RoomRecord> {
    const room = await this.storage.getRoom(roomUuid);
    if (!room || !isParticipant(room, caller.id)) throw ChatError.notFound('No such chat room.');
    return room;
  }

  private async requireVisibleMessage(caller: Caller, uuid: string): Promise<MessageRecord> {
    const record = await this.storage.getMessage(uuid);
    if (!record) throw ChatError.notFound();
    const room = await this.storage.getRoom(record.chatRoom);
    if (!room || !isParticipant(room, caller.id)) throw ChatError.notFound();
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

  private async cursorPosition(field: 'before' | 'after', uuid: string): Promise<number> {
    const position = await this.storage.messagePosition(uuid);
    if (position === null) throw ChatError.invalidField(field, 'No such message.');
    return position;
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
