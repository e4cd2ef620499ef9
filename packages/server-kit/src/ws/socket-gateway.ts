import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode, MAX_FRAME_BYTES, type ServerEvent, SOCKET_SUBPROTOCOL } from '@hirechat/protocol';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { Caller } from '../domain/caller.js';
import { ChatError } from '../domain/chat-error.js';
import type { ChatService } from '../domain/chat-service.js';
import type { FrameBudget } from '../limits/frame-budget.js';
import { type SocketCount, type SocketLease, TooManySockets } from '../limits/socket-count.js';
import type { Logger } from '../ports/logger.js';
import { BoundedSender } from './bounded-sender.js';
import { admitWithin } from './handshake-deadline.js';
import { handshakeToken } from './handshake-token.js';

/** setTimeout cannot wait longer than this (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface GatewayOptions {
  allowedOrigins: string[] | '*';
  pingIntervalMs: number;
  /** How long admitting a socket may take; see RequestDeadlines.handshakeMs. */
  handshakeTimeoutMs: number;
  /** A socket whose unsent backlog passes this many bytes is closed with 1013 (see BoundedSender). */
  maxBacklogBytes: number;
  /** Open sockets per user and frames per socket; null when limits are off. */
  limits: { sockets: SocketCount; frames: FrameBudget } | null;
  logger: Logger;
}

/** A socket let in, before its handshake completes. */
interface Admitted {
  admission: Admission;
  caller: Caller;
  expiresAt: Date | null;
  /** Its place in the user's count of open sockets; null when limits are off. */
  lease: SocketLease | null;
}

/** A socket let in by its channel, before its handshake completes. */
export interface Admission {
  /** Where the socket's log and topic are, for the logs: a room, or `inbox`. */
  readonly label: string;
  /** Gives back what the channel reserved, for a socket whose handshake never completed. */
  release(): void;
  /** Starts the socket once it is open. */
  open(socket: WebSocket, context: SessionContext): Session;
}

/** What a channel's session gets from the gateway. */
export interface SessionContext {
  /** Resolves once the user counts as online (their presence is recorded, or failed to be). */
  online: Promise<void>;
  /**
   * The one way to send the socket a frame: live ones keep its backlog bounded, replayed ones are
   * paced by the client's reading.
   */
  sender: BoundedSender;
}

/** A socket's life in its channel. */
export interface Session {
  /** Handles one text frame; a ChatError it throws is answered as an `error` event. */
  handle(text: string): Promise<void>;
  /** The socket closed; settles once what that sets off here (clearing its typing, say) is done. */
  closed(): Promise<void>;
}

/** One kind of socket: the room socket, the inbox socket. */
export interface SocketChannel {
  /** Whether the path is this channel's. */
  matches(pathname: string): boolean;
  /** Lets the caller's socket in, or throws the ChatError it is refused with. */
  admit(caller: Caller, url: URL): Promise<Admission>;
}

type Liveness = WebSocket & { isAlive?: boolean };

/**
 * Serves the WebSocket channels on an HTTP server's `upgrade` event: checks the origin, the token
 * (`?token=`, or `Sec-WebSocket-Protocol: hirechat, bearer.<token>`) and the channel's admission,
 * then keeps each socket alive (pings), closes it when its token expires, and hands its frames, in
 * order, to its channel's session. It only translates: the ChatService decides who may do what.
 */
