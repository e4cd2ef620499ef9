import {
  type ErrorEvent,
  type ResyncRequiredEvent,
  SINCE_LATEST,
  type SyncedEvent,
} from '@hirechat/protocol';
import WebSocket from 'isomorphic-ws';
import type { z } from 'zod';
import type { CloseInfo, ConnectionStatus } from './connection-events.js';
import { Heartbeat, type HeartbeatOptions } from './heartbeat.js';
import { browserNetwork, watchNetwork } from './network-events.js';
import { backoffDelay, closeAction, DEFAULT_RECONNECT, type ReconnectOptions } from './reconnect-policy.js';
import { RoomConnectionError } from './room-connection-error.js';
import { type LiveSocketTarget, openSocket, UNSENDABLE_TOKEN } from './socket-handshake.js';
import { resolveToken } from './token-source.js';

/** Options every live socket of the SDK takes (a room's, the inbox's). */
export interface LiveSocketOptions {
  /** Waits between connection attempts. */
  reconnect?: ReconnectOptions;
  /** How a connection that died silently is noticed; `false` turns the check off. */
  heartbeat?: HeartbeatOptions | false;
  /**
   * Where the `online` and `offline` events of the device's network come from: on `offline` the
   * socket is given up at once (status `reconnecting`), and on `online` a waiting reconnect is
   * tried at once rather than after its backoff. Default: `globalThis` in a browser (a window or a
   * worker), none elsewhere. `null` turns it off.
   */
  network?: EventTarget | null;
}

/** A frame every hirechat socket may carry besides its own events. */
type ControlFrame = SyncedEvent | ResyncRequiredEvent | ErrorEvent | { type: 'pong' };

/**
 * What the owner of a live socket (a RoomConnection, a LiveInbox) does with what it carries. Each
 * is called in the order the frames came, and never after the socket has ended.
 */
export interface LiveSocketOwner<F extends { type: string }> {
  /** Every frame the socket may carry: a frame that does not parse (a newer server's) is skipped. */
  readonly frames: z.ZodType<F>;
  /** The frame's seq when it is a logged event; undefined for state and control frames. */
  seqOf(frame: F): number | undefined;
  /** A logged event: each once, in seq order, across drops. */
  logged(frame: F): void;
  /** A frame that is neither logged nor a control frame (typing, presence). */
  state(frame: F): void;
  /**
   * The log no longer reached back (`resync_required`): fetch what stands for the missed events.
   * Frames after it wait until the promise settles; a rejection gives the socket up and tries
   * another, which asks again.
   */
  resync(): Promise<void>;
  /**
   * The replay is over (`synced`). A promise (a first load, say) holds the frames after it, and the
   * connection counts as open only once it resolves; a rejection gives the socket up and tries
   * another.
   */
  synced?(): Promise<void> | undefined;
  /** The connection is open and caught up (after `synced`, and what it returned). */
  opened?(): void;
  /** A socket of the connection closed; it reconnects unless `status` is `closed`. */
  closed?(info: CloseInfo): void;
  /** The connection stopped for good; `error` says why, null when closed by the app. */
  ended?(error: ErrorEvent | null): void;
  /** An `error` frame from the server (the socket stays open), or the reason it stopped for good. */
  error(event: ErrorEvent): void;
  status(status: ConnectionStatus): void;
}

/** A client-initiated close: the code says "missed events", so that server logs tell it apart. */
const RESUME_CLOSE_CODE = 4000;
/** What the app hears of a connection given up for its silence: an abnormal closure, as TCP's would be. */
const SILENT_CLOSE = { code: 1006, reason: 'No answer from the server.' } as const;
/** What the app hears of a connection given up because the device went offline. */
const OFFLINE_CLOSE = { code: 1006, reason: 'The network went offline.' } as const;
/** What the app hears of a connection given up because what it missed could not be fetched. */
const REFETCH_CLOSE = { code: 1006, reason: 'What the connection missed could not be fetched.' } as const;

const CONTROL_TYPES: ReadonlySet<string> = new Set(['synced', 'resync_required', 'error', 'pong']);

/**
 * The connection logic that every live socket of the SDK shares: it connects, and reconnects after
 * every drop (see reconnect-policy.ts: 4401 asks the token function again, 4403 and 4404 stop),
 * resuming with `?since=` after the last seq it delivered, so that its owner gets each logged
 * event once and in order across drops; it skips overlaps of a replay and resumes before a hole;
 * it notices a silent connection (heartbeat) and follows the device's network. What the frames
 * mean is its owner's business (LiveSocketOwner).
 */
export class LiveSocket<F extends { type: string }> {
  /**
   * Resolves once the connection is first open: joined, and caught up. Rejects with a
   * RoomConnectionError if it stops for good before that.
   */
  readonly opened: Promise<void>;

