import {
  type ClientEvent,
  type LoggedRoomEvent,
  roomSocketPath,
  type ServerEvent,
  type ServerEventMap,
  ServerEventSchema,
  SINCE_LATEST,
} from '@hirechat/protocol';
import WebSocket from 'isomorphic-ws';
import { Emitter } from './emitter.js';
import { Heartbeat, type HeartbeatOptions } from './heartbeat.js';
import { browserNetwork, watchNetwork } from './network-events.js';
import { backoffDelay, closeAction, DEFAULT_RECONNECT, type ReconnectOptions } from './reconnect-policy.js';
import type { MessagePage } from './rest-client.js';
import { RoomConnectionError } from './room-connection-error.js';
import type { CloseInfo, ConnectionStatus, RoomConnectionEvents } from './room-events.js';
import { resolveToken, type TokenSource } from './token-source.js';
import { type TypingOptions, TypingSignal } from './typing-signal.js';

/** Options of `ChatClient.connect`. */
export interface ConnectOptions {
  /** Waits between connection attempts. */
  reconnect?: ReconnectOptions;
  /** How `typing(true)` is rationed. */
  typing?: TypingOptions;
  /** How a connection that died silently is noticed; `false` turns the check off. */
  heartbeat?: HeartbeatOptions | false;
  /**
   * Resume after this seq (a `lastSeq` the app kept, e.g. across a page reload) rather than from
   * now: every event after it is delivered first.
   */
  since?: number;
  /**
   * Where the `online` and `offline` events of the device's network come from: on `offline` the
   * socket is given up at once (status `reconnecting`), and on `online` a waiting reconnect is
   * tried at once rather than after its backoff. Default: `globalThis` in a browser (a window or a
   * worker), none elsewhere. `null` turns it off.
   */
  network?: EventTarget | null;
}

/** What a connection needs from the client that made it. */
export interface RoomConnectionContext {
  /** `ws://` or `wss://` origin of the server. */
  wsBaseUrl: string;
  room: string;
  token: TokenSource;
  /** The room's newest page of messages, fetched when a resync is needed. */
  newestPage(): Promise<MessagePage>;
}

/** A client-initiated close: the code says "missed events", so that server logs tell it apart. */
const RESUME_CLOSE_CODE = 4000;
/** What the app hears of a connection given up for its silence: an abnormal closure, as TCP's would be. */
const SILENT_CLOSE = { code: 1006, reason: 'No answer from the server.' } as const;
/** What the app hears of a connection given up because the device went offline. */
const OFFLINE_CLOSE = { code: 1006, reason: 'The network went offline.' } as const;

/**
 * One live room. It connects by itself, and reconnects after every drop (see reconnect-policy.ts),
 * resuming after the last seq it delivered, so that the app sees each room event once and in order
 * across drops. Typing and read receipts go out through `typing` and `markRead`.
 */
export class RoomConnection {
  /**
   * Resolves once the connection is first open: joined, and caught up. Rejects with a
   * RoomConnectionError if it stops for good before that.
   */
  readonly opened: Promise<void>;
  readonly room: string;

  private readonly events = new Emitter<RoomConnectionEvents>();
  private readonly typingSignal: TypingSignal;
  private readonly heartbeat: Heartbeat | null;
  private readonly reconnect: ReconnectOptions;
  private socket: WebSocket | null = null;
  private currentStatus: ConnectionStatus = 'connecting';
  /** The seq of the last room event delivered, or the room's when it had none; null: not known yet. */
  private seq: number | null;
  /** Connection attempts since the last time the connection was open. */
  private failures = 0;
  /** Tells a socket (or a token request) of an earlier attempt from the current one. */
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private ended = false;
  private wasOpen = false;
  private typingUsers: readonly string[] = [];
  private presentUsers: readonly string[] = [];
  /** Reads asked for while the connection was not open; sent once it is. */
  private readonly pendingReads = new Set<string>();
  /** Frames of the socket waiting for a resync's refetch; none is delivered before the `resync`. */
  private readonly inbox: ServerEvent[] = [];
  private refetching = false;
  private settleOpened!: { resolve(): void; reject(error: Error): void };
  private readonly stopWatchingNetwork: () => void;

