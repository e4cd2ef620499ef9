import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode, MAX_FRAME_BYTES, type ServerEvent, UuidInputSchema } from '@hirechat/protocol';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { ChatError } from '../domain/chat-error.js';
import type { ChatService, RoomMembership } from '../domain/chat-service.js';
import type { Broadcaster } from '../ports/broadcaster.js';
import type { Logger } from '../ports/logger.js';
import { parseClientEvent } from './client-events.js';
import { RoomHub } from './room-hub.js';

const ROOM_PATH = /^\/ws\/chat\/([^/]+)\/?$/;
/** setTimeout cannot wait longer than this (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface GatewayOptions {
  allowedOrigins: string[] | '*';
  pingIntervalMs: number;
  logger: Logger;
}

type Liveness = WebSocket & { isAlive?: boolean };

/**
 * Serves `/ws/chat/<room>/?token=` on an HTTP server's `upgrade` event. It only translates: the
 * ChatService decides who may join and what each event does.
 */
export class RoomSocketGateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  private readonly hub: RoomHub;
  private readonly pending = new Set<WebSocket>();
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
    this.listener?.off('upgrade', this.onUpgrade);
    clearInterval(this.pingTimer);
    const sockets = [...this.pending, ...this.hub.sockets()];
    await Promise.all(sockets.map((socket) => closed(socket, code, 'Server shutting down.')));
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    // Other paths belong to whoever else listens for upgrades on this server.
    if (!url.pathname.startsWith('/ws/chat/')) return;
    if (!this.originAllowed(request.headers.origin)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      void this.onConnection(ws, url);
    });
  };

  private originAllowed(origin: string | undefined): boolean {
    const allowed = this.options.allowedOrigins;
    // Non-browser clients send no Origin; the check protects browsers' users, not servers.
    return allowed === '*' || origin === undefined || allowed.includes(origin);
  }

  private async onConnection(socket: Liveness, url: URL): Promise<void> {
    const { logger } = this.options;
    this.pending.add(socket);
    // Frames may arrive before the checks finish; they wait for the membership rather than vanish.
    let membership: Promise<RoomMembership> | undefined;
    // Each frame also waits for the one before it, so that a socket's events take effect, and its
    // errors answer, in the order it sent them (an error names no frame; its place in line does).
    let handled: Promise<unknown> = Promise.resolve();
    socket.on('message', (data, isBinary) => {
      const joining = membership;
      if (!joining) return;
      handled = handled
        .then(() => joining)
        .then((m) => this.onFrame(socket, m, data, isBinary))
        .catch(() => undefined);
    });
    socket.on('error', (err) => logger.warn({ err }, 'socket error'));
    membership = this.admit(socket, url);
    let admitted: RoomMembership;
    try {
      admitted = await membership;
    } catch (error) {
      this.pending.delete(socket);
      const [code, reason] = refusal(error);
      if (code === CloseCode.InternalError) logger.error({ err: error }, 'socket refused');
      socket.close(code, reason);
      return;
    }
    this.pending.delete(socket);
    if (socket.readyState !== socket.OPEN) {
      this.hubLeave(admitted, socket);
      return;
    }
    logger.info({ room: admitted.room, user: admitted.user }, 'socket joined');
    socket.on('close', (code) => {
      logger.info({ room: admitted.room, user: admitted.user, code }, 'socket left');
      this.hubLeave(admitted, socket);
    });
  }

  /** Authenticates, checks membership, and starts the room's events flowing to the socket. */
  private async admit(socket: Liveness, url: URL): Promise<RoomMembership> {
    const token = url.searchParams.get('token');
    if (!token) throw ChatError.of('unauthenticated', 'Missing token.');
    const { caller, expiresAt } = await this.chat.authenticate(token);
    const roomId = UuidInputSchema.safeParse(ROOM_PATH.exec(url.pathname)?.[1]);
    if (!roomId.success) throw ChatError.notFound('No such chat room.');
    const membership = await this.chat.joinRoom(caller, roomId.data);
    socket.isAlive = true;
    socket.on('pong', () => {
      socket.isAlive = true;
    });
    if (expiresAt) this.closeAtExpiry(socket, expiresAt);
    await this.hub.add(membership.room, membership.user, socket);
    return membership;
  }

  private closeAtExpiry(socket: WebSocket, expiresAt: Date): void {
    const timer = setTimeout(
      () => socket.close(CloseCode.Unauthorized, 'Token expired.'),
      Math.min(Math.max(expiresAt.getTime() - Date.now(), 0), MAX_TIMER_MS),
    );
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  }

  private hubLeave(membership: RoomMembership, socket: WebSocket): void {
    if (this.hub.remove(membership.room, membership.user, socket)) {
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
      if (event.type === 'typing') await this.chat.setTyping(membership, event.typing);
      else await this.chat.markRead(membership, event.message_id);
    } catch (error) {
      if (!(error instanceof ChatError)) this.options.logger.error({ err: error }, 'socket event failed');
      const reply: ServerEvent =
        error instanceof ChatError
          ? { type: 'error', code: error.code, detail: error.message }
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

/** The close code and reason a refused socket gets. */
function refusal(error: unknown): [number, string] {
  if (!(error instanceof ChatError)) return [CloseCode.InternalError, 'Internal error.'];
  switch (error.code) {
    case 'unauthenticated':
      return [CloseCode.Unauthorized, error.message];
    case 'forbidden':
      return [CloseCode.Forbidden, error.message];
    case 'not_found':
      return [CloseCode.NotFound, error.message];
    default:
      return [CloseCode.InternalError, error.message];
  }
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