  private readonly heartbeat: Heartbeat | null;
  private readonly reconnect: Required<ReconnectOptions>;
  private socket: WebSocket | null = null;
  private currentStatus: ConnectionStatus = 'connecting';
  /** The seq of the last logged event delivered, or the log's when it had none; null: not known yet. */
  private seq: number | null;
  /** Connection attempts since the last time the connection was open. */
  private failures = 0;
  /** Tells a socket (or a token request) of an earlier attempt from the current one. */
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private ended = false;
  private wasOpen = false;
  /** Frames of the socket not yet handed over: they wait while a refetch is under way. */
  private readonly queue: F[] = [];
  private holding = false;
  private settleOpened!: { resolve(): void; reject(error: Error): void };
  private readonly stopWatchingNetwork: () => void;

  constructor(
    private readonly target: LiveSocketTarget,
    private readonly owner: LiveSocketOwner<F>,
    options: LiveSocketOptions & { since?: number } = {},
  ) {
    this.reconnect = { ...DEFAULT_RECONNECT, ...options.reconnect };
    this.seq = options.since ?? null;
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

  /** The seq of the last logged event delivered: where a later connection may resume. */
  get lastSeq(): number | null {
    return this.seq;
  }

  /** Sends the event if the connection is open; answers whether it did. */
  send(event: object): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN || this.currentStatus !== 'open') return false;
    socket.send(JSON.stringify(event));
    return true;
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
    resolveToken(this.target.token).then(
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
    const socket = openSocket(this.target, token, this.seq === null ? SINCE_LATEST : this.seq);
    if (!socket) {
      this.onClose(UNSENDABLE_TOKEN.code, UNSENDABLE_TOKEN.reason);
      return;
    }
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
    this.queue.length = 0;
    this.owner.closed?.({ code, reason });
    const action = closeAction(code, reason, typeof this.target.token === 'function');
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
    this.queue.length = 0;
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

  private end(error: ErrorEvent | null): void {
    this.ended = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.stopWatchingNetwork();
    this.heartbeat?.stop();
    this.queue.length = 0;
    this.owner.ended?.(error);
    if (error) this.owner.error(error);
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
    const parsed = this.owner.frames.safeParse(value);
    if (!parsed.success) return;
    this.queue.push(parsed.data);
    this.drain();
  }

  private drain(): void {
    while (!this.holding && !this.ended && this.queue.length > 0) this.handle(this.queue.shift()!);
  }

  private handle(frame: F): void {
    if (CONTROL_TYPES.has(frame.type)) {
      this.control(frame as unknown as ControlFrame);
      return;
    }
    const seq = this.owner.seqOf(frame);
    if (seq === undefined) this.owner.state(frame);
    else this.onLogged(frame, seq);
  }

  private control(frame: ControlFrame): void {
    switch (frame.type) {
      case 'resync_required':
        this.hold(this.owner.resync());
        break;
      case 'synced': {
        this.seq = frame.seq;
        const loading = this.owner.synced?.();
        if (loading) this.hold(loading, () => this.markOpen());
        else this.markOpen();
        break;
      }
      case 'error':
        this.owner.error(frame);
        break;
      case 'pong':
        break;
    }
  }

  private onLogged(frame: F, seq: number): void {
    if (this.seq !== null) {
      // A replay that overlaps what was delivered already.
      if (seq <= this.seq) return;
      // A hole (the server fills them itself, so this is a safety net): resume before it.
      if (seq > this.seq + 1) {
        this.resume();
        return;
      }
    }
    this.seq = seq;
    this.owner.logged(frame);
  }

  /**
   * Holds the socket's later frames until `work` settles. Then, if the socket is still the same,
   * `after` runs and the frames go on; if it failed, the socket is given up and another tried (one
   * that came meanwhile goes on: it asks again if it must).
   */
  private hold(work: Promise<void>, after?: () => void): void {
    this.holding = true;
    const socket = this.socket;
    const settle = (ok: boolean) => {
      this.holding = false;
      if (this.ended) return;
      if (socket !== this.socket || socket === null) {
        this.drain();
        return;
      }
      if (!ok) {
        this.giveUp(REFETCH_CLOSE);
        return;
      }
      after?.();
      this.drain();
    };
    work.then(
      () => settle(true),
      () => settle(false),
    );
  }

  /** The replay is over, and whatever the owner fetched is here: open and caught up. */
  private markOpen(): void {
    this.failures = 0;
    this.wasOpen = true;
    this.setStatus('open');
    this.heartbeat?.start();
    this.owner.opened?.();
    this.settleOpened.resolve();
  }

  private setStatus(status: ConnectionStatus): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    this.owner.status(status);
  }
}
