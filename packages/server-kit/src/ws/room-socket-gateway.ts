import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  CloseCode,
  MAX_FRAME_BYTES,
  type ServerEvent,
  type Since,
  SinceParamSchema,
  UuidInputSchema,
} from '@hirechat/protocol';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { ChatError } from '../domain/chat-error.js';
import type { ChatService, RoomMembership } from '../domain/chat-service.js';
import type { Broadcaster } from '../ports/broadcaster.js';
import type { Logger } from '../ports/logger.js';
import { parseClientEvent } from './client-events.js';
import { admitWithin } from './handshake-deadline.js';
import { RoomHub } from './room-hub.js';
import { SocketFeed } from './socket-feed.js';

const ROOM_PATH = /^\/ws\/chat\/([^/]+)\/?$/;
/** setTimeout cannot wait longer than this (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Every frame is JSON, so text, also when handed to `send` as the bytes encoded once per room. */
const TEXT_FRAME = { binary: false } as const;
const PONG_FRAME = JSON.stringify({ type: 'pong' } satisfies ServerEvent);

export interface GatewayOptions {
  allowedOrigins: string[] | '*';
  pingIntervalMs: number;
  /** How long admitting a socket may take; see RequestDeadlines.handshakeMs. */
  handshakeTimeoutMs: number;
  logger: Logger;
}

type Liveness = WebSocket & { isAlive?: boolean };

interface Admission {
  membership: RoomMembership;
  expiresAt: Date | null;
  /** `?since=`: where to resume, null without it, or why it was refused. */
  since: Since | ChatError | null;
  /** For a socket without a usable `since`: the room's seq when it was admitted. */
  startSeq: number | null;
}

/**
 * Serves `/ws/chat/<room>/?token=[&since=]` on an HTTP server's `upgrade` event. It only
 * translates: the ChatService decides who may join and what each event does, and each socket's
 * SocketFeed what it is sent, and when.
 */
