import { randomUUID } from 'node:crypto';
import { type Message, type MessageListQuery, RestPaths, type UpdateMessageBody } from '@hirechat/protocol';
import type { BeforeMessage } from '../../hooks/before-message.js';
import type { ChatStorage } from '../../ports/chat-storage.js';
import type { FileStore, UploadedFile } from '../../ports/file-store.js';
import type { Logger } from '../../ports/logger.js';
import type { Caller } from '../caller.js';
import { ChatError } from '../chat-error.js';
import { messageCreatedEvents, messageDeletedEvents, messageUpdatedEvents } from '../events/change-events.js';
import type { EventPublisher } from '../events/event-publisher.js';
import type { LiveRooms } from '../live/live-rooms.js';
import type { MediaUrlQuery, MediaUrls } from '../media-urls.js';
import type { RoomQueue } from '../room-queue.js';
import type { RoomGuard } from '../rooms/room-guard.js';
import { nowTimestamp } from '../timestamp.js';
import { toMessage } from '../to-wire.js';
import type { UserMemory } from '../user-memory.js';

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

/** A file that a signed media URL may download. */
export interface SignedFile {
  /** Absolute path of the file. */
  path: string;
  /** Whole seconds the URL stays valid (0 in its last second). */
  validForSeconds: number;
}

export interface MessagesDeps {
  storage: ChatStorage;
  media: MediaUrls;
  files: FileStore;
  guard: RoomGuard;
  publisher: EventPublisher;
  live: LiveRooms;
  users: UserMemory;
  queue: RoomQueue;
  /** The app's `beforeMessage` hook, run before anything of a create or an update is stored. */
  moderation: BeforeMessage;
  logger: Logger;
}

/** Messages: created, read, edited, deleted and listed, and their files. */
export class Messages {
  constructor(private readonly deps: MessagesDeps) {}

  async create(caller: Caller, input: NewMessageInput): Promise<Message> {
    const { storage, files, guard, queue, publisher, live, media, moderation, logger } = this.deps;
    const file = input.file ?? null;
    if ((input.content == null) === (file === null)) {
      throw ChatError.invalidInput('Send exactly one of content and file.');
    }
    // The write checks the sender under the room's lock, and an outsider's write stores nothing
    // and answers as this check does (404, "No such chat room."). Checked here as well only when
    // something happens before the write that an outsider must not cause: the hook seeing the
    // message, or the file being kept. A text message without a hook skips it, sparing a query
    // per message (issue 13).
    if (file !== null || moderation.active) await guard.requireParticipant(caller, input.chat_room);
    const { content } = await moderation.check({
      action: 'create',
      sender: caller,
      chat_room: input.chat_room,
      content: input.content ?? null,
      file,
      job: input.job ?? null,
      existing: null,
    });
    const fileKey = file ? await files.save(file) : null;
    try {
      return await queue.run(input.chat_room, async () => {
        const logged = await storage.insertMessage(
          {
            uuid: randomUUID(),
            chatRoom: input.chat_room,
            sender: caller.id,
            fileKey,
            job: input.job ?? null,
            content,
            timestamp: nowTimestamp(),
          },
          messageCreatedEvents(media),
        );
        if (!logged) throw ChatError.notFound('No such chat room.');
        const { record, event, inbox, webhooks } = logged;
        // Sending a message ends typing, as the contract says: asked for right after the events
        // are sent, before their answer (one round trip to Redis, and the typing set it answers is
        // published after them). The message is stored by now, so a typing-state failure is
        // logged, not thrown: throwing would report a stored message as failed and remove its file.
        await Promise.all([
          publisher.committed({ room: { uuid: record.chatRoom, event }, inbox, webhooks }),
          live.stopTypingInQueue(record.chatRoom, caller.id).catch((error: unknown) => {
            logger.error({ err: error, room: record.chatRoom }, 'typing not ended after send');
          }),
        ]);
        return toMessage(record, media);
      });
    } catch (error) {
      // The message was not stored, so neither may its file be; the write's error is the one to report.
      if (fileKey) {
        await files
          .remove(fileKey)
          .catch((err: unknown) => logger.warn({ err, fileKey }, 'orphan file left'));
      }
      throw error;
    }
  }

  async get(caller: Caller, uuid: string): Promise<Message> {
    return toMessage(await this.deps.guard.requireVisibleMessage(caller, uuid), this.deps.media);
  }

