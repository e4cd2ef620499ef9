import {
  type ChatRoom,
  INBOX_SOCKET_PATH,
  type InboxEvent,
  type InboxServerEvent,
  InboxServerEventSchema,
  isInboxEvent,
  type Message,
} from '@hirechat/protocol';
import type { ConnectionStatus } from '../connection-events.js';
import { Emitter } from '../emitter.js';
import { LiveSocket, type LiveSocketOptions } from '../live-socket.js';
import type { SocketTokenTransport } from '../socket-handshake.js';
import type { TokenSource } from '../token-source.js';
import type { LiveInboxEvents } from './inbox-events.js';
import { InboxRooms } from './inbox-rooms.js';

/** Options of `ChatClient.inbox`: how it reconnects, notices silence, and follows the network. */
export type InboxOptions = LiveSocketOptions;

/** What an inbox needs from the client that made it. */
export interface LiveInboxContext {
  /** `ws://` or `wss://` origin of the server. */
  wsBaseUrl: string;
  token: TokenSource;
  /** How the token travels in the handshake (see ChatClientOptions.socketToken). */
  tokenTransport: SocketTokenTransport;
  /** The user's rooms, latest activity first (REST). */
  listRooms(): Promise<ChatRoom[]>;
  /** One room's newest message (REST), after its last one was deleted. */
  lastMessage(room: string): Promise<Message | null>;
}

/**
 * A live, typed view of the signed-in user's rooms over one socket (`/ws/inbox/`, contract "The
 * inbox"): latest activity first, each with its `last_message` and the user's `unread_count` kept
 * current by the inbox's events; rooms the user joins appear, rooms they leave go.
 *
 * It connects by itself: it subscribes, then fetches the room list over REST (so that nothing falls
 * between the two), then applies every event in the user's seq order. It reconnects after every
 * drop as live rooms do (backoff, token refresh on 4401, heartbeat, the device's network), resuming
 * after the last event it applied, so none is lost or applied twice; when the server's log no
 * longer reaches back (`resync_required`), it fetches the room list again.
 *
 * For React: `useSyncExternalStore(inbox.subscribe, inbox.getSnapshot)` (both are bound), whose
 * snapshot is the same array until the rooms change.
 */
export class LiveInbox {
  /**
   * Resolves once the inbox is first open: subscribed, its rooms fetched, and caught up. Rejects
   * with a RoomConnectionError if it stops for good before that (a refused token, or `close()`).
   */
  readonly opened: Promise<void>;

  private readonly events = new Emitter<LiveInboxEvents>();
  private readonly rooms = new InboxRooms();
  private readonly socket: LiveSocket<InboxServerEvent>;
  /** Whether the room list was fetched once: until then, the first `synced` fetches it. */
  private loaded = false;
  /** Rooms whose newest message was deleted and whose new one could not be fetched yet. */
  private readonly staleLastMessage = new Map<string, number>();

  constructor(
    private readonly context: LiveInboxContext,
    options: InboxOptions = {},
  ) {
    const emit = this.events.emit.bind(this.events);
    this.socket = new LiveSocket<InboxServerEvent>(
      {
        wsBaseUrl: context.wsBaseUrl,
        path: INBOX_SOCKET_PATH,
        token: context.token,
        tokenTransport: context.tokenTransport,
      },
      {
        frames: InboxServerEventSchema,
        seqOf: (event) => (isInboxEvent(event) ? event.seq : undefined),
        logged: (event) => this.apply(event as InboxEvent),
        // The inbox carries no typing and no presence: nothing else is state.
        state: () => undefined,
        synced: () => (this.loaded ? undefined : this.load()),
        resync: () => this.load().then(() => emit('resync', { rooms: this.rooms.snapshot })),
        opened: () => this.fetchStaleLastMessages(),
        closed: (info) => emit('close', info),
        error: (event) => emit('error', event),
        status: (status) => emit('status', status),
      },
      options,
    );
    this.opened = this.socket.opened;
  }

  /**
   * Subscribes to changes of the rooms: `listener` is called after each (with no argument, as
   * `useSyncExternalStore` wants). Answers a function that unsubscribes. Bound: pass it as it is.
   */
  readonly subscribe = (listener: () => void): (() => void) => this.events.on('change', () => listener());

  /**
   * The rooms now, latest activity first: a frozen array that is the same object until the rooms
   * change (empty until they are first fetched). Bound: pass it as it is.
   */
  readonly getSnapshot = (): readonly ChatRoom[] => this.rooms.snapshot;

  /** `connecting` (until the rooms are first fetched), `open`, `reconnecting` or `closed`. */
  get status(): ConnectionStatus {
    return this.socket.status;
  }

  /** The user's seq of the last inbox event applied; null until the inbox first opened. */
  get lastSeq(): number | null {
    return this.socket.lastSeq;
  }

  /** One room of the inbox by its UUID, as the snapshot has it; undefined if the user is not in it. */
  room(uuid: string): ChatRoom | undefined {
    return this.rooms.get(uuid);
  }

  /** Subscribes to an event; answers a function that unsubscribes. */
  on<K extends keyof LiveInboxEvents>(type: K, handler: (event: LiveInboxEvents[K]) => void): () => void {
    return this.events.on(type, handler);
  }

  /** Closes the inbox for good; the snapshot stays as it was. */
  close(): void {
    this.socket.close();
  }

  /** Fetches the room list, and replaces the rooms with it; rejects (and the socket retries) on failure. */
  private async load(): Promise<void> {
    const list = await this.context.listRooms();
    if (this.socket.status === 'closed') return;
    this.loaded = true;
    this.staleLastMessage.clear();
    this.rooms.replaceAll(list);
    this.changed();
  }

  private apply(event: InboxEvent): void {
    const applied = this.rooms.apply(event);
    // The type names the event: emit's correlation of the two is beyond TypeScript here.
    (this.events.emit as (type: InboxEvent['type'], event: InboxEvent) => void)(event.type, event);
    if (applied.changed) this.changed();
    if (applied.refetch) {
      this.staleLastMessage.set(applied.refetch.room, applied.refetch.version);
      this.fetchLastMessage(applied.refetch.room, applied.refetch.version);
    }
  }

  /** Fetches the room's newest message after its last one was deleted; kept stale on failure. */
  private fetchLastMessage(room: string, version: number): void {
    this.context.lastMessage(room).then(
      (message) => {
        if (this.staleLastMessage.get(room) === version) this.staleLastMessage.delete(room);
        if (this.socket.status === 'closed') return;
        if (this.rooms.lastMessageFetched(room, version, message)) this.changed();
      },
      // Tried again once the inbox is next open (the network is back, say).
      () => undefined,
    );
  }

  private fetchStaleLastMessages(): void {
    for (const [room, version] of this.staleLastMessage) {
      if (this.rooms.get(room)) this.fetchLastMessage(room, version);
      else this.staleLastMessage.delete(room);
    }
  }

  private changed(): void {
    this.events.emit('change', this.rooms.snapshot);
  }
}