  constructor(
    private readonly context: RoomConnectionContext,
    options: ConnectOptions = {},
  ) {
    this.room = context.room;
    this.reconnect = { ...DEFAULT_RECONNECT, ...options.reconnect };
    this.seq = options.since ?? null;
    this.typingSignal = new TypingSignal((typing) => this.send({ type: 'typing', typing }), options.typing);
    this.heartbeat =
      options.heartbeat === false
        ? null
        : new Heartbeat(
            () => this.send({ type: 'ping' }),
            () => this.giveUp(SILENT_CLOSE),
            options.heartbeat,
          );
    this.opened = new Promise<void>((resolve, reject) => {
      this.settleOpened = { resolve, reject };
    });
    // Rejection is reported through `error` and `status` too; an app need not await `opened`.
    this.opened.catch(() => undefined);
    this.stopWatchingNetwork = watchNetwork(
      options.network === undefined ? browserNetwork() : options.network,
      {
        offline: () => this.giveUp(OFFLINE_CLOSE),
        online: () => this.reconnectNow(),
      },
    );
    this.connect();
  }

  get status(): ConnectionStatus {
    return this.currentStatus;
  }

  /** The room's participants online now, as the last `presence` event said (empty before the first). */
  get onlineUsers(): readonly string[] {
    return this.presentUsers;
  }

  /** The seq of the last room event delivered: keep it to resume there later (`connect({ since })`). */
  get lastSeq(): number | null {
    return this.seq;
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
    if (this.ended) return;
    const socket = this.socket;
    this.socket = null;
    this.end(null);
    socket?.close(1000);
  }

  // ---- connecting ------------------------------------------------------------------------------

  private connect(): void {
    this.reconnectTimer = undefined;
    const attempt = ++this.attempt;
    const current = () => !this.ended && attempt === this.attempt;
    resolveToken(this.context.token).then(
      (token) => {
        if (current()) this.open(token);
      },
      // A token function that failed is one more failed attempt.
      () => {
        if (current()) this.retry(false);
      },
    );
  }

  private open(token: string): void {
    const url = new URL(roomSocketPath(this.room), this.context.wsBaseUrl);
    url.searchParams.set('token', token);
    url.searchParams.set('since', this.seq === null ? SINCE_LATEST : String(this.seq));
    const socket = new WebSocket(url.toString());
    this.socket = socket;
    socket.onmessage = (message) => {
      if (this.socket === socket) this.receive(String(message.data));
    };
    socket.onclose = (event) => {
      if (this.socket === socket) this.onClose(event.code, event.reason);
    };
    // Every failure is followed by a close, which decides what happens next.
    socket.onerror = () => undefined;
  }

  private onClose(code: number, reason: string): void {
    this.socket = null;
    this.heartbeat?.stop();
    // Nothing queued was delivered, so the resume (from the last seq delivered) sends it again.
    this.inbox.length = 0;
    // The server forgets a user's typing when their socket goes.
    this.typingSignal.reset();
    this.events.emit('close', { code, reason });
    const action = closeAction(code, reason, typeof this.context.token === 'function');
    if (action.kind === 'stop') {
      this.end({ type: 'error', code: action.code, detail: action.detail });
      return;
    }
    this.retry(action.kind === 'refresh');
  }