  /** Changes the content; only the sender may. A file cannot be changed (the schema refuses it). */
  async update(caller: Caller, uuid: string, body: UpdateMessageBody): Promise<Message> {
    const { storage, guard, queue, publisher, media, moderation } = this.deps;
    const existing = await guard.requireOwnMessage(caller, uuid);
    const moderated = await moderation.check({
      action: 'update',
      sender: caller,
      chat_room: existing.chatRoom,
      content: body.content,
      file: null,
      job: existing.job,
      existing: toMessage(existing, media),
    });
    // The hook answers text for text: the update's content is never null.
    const content = moderated.content ?? body.content;
    return queue.run(existing.chatRoom, async () => {
      const logged = await storage.updateMessageContent(uuid, content, messageUpdatedEvents(media));
      if (!logged) throw ChatError.notFound();
      await publisher.committed({
        room: { uuid: logged.record.chatRoom, event: logged.event },
        inbox: logged.inbox,
        webhooks: logged.webhooks,
      });
      return toMessage(logged.record, media);
    });
  }

  /** Deletes the message and its file; only the sender may. */
  async delete(caller: Caller, uuid: string): Promise<void> {
    const { storage, files, guard, queue, publisher, media, logger } = this.deps;
    const existing = await guard.requireOwnMessage(caller, uuid);
    await queue.run(existing.chatRoom, async () => {
      const logged = await storage.deleteMessage(uuid, messageDeletedEvents(media));
      if (!logged) throw ChatError.notFound();
      const { record, event, inbox, webhooks } = logged;
      // The message is gone whatever becomes of its file: a file left behind is logged, not
      // thrown, so that the delete is neither reported as failed nor kept from the room.
      const { fileKey } = record;
      if (fileKey) {
        await files.remove(fileKey).catch((error: unknown) => {
          logger.error(
            { err: error, room: record.chatRoom, fileKey },
            'file of a deleted message not removed',
          );
        });
      }
      await publisher.committed({ room: { uuid: record.chatRoom, event }, inbox, webhooks });
    });
  }

  /** A page of messages from the caller's rooms; with no cursor, the newest. */
  async list(caller: Caller, query: MessageListQuery): Promise<MessageListResult> {
    const senders = await this.sendersFor(query);
    const before =
      query.before === undefined ? undefined : await this.cursorPosition(caller, 'before', query.before);
    const after =
      query.after === undefined ? undefined : await this.cursorPosition(caller, 'after', query.after);
    const page = await this.deps.storage.listMessages({
      viewer: caller.id,
      ...(query.chat_room === undefined ? {} : { chatRoom: query.chat_room }),
      ...(senders === undefined ? {} : { senders }),
      ...(before === undefined ? {} : { before }),
      ...(after === undefined ? {} : { after }),
      limit: query.limit,
    });
    const messages = page.messages.map((record) => toMessage(record, this.deps.media));
    return { messages, next: nextCursor(messages, page.hasMore, after !== undefined) };
  }

  /**
   * Answers the path of an uploaded file that the caller may download. A file of a room the caller
   * is not in answers exactly as one that does not exist (contract, "Errors, continued").
   */
  async fileFor(caller: Caller, key: string): Promise<string> {
    const { files, storage } = this.deps;
    const path = files.pathOf(key);
    const record = path === null ? null : await storage.findMessageByFileKey(key);
    if (path === null || record === null || !(await storage.isParticipant(record.chatRoom, caller.id))) {
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
    const validForSeconds = this.deps.media.verify(`${RestPaths.media}${key}`, query);
    if (validForSeconds === null) return null;
    const path = this.deps.files.pathOf(key);
    const record = path === null ? null : await this.deps.storage.findMessageByFileKey(key);
    if (path === null || record === null) throw ChatError.notFound();
    return { path, validForSeconds };
  }

  private async sendersFor(query: MessageListQuery): Promise<string[] | undefined> {
    const byEmail =
      query.sender_email === undefined ? undefined : await this.deps.users.idsByEmail(query.sender_email);
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
    const { storage } = this.deps;
    const found = await storage.messagePosition(uuid);
    if (found === null || !(await storage.isParticipant(found.chatRoom, caller.id))) {
      throw ChatError.invalidField(field, 'No such message.');
    }
    return found.position;
  }
}

function nextCursor(messages: Message[], hasMore: boolean, forward: boolean): MessageListResult['next'] {
  if (!hasMore) return null;
  const edge = forward ? messages.at(-1) : messages[0];
  if (!edge) return null;
  return forward ? { after: edge.uuid } : { before: edge.uuid };
}
