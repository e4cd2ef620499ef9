import type {
  AddClientsBody,
  ChatRoom,
  ChatRoomDetail,
  ChatRoomListQuery,
  CreateChatRoomBody,
  InboxEvent,
  LoggedRoomEvent,
  Message,
  MessageListQuery,
  Since,
  UpdateMessageBody,
} from '@hirechat/protocol';
import { BeforeMessage } from '../hooks/before-message.js';
import { DomainEventBus } from '../hooks/domain-event-bus.js';
import { type ChatHooks, HOOK_DEFAULTS } from '../hooks/hook-options.js';
import type { Broadcaster } from '../ports/broadcaster.js';
import type { ChatStorage } from '../ports/chat-storage.js';
import type { FileStore } from '../ports/file-store.js';
import type { Identity, VerifiedToken } from '../ports/identity.js';
import { type Logger, silentLogger } from '../ports/logger.js';
import type { PresenceState } from '../ports/presence-state.js';
import type { TypingState } from '../ports/typing-state.js';
import type { UserDirectory } from '../ports/user-directory.js';
import type { Caller } from './caller.js';
import { EventPublisher } from './events/event-publisher.js';
import { Inbox } from './inbox/inbox.js';
import { LiveRooms, type RoomMembership } from './live/live-rooms.js';
import type { Replay } from './live/replay.js';
import type { MediaUrlQuery, MediaUrls } from './media-urls.js';
import {
  type MessageListResult,
  Messages,
  type NewMessageInput,
  type SignedFile,
} from './messages/messages.js';
import { Presence, type PresenceChangeListener } from './presence/presence.js';
import { RoomQueue } from './room-queue.js';
import { RoomGuard } from './rooms/room-guard.js';
import { Rooms } from './rooms/rooms.js';
import { UserMemory } from './user-memory.js';

export type { RoomMembership } from './live/live-rooms.js';
export type { Replay } from './live/replay.js';
export type { MessageListResult, NewMessageInput, SignedFile } from './messages/messages.js';

export interface ChatServiceDeps {
  storage: ChatStorage;
  users: UserDirectory;
  identity: Identity;
  broadcaster: Broadcaster;
  typing: TypingState;
  presence: PresenceState;
  files: FileStore;
  /** Signs the `file_url` of every Message the service hands out or publishes. */
  mediaUrls: MediaUrls;
  logger?: Logger;
  /** The app's `beforeMessage` hook (and its timeout); `onEvent` listens on `domainEvents`. */
  hooks?: Pick<ChatHooks, 'beforeMessage' | 'timeoutMs'>;
  /**
   * Where every committed domain event goes (the `onEvent` hook and webhook deliveries listen).
   * Default: a bus of the service's own, with no listeners.
   */
  domainEvents?: DomainEventBus;
  /** Told when users come online or go offline (see PresenceChangeListener). */
  onPresenceChange?: PresenceChangeListener;
}

/**
 * The chat domain: every rule of the contract, and the one place events leave from (after the
 * write that caused them commits). It knows nothing of HTTP or WebSocket; mounts hand it a caller
 * and plain input and translate its answers and its ChatErrors. Each capability lives in its own
 * part (rooms, messages, live rooms, inbox, presence); this class is their one front door.
 */
export class ChatService {
  /**
   * Signs Messages as they leave. Every stream that sends Messages and does not go through the
   * domain's publisher or replays (webhooks, say) must pass its events through
   * `mediaUrls.signEvent` right before sending them.
   */
  readonly mediaUrls: MediaUrls;
  private readonly identity: Identity;
  private readonly users: UserMemory;
  private readonly rooms: Rooms;
  private readonly messages: Messages;
  private readonly live: LiveRooms;
  private readonly inbox: Inbox;
  private readonly presence: Presence;

  constructor(deps: ChatServiceDeps) {
    const logger = deps.logger ?? silentLogger;
    const { storage } = deps;
    const queue = new RoomQueue();
    const media = deps.mediaUrls;
    const publisher = new EventPublisher(
      deps.broadcaster,
      media,
      logger,
      deps.domainEvents ?? new DomainEventBus(logger),
    );
    this.mediaUrls = media;
    this.identity = deps.identity;
    this.users = new UserMemory(deps.users);
    this.presence = new Presence(deps.presence, storage, publisher, logger, deps.onPresenceChange);
    this.live = new LiveRooms(storage, deps.typing, publisher, queue, media);
    this.inbox = new Inbox(storage, media);
    this.rooms = new Rooms({ storage, media, publisher, presence: this.presence, live: this.live, queue });
    this.messages = new Messages({
      storage,
      media,
      files: deps.files,
      guard: new RoomGuard(storage),
      publisher,
      live: this.live,
      users: this.users,
      queue,
      moderation: new BeforeMessage(
        deps.hooks?.beforeMessage,
        deps.hooks?.timeoutMs ?? HOOK_DEFAULTS.timeoutMs,
        logger,
      ),
      logger,
    });
  }