  /** Connects again: at once for a fresh token after an open connection, else after a backoff. */
  private retry(freshToken: boolean): void {
    const delay = freshToken && this.failures === 0 ? 0 : backoffDelay(this.failures, this.reconnect);
    this.failures++;
    this.setStatus(this.wasOpen ? 'reconnecting' : 'connecting');
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  /** Drops the socket and resumes at once from the last seq delivered. */
  private resume(): void {
    const socket = this.socket;
    this.socket = null;
    this.inbox.length = 0;
    socket?.close(RESUME_CLOSE_CODE, 'Missed events; resuming.');
    this.heartbeat?.stop();
    this.setStatus('reconnecting');
    this.connect();
  }

  /**
   * Gives up a socket that stopped answering, or whose network went away, as if it had closed: its
   * own close event may come minutes later or never (a browser keeps a socket "open" through an
   * outage and holds its frames), so it is let go (destroyed where the platform allows) and ignored.
   */
  private giveUp(close: CloseInfo): void {
    const socket = this.socket;
    if (!socket) return;
    this.socket = null;
    const nodeSocket = socket as WebSocket & { terminate?: () => void };
    if (nodeSocket.terminate) nodeSocket.terminate();
    else socket.close();
    this.onClose(close.code, close.reason);
  }

  /**
   * The network is back: a reconnect that waits for its backoff goes now, and the attempts that
   * failed while offline no longer lengthen the next wait.
   */
  private reconnectNow(): void {
    if (this.ended || this.currentStatus === 'open') return;
    this.failures = 0;
    if (this.reconnectTimer === undefined) return;
    clearTimeout(this.reconnectTimer);
    this.connect();
  }

  private end(error: ServerEventMap['error'] | null): void {
    this.ended = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.stopWatchingNetwork();
    this.heartbeat?.stop();
    this.typingSignal.reset();
    this.pendingReads.clear();
    if (error) this.events.emit('error', error);
    this.setStatus('closed');
    this.settleOpened.reject(
      new RoomConnectionError(error?.code ?? 'closed', error?.detail ?? 'The connection was closed.'),
    );
  }

  // ---- receiving -------------------------------------------------------------------------------

  private receive(text: string): void {
    this.heartbeat?.heard();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return;
    }
    // Events from a newer server that this client does not know are skipped, not fatal.
    const parsed = ServerEventSchema.safeParse(value);
    if (!parsed.success) return;
    this.inbox.push(parsed.data);
    this.drain();
  }

  private drain(): void {
    while (!this.refetching && !this.ended && this.inbox.length > 0) this.handle(this.inbox.shift()!);
  }

  private handle(event: ServerEvent): void {
    switch (event.type) {
      case 'resync_required':
        this.resync();
        break;
      case 'synced':
        this.onSynced(event.seq);
        break;
      case 'typing':
        this.onTyping(event);
        break;
      case 'presence':
        this.presentUsers = event.online_users;
        this.events.emit('presence', event);
        break;
      case 'error':
        this.events.emit('error', event);
        break;
      case 'pong':
        break;
      default:
        this.onLogged(event);
    }
  }

  private onLogged(event: LoggedRoomEvent): void {
    if (this.seq !== null) {
      // A replay that overlaps what was delivered already.
      if (event.seq <= this.seq) return;
      // A hole (the server fills them itself, so this is a safety net): resume before it.
      if (event.seq > this.seq + 1) {
        this.resume();
        return;
      }
    }
    this.seq = event.seq;
    // The type names the event: emit's correlation of the two is beyond TypeScript here.
    (this.events.emit as (type: LoggedRoomEvent['type'], event: LoggedRoomEvent) => void)(event.type, event);
  }

  private onTyping(event: ServerEventMap['typing']): void {
    const users = event.typing_users;
    // A resumed socket is sent the set even when it did not change; the app hears of changes only.
    if (users.length === this.typingUsers.length && users.every((user, i) => user === this.typingUsers[i])) {
      return;
    }
    this.typingUsers = users;
    this.events.emit('typing', event);
  }

  /** The replay is over: the connection is open and caught up to `seq`. */
  private onSynced(seq: number): void {
    this.seq = seq;
    this.failures = 0;
    this.wasOpen = true;
    this.setStatus('open');
    this.heartbeat?.start();
    for (const messageId of this.pendingReads) {
      if (this.send({ type: 'message_read', message_id: messageId })) this.pendingReads.delete(messageId);
    }
    this.settleOpened.resolve();
  }

  /** The log no longer reached back: refetch the newest page, and hold later frames until it is here. */
  private resync(): void {
    this.refetching = true;
    this.context.newestPage().then(
      (page) => this.resynced(page),
      () => this.resynced(null),
    );
  }

  private resynced(page: MessagePage | null): void {
    this.refetching = false;
    if (this.ended) return;
    this.events.emit('resync', { page });
    this.drain();
  }

  // ---- sending ---------------------------------------------------------------------------------

  /** Sends the event if the connection is open; answers whether it did. */
  private send(event: ClientEvent): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN || this.currentStatus !== 'open') return false;
    socket.send(JSON.stringify(event));
    return true;
  }

  private setStatus(status: ConnectionStatus): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    this.events.emit('status', status);
  }
}
