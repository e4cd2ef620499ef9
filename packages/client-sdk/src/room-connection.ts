import {
  type ClientEvent,
  isLoggedRoomEvent,
  type LoggedRoomEvent,
  roomSocketPath,
  type ServerEvent,
  ServerEventSchema,
} from '@hirechat/protocol';
import type { ConnectionStatus } from './connection-events.js';
import { Emitter } from './emitter.js';
import { LiveSocket, type LiveSocketOptions } from './live-socket.js';
import type { MessagePage } from './rest-client.js';
import type { RoomConnectionEvents } from './room-events.js';
import type { SocketTokenTransport } from './socket-handshake.js';
import type { TokenSource } from './token-source.js';
import { type TypingOptions, TypingSignal } from './typing-signal.js';

/** Options of `ChatClient.connect`. */
export interface ConnectOptions extends LiveSocketOptions {
  /** How `typing(true)` is rationed. */
  typing?: TypingOptions;
  /**
   * Resume after this seq (a `lastSeq` the app kept, e.g. across a page reload) rather than from
   * now: every event after it is delivered first.
   */
  since?: number;
}

/** What a connection needs from the client that made it. */
export interface RoomConnectionContext {
  /** `ws://` or `wss://` origin of the server. */
  wsBaseUrl: string;
  room: string;
  token: TokenSource;
  /** How the token travels in the handshake (see ChatClientOptions.socketToken). */
  tokenTransport: SocketTokenTransport;
  /** The room's newest page of messages, fetched when a resync is needed. */
  newestPage(): Promise<MessagePage>;
}

/**
 * One live room. It connects by itself, and reconnects after every drop (see LiveSocket),
 * resuming after the last seq it delivered, so that the app sees each room event once and in order
 * across drops. Typing and read receipts go out through `typing` and `markRead`; who of the room is
 * online comes as `presence` events and `onlineUsers`.
 */
export class RoomConnection {
  /**
   * Resolves once the connection is first open: joined, and caught up. Rejects with a
   * RoomConnectionError if it stops for good before that (4403, 4404, or `close()`).
   */
  readonly opened: Promise<void>;
  /** The room's UUID. */
  readonly room: string;

  private readonly events = new Emitter<RoomConnectionEvents>();
  private readonly typingSignal: TypingSignal;
  private readonly socket: LiveSocket<ServerEvent>;
  private typingUsers: readonly string[] = [];
  private presentUsers: readonly string[] = [];
  /** Reads asked for while the connection was not open; sent once it is. */
  private readonly pendingReads = new Set<string>();

  constructor(context: RoomConnectionContext, options: ConnectOptions = {}) {
    this.room = context.room;
    this.typingSignal = new TypingSignal((typing) => this.send({ type: 'typing', typing }), options.typing);
    const emit = this.events.emit.bind(this.events);
    this.socket = new LiveSocket<ServerEvent>(
      {
        wsBaseUrl: context.wsBaseUrl,
        path: roomSocketPath(context.room),
        token: context.token,
        tokenTransport: context.tokenTransport,
      },
      {
        frames: ServerEventSchema,
        seqOf: (event) => (isLoggedRoomEvent(event) ? event.seq : undefined),
        // The type names the event: emit's correlation of the two is beyond TypeScript here.
        logged: (event) =>
          (emit as (type: LoggedRoomEvent['type'], event: ServerEvent) => void)(
            event.type as LoggedRoomEvent['type'],
            event,
          ),
        state: (event) => this.onState(event),
        resync: () => this.resync(context),
        opened: () => this.sendPendingReads(),
        // The server forgets a user's typing when their socket goes.
        closed: (info) => {
          this.typingSignal.reset();
          emit('close', info);
        },
        ended: () => {
          this.typingSignal.reset();
          this.pendingReads.clear();
        },
        error: (event) => emit('error', event),
        status: (status) => emit('status', status),
      },
      options,
    );
    this.opened = this.socket.opened;
  }

  /** `connecting`, `open`, `reconnecting` or `closed`; each change is a `status` event. */
  get status(): ConnectionStatus {
    return this.socket.status;
  }

  /** The room's participants online now, as the last `presence` event said (empty before the first). */
  get onlineUsers(): readonly string[] {
    return this.presentUsers;
  }

  /** The seq of the last room event delivered: keep it to resume there later (`connect({ since })`). */
  get lastSeq(): number | null {
    return this.socket.lastSeq;
  }

  /** Subscribes to an event; answers a function that unsubscribes. */
  on<K extends keyof RoomConnectionEvents>(
    type: K,
    handler: (event: RoomConnectionEvents[K]) => void,
  ): () => void {
    return this.events.on(type, handler);
  }

  /**
   * Says whether the user is typing; call it on every keystroke. At most one frame goes out every
   * 2 s while typing continues, and `typing: false` goes by itself after 3 s without a call.
   */
  typing(active: boolean): void {
    this.typingSignal.set(active);
  }

  /** Marks the message read; sent once the connection is open, if it is not now. */
  markRead(messageId: string): void {
    if (!this.send({ type: 'message_read', message_id: messageId })) this.pendingReads.add(messageId);
  }

  /** Closes the connection for good. */
  close(): void {
    this.socket.close();
  }

  /**
   * Typing and presence are sets the server sends whole, also when they did not change (to a
   * socket that opens or resumes, and to every socket when another opens): the app hears of
   * changes only.
   */
  private onState(event: ServerEvent): void {
    if (event.type === 'typing') {
      if (sameUsers(event.typing_users, this.typingUsers)) return;
      this.typingUsers = event.typing_users;
      this.events.emit('typing', event);
    } else if (event.type === 'presence') {
      if (sameUsers(event.online_users, this.presentUsers)) return;
      this.presentUsers = event.online_users;
      this.events.emit('presence', event);
    }
  }

  /** The log no longer reached back: the newest page stands for what was missed (null if it failed). */
  private async resync(context: RoomConnectionContext): Promise<void> {
    const page = await context.newestPage().catch(() => null);
    if (this.socket.status !== 'closed') this.events.emit('resync', { page });
  }

  private sendPendingReads(): void {
    for (const messageId of this.pendingReads) {
      if (this.send({ type: 'message_read', message_id: messageId })) this.pendingReads.delete(messageId);
    }
  }

  private send(event: ClientEvent): boolean {
    return this.socket.send(event);
  }
}

function sameUsers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((user, i) => user === b[i]);
}