  /** Verifies an access token and keeps the user's record up to date with its claims. */
  async authenticate(token: string): Promise<VerifiedToken> {
    const verified = await this.identity.verify(token);
    await this.users.remember(verified.caller);
    return verified;
  }

  // ---- rooms (rooms/) -------------------------------------------------------------------------

  /** Creates the room, or answers the existing one with the same recruiter and set of clients. */
  createRoom(caller: Caller, body: CreateChatRoomBody): Promise<{ room: ChatRoom; created: boolean }> {
    return this.rooms.create(caller, body);
  }

  /** The caller's rooms, latest activity first. */
  listRooms(caller: Caller, query: ChatRoomListQuery): Promise<ChatRoom[]> {
    return this.rooms.list(caller, query);
  }

  /** One of the caller's rooms, with `online_users`; 404 for anyone outside it. */
  roomDetail(caller: Caller, room: string): Promise<ChatRoomDetail> {
    return this.rooms.detail(caller, room);
  }

  /** Adds clients to the room: its recruiter or an admin may. */
  addClients(caller: Caller, room: string, body: AddClientsBody): Promise<ChatRoom> {
    return this.rooms.addClients(caller, room, body);
  }

  /** Removes a client: the room's recruiter, an admin, or that client (leaving) may. */
  removeClient(caller: Caller, room: string, client: string): Promise<void> {
    return this.rooms.removeClient(caller, room, client);
  }

  // ---- messages (messages/) -------------------------------------------------------------------

  createMessage(caller: Caller, input: NewMessageInput): Promise<Message> {
    return this.messages.create(caller, input);
  }

  getMessage(caller: Caller, uuid: string): Promise<Message> {
    return this.messages.get(caller, uuid);
  }

  /** Changes the content; only the sender may. */
  updateMessage(caller: Caller, uuid: string, body: UpdateMessageBody): Promise<Message> {
    return this.messages.update(caller, uuid, body);
  }

  /** Deletes the message and its file; only the sender may. */
  deleteMessage(caller: Caller, uuid: string): Promise<void> {
    return this.messages.delete(caller, uuid);
  }

  /** A page of messages from the caller's rooms; with no cursor, the newest. */
  listMessages(caller: Caller, query: MessageListQuery): Promise<MessageListResult> {
    return this.messages.list(caller, query);
  }

  /** Answers the path of an uploaded file that the caller may download. */
  fileFor(caller: Caller, key: string): Promise<string> {
    return this.messages.fileFor(caller, key);
  }

  /**
   * The file a signed media URL names, for anyone who holds the URL (a capability, checked without
   * a caller); null when the signature is not valid for it now.
   */
  signedFile(key: string, query: MediaUrlQuery): Promise<SignedFile | null> {
    return this.messages.signedFile(key, query);
  }

  // ---- live rooms (live/) ---------------------------------------------------------------------

  /** Lets a socket into the room, telling `forbidden` (4403) apart from `not_found` (4404). */
  joinRoom(caller: Caller, room: string): Promise<RoomMembership> {
    return this.live.join(caller, room);
  }

  /** Adds the reader to the message's read_by, once. */
  markRead(membership: RoomMembership, messageUuid: string): Promise<void> {
    return this.live.markRead(membership, messageUuid);
  }

  setTyping(membership: RoomMembership, typing: boolean): Promise<void> {
    return this.live.setTyping(membership, typing);
  }

  /** The room's typing set now, for a socket that resumes (typing is never replayed). */
  typingUsers(membership: RoomMembership): Promise<string[]> {
    return this.live.typingUsers(membership);
  }

  /** The room's logged events after `since`, for a socket that resumes there. */
  replay(membership: RoomMembership, since: Since): Promise<Replay<LoggedRoomEvent>> {
    return this.live.replay(membership, since);
  }

  // ---- the inbox (inbox/) ---------------------------------------------------------------------

  /** The user's inbox events after `since`, for an inbox socket that resumes there. */
  replayInbox(user: string, since: Since): Promise<Replay<InboxEvent>> {
    return this.inbox.replay(user, since);
  }

  // ---- presence (presence/) -------------------------------------------------------------------

  /**
   * A socket of the user opened here. Resolves once the user counts as online; their rooms hear
   * of it, if they came online, with the next presence batch.
   */
  userConnected(user: string): Promise<void> {
    return this.presence.connected(user);
  }

  /**
   * A socket of the user closed here. Resolves once that is recorded; their rooms hear of it, if
   * they went offline, with the next presence batch.
   */
  userDisconnected(user: string): Promise<void> {
    return this.presence.disconnected(user);
  }

  /** Resolves once every presence change recorded so far has been announced to its rooms. */
  presenceAnnounced(): Promise<void> {
    return this.presence.announced();
  }

  /** Who of the socket's room is online now, for a socket that opens. */
  onlineUsers(membership: RoomMembership): Promise<string[]> {
    return this.presence.onlineInRoom(membership.room);
  }
}