export class SocketGateway {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    // The token may travel as a subprotocol; the server answers with `hirechat` alone.
    handleProtocols: (protocols) => (protocols.has(SOCKET_SUBPROTOCOL) ? SOCKET_SUBPROTOCOL : false),
  });
  private readonly sockets = new Set<Liveness>();
  /**
   * Work that sockets set off and that may outlive them: frames being handled, and what a closed
   * socket leaves to do (clearing its typing, recording and announcing its user's presence).
   */
  private readonly inFlight = new Set<Promise<void>>();
  private closing = false;
  private pingTimer: NodeJS.Timeout | undefined;
  private listener: HttpServer | undefined;

  constructor(
    private readonly chat: ChatService,
    private readonly channels: readonly SocketChannel[],
    private readonly options: GatewayOptions,
  ) {}

  attach(listener: HttpServer): void {
    this.listener = listener;
    listener.on('upgrade', this.onUpgrade);
    this.pingTimer = setInterval(() => this.pingAll(), this.options.pingIntervalMs);
    this.pingTimer.unref();
  }

  /** Closes every socket with `code` (1001 when the server stops) and stops serving upgrades. */
  async close(code: number = CloseCode.GoingAway): Promise<void> {
    this.closing = true;
    this.listener?.off('upgrade', this.onUpgrade);
    clearInterval(this.pingTimer);
    await Promise.all([...this.sockets].map((socket) => closed(socket, code, 'Server shutting down.')));
    // Finished before the caller goes on to close the storage and the broadcaster it needs: the
    // users of those sockets went offline here, and other processes' rooms are to be told so.
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    await this.chat.presenceAnnounced();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  /** Keeps the work in `inFlight` until it settles; it must not reject. */
  private track(work: Promise<void>): Promise<void> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
    return work;
  }

  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const channel = this.channels.find((candidate) => candidate.matches(url.pathname));
    if (!channel) {
      // Other paths belong to whoever else listens for upgrades; with no one else, refuse plainly.
      if (this.listener?.listenerCount('upgrade') === 1) refuseHandshake(socket, '404 Not Found');
      return;
    }
    if (!this.originAllowed(request.headers.origin)) {
      refuseHandshake(socket, '403 Forbidden');
      return;
    }
    void this.upgrade(channel, request, socket, head, url);
  };

  private originAllowed(origin: string | undefined): boolean {
    const allowed = this.options.allowedOrigins;
    // Non-browser clients send no Origin; the check protects browsers' users, not servers.
    return allowed === '*' || origin === undefined || allowed.includes(origin);
  }

  /**
   * Admits the socket before completing the handshake, so that a client that sees it open is
   * already in. A refusal still completes the handshake and then closes with 44xx, because a
   * browser cannot read the status of a refused handshake.
   */
  private async upgrade(
    channel: SocketChannel,
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    url: URL,
  ): Promise<void> {
    // A client that resets during the checks must not crash the process.
    const ignore = () => undefined;
    socket.on('error', ignore);
    let admitted: Admitted | undefined;
    let refused: [number, string] = [CloseCode.InternalError, 'Internal error.'];
    try {
      admitted = await admitWithin(
        this.admit(channel, request, url),
        this.options.handshakeTimeoutMs,
        giveBack,
      );
    } catch (error) {
      refused = refusal(error);
      if (refused[0] === CloseCode.InternalError) this.options.logger.error({ err: error }, 'socket refused');
    }
    socket.off('error', ignore);
    if (this.closing || socket.destroyed) {
      if (admitted) giveBack(admitted);
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      if (admitted) this.start(ws, admitted);
      else ws.close(...refused);
    });
  }

  /**
   * Authenticates the handshake's token, counts the socket among the user's open ones, and asks
   * the channel to let the caller in.
   */
  private async admit(channel: SocketChannel, request: IncomingMessage, url: URL): Promise<Admitted> {
    const token = handshakeToken(request, url);
    if (!token) throw ChatError.of('not_authenticated', 'Missing token.');
    const { caller, expiresAt } = await this.chat.authenticate(token);
    const lease = await this.acquireSocket(caller.id);
    try {
      return { admission: await channel.admit(caller, url), caller, expiresAt, lease };
    } catch (error) {
      lease?.release();
      throw error;
    }
  }

  /** The user's place among their open sockets, or the refusal when they hold too many. */
  private async acquireSocket(user: string): Promise<SocketLease | null> {
    if (!this.options.limits) return null;
    try {
      return await this.options.limits.sockets.acquire(user);
    } catch (error) {
      if (error instanceof TooManySockets) throw ChatError.of('rate_limited', error.message);
      throw error;
    }
  }

  private start(socket: Liveness, { caller, admission, expiresAt, lease }: Admitted): void {
    const { logger } = this.options;
    const user = caller.id;
    const online = this.chat
      .userConnected(user)
      .catch((err: unknown) => logger.warn({ err, user }, 'presence not recorded'));
    const sender = new BoundedSender(socket, this.options.maxBacklogBytes);
    const session = admission.open(socket, { online, sender });
    this.sockets.add(socket);
    socket.isAlive = true;
    socket.on('pong', () => {
      socket.isAlive = true;
    });
    if (expiresAt) closeAtExpiry(socket, expiresAt);
    // Each frame waits for the one before it, so that a socket's events take effect, and its
    // errors answer, in the order it sent them (an error names no frame; its place in line does).
    let handled: Promise<void> = Promise.resolve();
    const inLine = (step: () => void | Promise<void>) => {
      handled = this.track(
        handled.then(step).catch((err: unknown) => logger.error({ err }, 'socket event failed')),
      );
    };
    const frames = this.options.limits?.frames.forSocket() ?? null;
    // Frames are counted as they arrive, in order, so that those over the budget are let go at
    // once instead of waiting in line; those within it wait in line to be handled.
    let counted: Promise<void> = Promise.resolve();
    let closing = false;
    socket.on('message', (data, isBinary) => {
      if (!frames) {
        inLine(() => this.onFrame(socket, session, sender, data, isBinary));
        return;
      }
      counted = counted
        .then(() => (closing ? null : frames.take()))
        .then(
          (verdict) => {
            if (verdict === 'handle') inLine(() => this.onFrame(socket, session, sender, data, isBinary));
            else if (verdict === 'drop') inLine(() => this.overBudget(socket, sender));
            else if (verdict === 'close') {
              // In line too, so that what the frames before it earned is sent first.
              closing = true;
              inLine(() => socket.close(CloseCode.PolicyViolation, 'Too many frames.'));
            }
          },
          (err: unknown) => logger.error({ err }, 'frame not counted'),
        );
    });
    socket.on('error', (err) => logger.warn({ err }, 'socket error'));
    socket.on('close', (code) => {
      logger.info({ socket: admission.label, user, code }, 'socket left');
      this.sockets.delete(socket);
      frames?.forget();
      lease?.release();
      this.track(session.closed());
      this.track(
        online.then(() =>
          this.chat
            .userDisconnected(user)
            .catch((err: unknown) => logger.warn({ err, user }, 'presence not cleared')),
        ),
      );
    });
    logger.info({ socket: admission.label, user }, 'socket joined');
  }

  /** Answers a frame over the socket's budget, which is dropped. */
  private overBudget(socket: WebSocket, sender: BoundedSender): void {
    if (socket.readyState !== socket.OPEN) return;
    const detail = `Too many frames: at most ${this.options.limits?.frames.description}. This one was dropped.`;
    sender.send(JSON.stringify({ type: 'error', code: 'rate_limited', detail } satisfies ServerEvent));
  }

  private async onFrame(
    socket: WebSocket,
    session: Session,
    sender: BoundedSender,
    data: RawData,
    isBinary: boolean,
  ) {
    // A frame that arrives after its socket was closed (a removal, say) is not acted on.
    if (socket.readyState !== socket.OPEN) return;
    try {
      if (isBinary) throw ChatError.of('invalid_json', 'Frames must be JSON text.');
      await session.handle(rawText(data));
    } catch (error) {
      if (!(error instanceof ChatError)) this.options.logger.error({ err: error }, 'socket event failed');
      const reply: ServerEvent =
        error instanceof ChatError
          ? errorEvent(error)
          : { type: 'error', code: 'internal', detail: 'The event could not be handled.' };
      sender.send(JSON.stringify(reply));
    }
  }

  private pingAll(): void {
    for (const socket of this.sockets) {
      // A socket that did not answer the previous ping is gone; its close event cleans up.
      if (socket.isAlive === false) {
        socket.terminate();
        continue;
      }
      socket.isAlive = false;
      socket.ping();
    }
  }
}