export class RoomSocketGateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  private readonly hub: RoomHub;
  private closing = false;
  private pingTimer: NodeJS.Timeout | undefined;
  private listener: HttpServer | undefined;

  constructor(
    private readonly chat: ChatService,
    broadcaster: Broadcaster,
    private readonly options: GatewayOptions,
  ) {
    this.hub = new RoomHub(broadcaster, options.logger);
  }

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
    await Promise.all([...this.hub.sockets()].map((socket) => closed(socket, code, 'Server shutting down.')));
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/ws/chat/')) {
      // Other paths belong to whoever else listens for upgrades; with no one else, refuse plainly.
      if (this.listener?.listenerCount('upgrade') === 1) refuseHandshake(socket, '404 Not Found');
      return;
    }
    if (!this.originAllowed(request.headers.origin)) {
      refuseHandshake(socket, '403 Forbidden');
      return;
    }
    void this.upgrade(request, socket, head, url);
  };

  private originAllowed(origin: string | undefined): boolean {
    const allowed = this.options.allowedOrigins;
    // Non-browser clients send no Origin; the check protects browsers' users, not servers.
    return allowed === '*' || origin === undefined || allowed.includes(origin);
  }

  /**
   * Admits the socket before completing the handshake, so that a client that sees it open is
   * already in the room. A refusal still completes the handshake and then closes with 44xx,
   * because a browser cannot read the status of a refused handshake.
   */
  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    // A client that resets during the checks must not crash the process.
    const ignore = () => undefined;
    socket.on('error', ignore);
    let admission: Admission | undefined;
    let refused: [number, string] = [CloseCode.InternalError, 'Internal error.'];
    try {
      admission = await admitWithin(this.admit(url), this.options.handshakeTimeoutMs, (late) =>
        this.hub.release(late.membership.room),
      );
    } catch (error) {
      refused = refusal(error);
      if (refused[0] === CloseCode.InternalError) this.options.logger.error({ err: error }, 'socket refused');
    }
    socket.off('error', ignore);
    if (this.closing || socket.destroyed) {
      if (admission) this.hub.release(admission.membership.room);
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      if (admission) this.join(ws, admission);
      else ws.close(...refused);
    });
  }

  /** Authenticates, checks membership, and makes the room's events flow to this process. */
  private async admit(url: URL): Promise<Admission> {
    const token = url.searchParams.get('token');
    if (!token) throw ChatError.of('not_authenticated', 'Missing token.');
    const { caller, expiresAt } = await this.chat.authenticate(token);
    const roomId = UuidInputSchema.safeParse(ROOM_PATH.exec(url.pathname)?.[1]);
    if (!roomId.success) throw ChatError.notFound('No such chat room.');
    const membership = await this.chat.joinRoom(caller, roomId.data);
    const since = parseSince(url.searchParams.get('since'));
    await this.hub.reserve(membership.room);
    try {
      // Read after subscribing: every event past this seq either comes live or is in the log.
      const startSeq =
        since === null || since instanceof ChatError
          ? (await this.chat.replay(membership, 'latest')).seq
          : null;
      return { membership, expiresAt, since, startSeq };
    } catch (error) {
      this.hub.release(membership.room);
      throw error;
    }
  }

  private join(socket: Liveness, { membership, expiresAt, since, startSeq }: Admission): void {
    const { logger } = this.options;
    const feed = new SocketFeed(
      (frame) => {
        if (socket.readyState === socket.OPEN) socket.send(frame, TEXT_FRAME);
      },
      {
        replay: (after) => this.chat.replay(membership, after),
        typingUsers: () => this.chat.typingUsers(membership),
      },
      (err) => {
        logger.error({ err, room: membership.room }, 'room log not read for a socket');
        socket.close(CloseCode.InternalError, 'Internal error.');
      },
    );
    this.hub.join(membership.room, membership.user, socket, feed);
    socket.once('close', () => feed.stop());
    // A bad `since` is answered, then ignored: the socket works as one opened without it.
    if (since instanceof ChatError) socket.send(JSON.stringify(errorEvent(since)));
    if (startSeq !== null) feed.follow(startSeq, this.hub.heardAfter(membership.room, startSeq));
    else if (since !== null && !(since instanceof ChatError)) feed.resume(since);
    socket.isAlive = true;
    socket.on('pong', () => {
      socket.isAlive = true;
    });
    if (expiresAt) this.closeAtExpiry(socket, expiresAt);
    // Each frame waits for the one before it, so that a socket's events take effect, and its
    // errors answer, in the order it sent them (an error names no frame; its place in line does).
    let handled: Promise<void> = Promise.resolve();
    socket.on('message', (data, isBinary) => {
      handled = handled
        .then(() => this.onFrame(socket, membership, data, isBinary))
        .catch((err: unknown) => logger.error({ err }, 'socket event failed'));
    });
    socket.on('error', (err) => logger.warn({ err }, 'socket error'));
    socket.on('close', (code) => {
      logger.info({ room: membership.room, user: membership.user, code }, 'socket left');
      this.leave(membership, socket);
    });
    logger.info({ room: membership.room, user: membership.user }, 'socket joined');
  }

  private closeAtExpiry(socket: WebSocket, expiresAt: Date): void {
    const timer = setTimeout(
      () => socket.close(CloseCode.Unauthorized, 'Token expired.'),
      Math.min(Math.max(expiresAt.getTime() - Date.now(), 0), MAX_TIMER_MS),
    );
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  }

  private leave(membership: RoomMembership, socket: WebSocket): void {
    if (this.hub.leave(membership.room, membership.user, socket)) {
      // A user whose last socket in the room closed is no longer typing there.
      this.chat.setTyping(membership, false).catch((err: unknown) => {
        this.options.logger.warn({ err, room: membership.room }, 'typing not cleared');
      });
    }
  }

  private async onFrame(socket: WebSocket, membership: RoomMembership, data: RawData, isBinary: boolean) {
    try {
      if (isBinary) throw ChatError.of('invalid_json', 'Frames must be JSON text.');
      const event = parseClientEvent(rawText(data));
      if (event.type === 'ping') {
        if (socket.readyState === socket.OPEN) socket.send(PONG_FRAME);
      } else if (event.type === 'typing') await this.chat.setTyping(membership, event.typing);
      else await this.chat.markRead(membership, event.message_id);
    } catch (error) {
      if (!(error instanceof ChatError)) this.options.logger.error({ err: error }, 'socket event failed');
      const reply: ServerEvent =
        error instanceof ChatError
          ? errorEvent(error)
          : { type: 'error', code: 'internal', detail: 'The event could not be handled.' };
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(reply));
    }
  }

  private pingAll(): void {
    for (const socket of this.hub.sockets() as Iterable<Liveness>) {
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

/** `?since=` as given: absent, a place to resume from, or the error that a bad one is answered. */
function parseSince(value: string | null): Since | ChatError | null {
  if (value === null) return null;
  const parsed = SinceParamSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  return ChatError.invalidField('since', parsed.error.issues[0]?.message ?? 'Invalid.');
}

function errorEvent(error: ChatError): ServerEvent {
  return { type: 'error', code: error.code, detail: error.message };
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