/** The `error` event that answers a ChatError. */
export function errorEvent(error: ChatError): ServerEvent {
  return { type: 'error', code: error.code, detail: error.message };
}

/** Gives back what a socket that never opened was given: its channel's reservation and its count. */
function giveBack(admitted: Admitted): void {
  admitted.admission.release();
  admitted.lease?.release();
}

function closeAtExpiry(socket: WebSocket, expiresAt: Date): void {
  const timer = setTimeout(
    () => socket.close(CloseCode.Unauthorized, 'Token expired.'),
    Math.min(Math.max(expiresAt.getTime() - Date.now(), 0), MAX_TIMER_MS),
  );
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/** The close code and reason a refused socket gets. */
function refusal(error: unknown): [number, string] {
  if (!(error instanceof ChatError)) return [CloseCode.InternalError, 'Internal error.'];
  switch (error.code) {
    case 'not_authenticated':
      return [CloseCode.Unauthorized, error.message];
    case 'forbidden':
      return [CloseCode.Forbidden, error.message];
    case 'not_found':
      return [CloseCode.NotFound, error.message];
    case 'rate_limited':
      return [CloseCode.TooManySockets, error.message];
    default:
      return [CloseCode.InternalError, error.message];
  }
}

function refuseHandshake(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

function closed(socket: WebSocket, code: number, reason: string): Promise<void> {
  if (socket.readyState === socket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.terminate();
      resolve();
    }, 2_000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.close(code, reason);
  });
}
